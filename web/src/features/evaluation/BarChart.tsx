import { useCallback, useRef } from "react";
import { EChart } from "../../components/chart/EChart.tsx";

/** Room for a legend of `n` entries at this width (≈ 110 px an entry, 24 px a line). */
const legendHeight = (width: number, n: number) =>
  Math.ceil(n / Math.max(1, Math.floor(width / 110))) * 24 + 8;

export interface Series {
  name: string;
  values: (number | null)[];
}

/**
 * A horizontal bar chart (department names are long: they read better down the side) of one or
 * more series, stacked when asked. Drawn without animation, so a print sees it whole; `onDrawn`
 * tells the printable page it is there.
 */
export function BarChart({
  title,
  categories,
  series,
  stacked,
  onDrawn,
}: {
  title: string;
  categories: string[];
  series: Series[];
  stacked?: boolean;
  onDrawn?: () => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const option = useCallback(
    (width: number) => {
      const narrow = width < 600;
      // the first category at the top, as in the table
      const cats = [...categories].reverse();
      return {
        animation: false,
        // the page's heading names the chart; the title stays for the aria description
        title: { text: title, show: false },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        // every series named at once (a print cannot page a legend): on a phone it takes three lines
        legend: series.length > 1 ? { top: 0, left: 0 } : undefined,
        grid: {
          left: 8,
          right: 24,
          bottom: 8,
          top: series.length > 1 ? legendHeight(width, series.length) : 12,
          containLabel: true,
        },
        xAxis: { type: "value", max: 100 },
        yAxis: {
          type: "category",
          data: cats,
          axisLabel: { width: narrow ? 96 : 200, overflow: "truncate" },
        },
        series: series.map((s) => ({
          type: "bar",
          name: s.name,
          stack: stacked ? "total" : undefined,
          data: [...s.values].reverse(),
          label: stacked
            ? undefined
            : { show: true, position: "right", fontSize: 11 },
        })),
      };
    },
    [title, categories, series, stacked],
  );
  const height = Math.max(
    160,
    categories.length * 34 +
      40 +
      (series.length > 1
        ? legendHeight(box.current?.clientWidth ?? 960, series.length)
        : 0),
  );
  return (
    <div ref={box}>
      <EChart option={option} className="evaluation-chart" style={{ height }} onDrawn={onDrawn} />
    </div>
  );
}
