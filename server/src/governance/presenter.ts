import { emptyIndicators, type IndicatorFigures } from './indicators.ts';

/** One month of the trend: the city's figures (department null) or a department's. */
export interface TrendPoint {
  month: string;
  department: { id: number; name: string } | null;
  indicators: IndicatorFigures;
}

/** A snapshot row as the trend shows it. */
export function presentSnapshot(r: Record<string, any>): TrendPoint {
  return {
    month: r.month,
    department: r.department_id === null ? null : { id: Number(r.department_id), name: r.name },
    indicators: withDefaults(r.indicators),
  };
}

/** A snapshot stored before a figure existed shows that figure at its empty value (0 or null), so every point has every field. */
function withDefaults(stored: IndicatorFigures): IndicatorFigures {
  const { timeliness: { stale: _s, ...timeliness }, quality: { resources: _r, ...quality }, open: { usage: _u, ...open }, ...base } = emptyIndicators();
  return {
    census: { ...base.census, ...stored.census },
    timeliness: { ...timeliness, ...stored.timeliness },
    quality: { ...quality, ...stored.quality },
    sharing: { ...base.sharing, ...stored.sharing },
    open: { ...open, ...stored.open },
  };
}
