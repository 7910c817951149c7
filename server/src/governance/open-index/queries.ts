/**
 * The public open-data index (开放指数): the open-data part of the monthly snapshots, per
 * department and for the city. It reads snapshots only, so an anonymous caller never starts a
 * computation over history, and it carries counts only — the snapshots hold no value of the data.
 */
import type { Knex } from 'knex';
import { notFound, text } from '../../http/errors.ts';
import { readTrend } from '../snapshots.ts';
import type { IndicatorFigures } from '../indicators.ts';

export interface OpenIndex {
  month: string | null;
  months: string[];
  city: IndicatorFigures['open'] | null;
  departments: { department: { id: number; name: string }; open: IndicatorFigures['open'] }[];
}

/** Months that have the city's snapshot, newest first. */
async function snapshotMonths(knex: Knex): Promise<string[]> {
  const rows = await knex('odx.indicator_snapshots').whereNull('department_id').orderBy('month', 'desc').select(knex.raw(`to_char(month, 'YYYY-MM') as month`));
  return rows.map((r: { month: string }) => r.month);
}

export async function openIndex(knex: Knex, asked: string | undefined): Promise<OpenIndex> {
  const months = await snapshotMonths(knex);
  const month = asked ?? months[0];
  if (!month) return { month: null, months, city: null, departments: [] };
  if (!months.includes(month)) throw notFound(text(`${month} 的开放指数（该月尚无月度快照）`, `the open-data index of ${month} (the month has no snapshot)`));
  const points = await readTrend(knex, { from: month, to: month, departments: null, withCity: true });
  const city = points.find((p) => p.department === null)?.indicators.open ?? null;
  const departments = points.filter((p) => p.department !== null).map((p) => ({ department: p.department!, open: p.indicators.open }));
  return { month, months, city, departments };
}
