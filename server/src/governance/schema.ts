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

/** GET /api/v1/evaluations/report.pdf: the whole city's evaluation of one month. */
export const PrintQuery = z.object({ month }).strict();

const n = z.number();
const count = z.number().int();
const share = z.number().nullable().describe('a share with four decimals; null when the denominator is 0');
const ref = z.object({ id: z.number().int(), name: z.string() });

export const StaleResource = z
  .object({ resourceId: count, code: z.string().nullable(), name: z.string(), updateCycle: z.string(), lastLoadAt: z.string().nullable(), daysOverdue: n })
  .meta({ id: 'StaleResource', description: 'A resource late against its update cycle beyond the grace days' });

export const ResourceQuality = z
  .object({
    resourceId: count,
    code: z.string().nullable(),
    name: z.string(),
    loads: count,
    rowsRead: count,
    rowsRejected: count,
    requiredNulls: count,
    duplicateKeys: count,
    score: n.nullable(),
  })
  .meta({ id: 'ResourceQuality', description: 'The quality counts and score of one resource’s loads in the window' });

export const DatasetUsage = z
  .object({ resourceId: count, code: z.string().nullable(), month: z.string(), downloads: count, apiCalls: count })
  .meta({ id: 'DatasetUsage', description: 'Downloads and API calls of one open dataset in one month' });

/** Every field is defined in docs/indicators.md. */
export const Indicators = z
  .object({
    census: z.object({
      departments: count,
      departmentsReporting: count,
      systems: count,
      resources: count,
      items: count,
      systemsWithResource: count,
      systemsWithResourceShare: share,
      published: count,
      linked: count,
      linkRate: share.describe('挂接率'),
    }),
    timeliness: z.object({ withCycle: count, onTime: count, onTimeRate: share.describe('更新及时率'), stale: z.array(StaleResource) }),
    quality: z.object({
      loads: count,
      rowsRead: count,
      rowsRejected: count,
      rejectedPerLoad: n.nullable(),
      requiredNulls: count,
      duplicateKeys: count,
      score: n.nullable().describe('0–100, one decimal; null without rows read'),
      resources: z.array(ResourceQuality),
      errorReports: count,
      errorReportsAnswered: count,
      errorReportsInTime: count,
      errorReportInTimeRate: share,
      errorReportsFixed: count,
      errorReportsRejected: count,
      errorReportsOpen: count,
      errorReportsOverdue: count,
    }),
    sharing: z.object({
      received: count,
      made: count,
      realTime: count,
      realTimeRate: share.describe('实时响应率'),
      answered: count,
      answeredInTime: count,
      inTimeRate: share,
      medianAnswerDays: n.nullable(),
      refused: count,
      disputes: count,
      disputesGranted: count,
      disputesDenied: count,
      disputesWithdrawn: count,
      disputesOpen: count,
      grantsInForce: count,
      grantsUnused90: count,
      demands: count,
      demandsFulfilled: count,
      demandsUnfulfillable: count,
      demandFulfilmentRate: share.describe('需求满足率'),
    }),
    open: z.object({
      datasets: count,
      capacity: count,
      machineReadable: count,
      machineReadableShare: share,
      domains: count,
      departmentsCovered: count,
      downloads: count,
      apiCalls: count,
      usage: z.array(DatasetUsage),
      developers: count.nullable().describe('developer accounts registered (the city only; null for a department)'),
      developersActive: count.describe('developer accounts that read these open datasets in the window'),
      applications: count.describe('conditional open-data applications (有条件开放申请) submitted in the window'),
      applicationsApproved: count.describe('…of those, approved by as_of'),
      applicationsRefused: count.describe('…refused by as_of'),
      applicationsWithdrawn: count.describe('…withdrawn by the developer by as_of'),
      applicationsAnsweredInTime: count.describe('…approved or refused before their working-day deadline'),
      applicationInTimeRate: share.describe('answered in time, of those approved or refused'),
    }),
  })
  .meta({ id: 'Indicators', description: 'The indicators of a department or the city (docs/indicators.md)' });

export const DepartmentIndicators = Indicators.extend({ department: ref }).meta({ id: 'DepartmentIndicators', description: 'One department’s indicators' });

export const IndicatorReport = z
  .object({
    asOf: z.string().describe('stocks are taken at this instant'),
    from: z.string().describe('flows are counted from this instant…'),
    to: z.string().describe('…to this one'),
    graceDays: count,
    city: Indicators.nullable().describe('the whole city; null when the caller reaches only their own department'),
    departments: z.array(DepartmentIndicators),
  })
  .meta({ id: 'IndicatorReport', description: 'Indicators per department and for the city as of a date (docs/indicators.md)' });

/** The figures of the indicators without their per-resource lists, as snapshots serve them. */
export const IndicatorFigures = z
  .object({
    census: Indicators.shape.census,
    timeliness: Indicators.shape.timeliness.omit({ stale: true }),
    quality: Indicators.shape.quality.omit({ resources: true }),
    sharing: Indicators.shape.sharing,
    open: Indicators.shape.open.omit({ usage: true }),
  })
  .meta({ id: 'IndicatorFigures', description: 'The indicators’ figures; the per-resource lists (timeliness.stale, quality.resources, open.usage) are on GET /api/v1/indicators' });

export const TrendPoint = z
  .object({ month: z.string().describe('YYYY-MM'), department: ref.nullable().describe('null: the city'), indicators: IndicatorFigures })
  .meta({ id: 'TrendPoint', description: 'One month’s snapshot of the city or a department' });

export const IndicatorTrend = z.object({ items: z.array(TrendPoint) }).meta({ id: 'IndicatorTrend', description: 'Monthly indicator snapshots' });

export const EvaluationRow = z
  .object({
    department: ref,
    score: n.nullable().describe('weighted score 0–100; null when no weighted indicator applies'),
    rank: count.nullable(),
    parts: z.array(z.object({ indicator: z.string(), value: n.nullable(), weight: n })),
  })
  .meta({ id: 'EvaluationRow', description: 'One department’s evaluation: score, rank and the weighted indicators' });

export const EvaluationReport = z
  .object({ month: z.string(), settingsVersion: count, items: z.array(EvaluationRow) })
  .meta({ id: 'EvaluationReport', description: 'The monthly evaluation (考核评价): weighted scores and ranks' });
