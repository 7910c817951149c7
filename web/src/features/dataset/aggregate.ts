export type Aggregation = 'count' | 'sum' | 'mean';

export interface Group {
  key: string;
  value: number;
}

/**
 * Rows grouped by the x column and summarised: count of rows, or sum / mean of the numeric y
 * column (values that are not numbers are left out of sum and mean). Groups in descending value,
 * ties by key, so the chart and its table list them alike.
 */
export function aggregate(rows: Record<string, unknown>[], x: string, y: string | null, agg: Aggregation, blank: string): Group[] {
  const acc = new Map<string, { n: number; sum: number; values: number }>();
  for (const r of rows) {
    const raw = r[x];
    const key = raw === null || raw === undefined || raw === '' ? blank : String(raw);
    let g = acc.get(key);
    if (!g) acc.set(key, (g = { n: 0, sum: 0, values: 0 }));
    g.n++;
    if (y !== null && agg !== 'count') {
      const v = typeof r[y] === 'number' ? (r[y] as number) : Number(r[y]);
      if (r[y] !== null && r[y] !== '' && Number.isFinite(v)) {
        g.sum += v;
        g.values++;
      }
    }
  }
  const groups = [...acc].map(([key, g]) => ({
    key,
    value: agg === 'count' || y === null ? g.n : agg === 'sum' ? round(g.sum) : g.values ? round(g.sum / g.values) : 0,
  }));
  return groups.sort((a, b) => b.value - a.value || a.key.localeCompare(b.key));
}

const round = (n: number) => Math.round(n * 100) / 100;
