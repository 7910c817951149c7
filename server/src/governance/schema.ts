import { z } from 'zod';
import { dayStart } from './period.ts';

/** A calendar date that exists (2026-02-30 does not). */
const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD / 日期格式应为 YYYY-MM-DD')
  .refine((d) => !Number.isNaN(dayStart(d).getTime()) && new Date(Date.parse(`${d}T00:00:00Z`)).toISOString().startsWith(d), 'not a calendar date / 不是有效日期');
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM / 月份格式应为 YYYY-MM');
const department = z.coerce.number().int().positive();

/** GET /api/v1/indicators: stocks as of `as_of` (end of that day), flows in [from, to] (whole days). */
export const IndicatorQuery = z
  .object({
    department: department.optional(),
    as_of: date.optional(),
    from: date.optional(),
    to: date.optional(),
    format: z.enum(['json', 'csv', 'xlsx']).default('json'),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: '`from` must not be after `to` / 起始日期不得晚于截止日期', path: ['from'] })
  .refine((q) => !q.to || !q.as_of || q.to <= q.as_of, { message: '`to` must not be after `as_of` / 截止日期不得晚于统计时点', path: ['to'] });

/** GET /api/v1/indicators/trend: monthly snapshots from one month to another, both included. */
export const TrendQuery = z
  .object({ department: department.optional(), from: month, to: month })
  .strict()
  .refine((q) => q.from <= q.to, { message: '`from` must not be after `to` / 起始月份不得晚于截止月份', path: ['from'] });

/** GET /api/v1/evaluations: one month's evaluation. */
export const EvaluationQuery = z.object({ month, department: department.optional(), format: z.enum(['json', 'xlsx']).default('json') }).strict();

/**
 * The responses: `IndicatorReport` (server/src/governance/indicators.ts) for the indicators,
 * `{ items: TrendPoint[] }` (snapshots.ts) for the trend, and `{ month, settingsVersion, items: EvaluationRow[] }`
 * (evaluation.ts) for the evaluation; every field is defined in docs/indicators.md.
 */

// the indicator groups are defined field by field in docs/indicators.md; these name the envelopes (a follow-up spells out each field)
export const IndicatorReport = z.any().meta({ id: 'IndicatorReport', description: 'Indicators per department and for the city as of a date (docs/indicators.md)' });
export const IndicatorTrend = z.any().meta({ id: 'IndicatorTrend', description: 'Monthly indicator snapshots: { items: [...] }' });
export const EvaluationReport = z.any().meta({ id: 'EvaluationReport', description: 'The monthly evaluation (考核评价): { month, settingsVersion, items: weighted scores and ranks }' });
