/** ECharts options of the governance pages' two kinds of chart, readable on a phone: long department names go on the vertical axis. */

export interface Bar {
  name: string;
  value: number | null;
}

/** Horizontal bars, first row on top, each labelled with its figure. */
export function barOption(rows: Bar[], o: { seriesName: string; percent: boolean; format: (v: number) => string }): Record<string, unknown> {
  const fmt = (v: unknown) => (typeof v === 'number' ? o.format(v) : '—');
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: fmt },
    grid: { left: 8, right: 64, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', max: o.percent ? 100 : undefined, axisLabel: { formatter: o.percent ? '{value}%' : undefined, hideOverlap: true } },
    // a phone keeps most of its width for the bars; a wide screen shows whole department names
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name), axisLabel: { width: window.innerWidth < 600 ? 96 : 200, overflow: 'truncate' } },
    series: [{ type: 'bar', name: o.seriesName, data: rows.map((r) => r.value ?? '-'), barMaxWidth: 24, label: { show: true, position: 'right', formatter: (p: { value: unknown }) => fmt(p.value) } }],
  };
}

/** The height that gives each bar room for its name. */
export const barHeight = (n: number) => Math.max(160, n * 34 + 40);

/** One line over the months, gaps ('-', ECharts' empty value) where a month had nothing to measure. */
export function lineOption(months: string[], values: (number | null)[], o: { seriesName: string; percent: boolean; format: (v: number) => string }): Record<string, unknown> {
  const fmt = (v: unknown) => (typeof v === 'number' ? o.format(v) : '—');
  return {
    tooltip: { trigger: 'axis', valueFormatter: fmt },
    grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: months, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', max: o.percent ? 100 : undefined, min: 0, axisLabel: { formatter: o.percent ? '{value}%' : undefined } },
    series: [{ type: 'line', name: o.seriesName, data: values.map((v) => v ?? '-'), connectNulls: false, symbolSize: 7, label: { show: months.length <= 6, formatter: (p: { value: unknown }) => fmt(p.value) } }],
  };
}
