/** ECharts options of the governance pages' two kinds of chart, readable on a phone: long department names go on the vertical axis. */

export interface Bar {
  name: string;
  value: number | null;
}

/**
 * The part every name starts with ("滨海市" in 滨海市公安局, 滨海市交通运输局…), which the axis can
 * leave out so the narrow space shows what tells the names apart; the tooltip and the table keep whole names.
 */
export function commonPrefix(names: string[]): string {
  if (names.length < 2) return '';
  let p = names[0];
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  // only a whole place name (…省, …市, …区, …县): 滨海市公安局 and 滨海市公路局 keep 公
  p = /^.*[省市区县]/.exec(p)?.[0] ?? '';
  return names.some((n) => n.length - p.length < 2) ? '' : p;
}

/** Horizontal bars, first row on top, each labelled with its figure. */
export function barOption(rows: Bar[], o: { seriesName: string; percent: boolean; hundred?: boolean; format: (v: number) => string }): Record<string, unknown> {
  const fmt = (v: unknown) => (typeof v === 'number' ? o.format(v) : '—');
  const narrow = window.innerWidth < 600;
  const prefix = narrow ? commonPrefix(rows.map((r) => r.name)) : '';
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: fmt },
    grid: { left: 8, right: 64, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', max: o.percent || o.hundred ? 100 : undefined, axisLabel: { formatter: o.percent ? '{value}%' : undefined, hideOverlap: true } },
    // a phone keeps most of its width for the bars (names without their common place name); a wide screen shows whole names
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name), axisLabel: { width: narrow ? 96 : 200, overflow: 'truncate', formatter: (name: string) => name.slice(prefix.length) } },
    series: [{ type: 'bar', name: o.seriesName, data: rows.map((r) => r.value ?? '-'), barMaxWidth: 24, label: { show: true, position: 'right', formatter: (p: { value: unknown }) => fmt(p.value) } }],
  };
}

/** The department column of the wide tables stays in view while the figures scroll sideways: narrower on a phone. */
export const NAME_WIDTH = window.innerWidth < 600 ? 120 : 200;

/** The height that gives each bar room for its name. */
export const barHeight = (n: number) => Math.max(160, n * 34 + 40);

/** One line over the months, gaps ('-', ECharts' empty value) where a month had nothing to measure. */
export function lineOption(months: string[], values: (number | null)[], o: { seriesName: string; percent: boolean; hundred?: boolean; format: (v: number) => string }): Record<string, unknown> {
  const fmt = (v: unknown) => (typeof v === 'number' ? o.format(v) : '—');
  return {
    tooltip: { trigger: 'axis', valueFormatter: fmt },
    grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: months, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', max: o.percent || o.hundred ? 100 : undefined, min: 0, axisLabel: { formatter: o.percent ? '{value}%' : undefined } },
    series: [{ type: 'line', name: o.seriesName, data: values.map((v) => v ?? '-'), connectNulls: false, symbolSize: 7, label: { show: months.length <= 6, formatter: (p: { value: unknown }) => fmt(p.value) } }],
  };
}
