import type { IndicatorFigures } from './indicators.ts';

/** One month of the trend: the city's figures (department null) or a department's. */
export interface TrendPoint {
  month: string;
  department: { id: number; name: string } | null;
  indicators: IndicatorFigures;
}
