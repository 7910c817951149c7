/**
 * The monthly evaluation (考核评价): each department's weighted score over the indicators the
 * settings name, and its rank. An indicator a department has nothing to measure on (null: no
 * published resource, no request) is left out and the other weights carry the score, so a
 * department is neither rewarded nor punished for what it was not asked to do.
 */
import { figure, type IndicatorFigures } from './indicators.ts';
import type { EvaluationSettings } from './settings.ts';

export interface EvaluationRow {
  department: { id: number; name: string };
  score: number | null;
  rank: number | null;
  /** Each weighted indicator: its value (0–100) and weight; null values did not count. */
  parts: { indicator: string; value: number | null; weight: number }[];
}

/** An indicator on the 0–100 scale: shares are multiplied by 100, the quality score already is. */
export function scaled(x: IndicatorFigures, key: string): number | null {
  const v = figure(x, key);
  if (v === null) return null;
  return key === 'quality.score' ? v : Math.round(v * 10_000) / 100;
}

export function evaluate(departments: (IndicatorFigures & { department: { id: number; name: string } })[], settings: EvaluationSettings): EvaluationRow[] {
  const rows: EvaluationRow[] = departments.map((d) => {
    const parts = Object.entries(settings.weights).map(([indicator, weight]) => ({ indicator, value: scaled(d, indicator), weight }));
    const counted = parts.filter((p) => p.value !== null && p.weight > 0);
    const total = counted.reduce((s, p) => s + p.weight, 0);
    const score = total ? Math.round((counted.reduce((s, p) => s + p.weight * p.value!, 0) / total) * 100) / 100 : null;
    return { department: d.department, score, rank: null, parts };
  });
  // standard competition ranking (1, 1, 3): equal scores share a rank; departments without a score are not ranked
  const ranked = rows.filter((r) => r.score !== null).sort((a, b) => b.score! - a.score!);
  ranked.forEach((r, i) => (r.rank = i > 0 && ranked[i - 1].score === r.score ? ranked[i - 1].rank : i + 1));
  return [...ranked, ...rows.filter((r) => r.score === null)];
}
