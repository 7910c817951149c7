/**
 * Monthly snapshots of the indicators: each month's figures computed once at its end and kept
 * in odx.indicator_snapshots, so a year of trend is twelve row reads. Computing a month again
 * replaces its rows; history makes the answer the same unless the settings' grace days changed.
 */
import type { Knex } from 'knex';
import { computeIndicators, type IndicatorReport, type Indicators } from './indicators.ts';
import { presentSnapshot, type TrendPoint } from './presenter.ts';
import { monthWindow, previousMonth } from './period.ts';

/** The indicators of a month: its flows in the month, its stocks at the month's end. */
export function monthReport(knex: Knex, month: string, graceDays: number, departments: number[] | null = null, withCity = true): Promise<IndicatorReport> {
  const { from, to } = monthWindow(month);
  return computeIndicators(knex, { asOf: to, from, to, graceDays }, departments, withCity);
}

/** Computes and stores a month's snapshot (the city and every department), replacing an earlier one. */
export async function snapshotMonth(knex: Knex, month: string, graceDays: number): Promise<IndicatorReport> {
  const report = await monthReport(knex, month, graceDays);
  const day = `${month}-01`;
  const rows = [{ month: day, department_id: null, ...stored(report.city!) }, ...report.departments.map(({ department, ...x }) => ({ month: day, department_id: department.id, ...stored(x) }))];
  await knex.transaction(async (trx) => {
    await trx('odx.indicator_snapshots').where({ month: day }).delete();
    await trx('odx.indicator_snapshots').insert(rows);
  });
  return report;
}

/** A snapshot row's columns: the figures, and apart from them the per-resource lists. */
function stored(x: Indicators): { indicators: string; lists: string } {
  const { timeliness: { stale, ...timeliness }, quality: { resources, ...quality }, open: { usage, ...open }, ...rest } = x;
  return { indicators: JSON.stringify({ ...rest, timeliness, quality, open }), lists: JSON.stringify({ stale, resources, usage }) };
}

/** Whether a month has its snapshot. */
export async function hasSnapshot(knex: Knex, month: string): Promise<boolean> {
  return Boolean(await knex('odx.indicator_snapshots').where({ month: `${month}-01` }).whereNull('department_id').first('month'));
}

/**
 * Snapshots from one month to another (both included): the city's when `withCity`, and those of
 * `departments` (null: all): their figures, which the trend and the evaluation read; the lists
 * stay in their own column (migration 017).
 */
export async function readTrend(knex: Knex, q: { from: string; to: string; departments: number[] | null; withCity: boolean }): Promise<TrendPoint[]> {
  const rows = await knex('odx.indicator_snapshots as s')
    .leftJoin('odx.departments as d', 'd.id', 's.department_id')
    .whereBetween('s.month', [`${q.from}-01`, `${q.to}-01`])
    .where((w) => {
      if (q.departments) w.whereIn('s.department_id', q.departments);
      else w.whereNotNull('s.department_id');
      if (q.withCity) w.orWhereNull('s.department_id');
    })
    .orderBy('s.month')
    .orderByRaw('s.department_id nulls first')
    .select(knex.raw(`to_char(s.month, 'YYYY-MM') as month`), 's.department_id', 'd.name', 's.indicators');
  return rows.map(presentSnapshot);
}

/** On start: last month's snapshot, when it is missing (a failure is logged, the server still starts). */
export async function ensureLastMonth(knex: Knex, at: Date, graceDays: number): Promise<string | null> {
  const month = previousMonth(at);
  if (await hasSnapshot(knex, month)) return null;
  await snapshotMonth(knex, month, graceDays);
  return month;
}
