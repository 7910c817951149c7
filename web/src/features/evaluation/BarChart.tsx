import { useEffect, useRef } from "react";
import { useI18n } from "../../i18n/i18n.tsx";

/** One palette, readable in grey too (light to dark steps), and with decals for print in black and white. */
const PALETTE = [
  "#0b57d0",
  "#e8710a",
  "#1e8e3e",
  "#a142f4",
  "#d93025",
  "#12b5cb",
  "#5f6368",
  "#f9ab00",
];

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
  const { lang } = useI18n();
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let chart: { dispose(): void; resize(): void } | null = null;
    const onResize = () => chart?.resize();
    import("./echarts.ts").then(({ echarts }) => {
      if (disposed || !el.current) return;
      const c = echarts.init(el.current, null, {
        renderer: "canvas",
        locale: lang === "zh" ? "ZH" : "EN",
      });
      chart = c;
      const narrow = el.current.clientWidth < 600;
      // the first category at the top, as in the table
      const cats = [...categories].reverse();
      c.setOption({
        animation: false,
        aria: { enabled: true, decal: { show: true } },
        color: PALETTE,
        // the page's heading names the chart; the title stays for the aria description
        title: { text: title, show: false },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        // every series named at once (a print cannot page a legend): on a phone it takes three lines
        legend: series.length > 1 ? { top: 0, left: 0 } : undefined,
        grid: {
          left: 8,
          right: 24,
          bottom: 8,
          top:
            series.length > 1
              ? legendHeight(el.current.clientWidth, series.length)
              : 12,
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
      });
      onDrawn?.();
      window.addEventListener("resize", onResize);
    });
    return () => {
      disposed = true;
      window.removeEventListener("resize", onResize);
      chart?.dispose();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- drawn again when what it shows changes
  }, [title, categories, series, stacked, lang]);
  const height = Math.max(
    160,
    categories.length * 34 +
      40 +
      (series.length > 1
        ? legendHeight(el.current?.clientWidth ?? 960, series.length)
        : 0),
  );
  return <div ref={el} className="evaluation-chart" style={{ height }} />;
}
