import type { Indicators } from './indicators.ts';

/** One month of the trend: the city's figures (department null) or a department's. */
export interface TrendPoint {
  month: string;
  department: { id: number; name: string } | null;
  indicators: Indicators;
}

/** A snapshot row as the trend shows it. */
export function presentSnapshot(r: Record<string, any>): TrendPoint {
  return {
    month: r.month,
    department: r.department_id === null ? null : { id: Number(r.department_id), name: r.name },
    indicators: r.indicators,
  };
}
