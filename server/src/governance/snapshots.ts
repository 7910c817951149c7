/**
 * Monthly snapshots of the indicators: each month's figures computed once at its end and kept
 * in odx.indicator_snapshots, so a year of trend is twelve row reads. Computing a month again
 * replaces its rows; history makes the answer the same unless the settings' grace days changed.
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Knex } from 'knex';
import { computeIndicators, emptyIndicators, type IndicatorReport, type Indicators } from './indicators.ts';
import type { TrendPoint } from './presenter.ts';
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
 * stay in their own column (migration 017). The answer is the JSON text of IndicatorTrend, kept
 * between reads until the snapshots or the departments' names change (docs/benchmarks.md, round 4).
 */
export async function readTrendJson(knex: Knex, q: { from: string; to: string; departments: number[] | null; withCity: boolean }): Promise<string> {
  return (await readTrendAnswer(knex, q)).json;
}

/** The trend's answer as JSON text and gzipped once (a year of every department: 1.7 MiB, ≈ 0.1 MiB gzipped), for a client that takes gzip. */
export async function readTrendAnswer(knex: Knex, q: { from: string; to: string; departments: number[] | null; withCity: boolean }): Promise<TrendAnswer> {
  const key = JSON.stringify(q);
  // what the answer depends on: the months' snapshot rows (replaced whole by a new snapshot) and the departments' names
  const { rows } = await knex.raw(
    `select count(*) || ':' || coalesce(max(s.computed_at)::text, '') || ':' || (select coalesce(max(updated_at)::text, '') from odx.departments) as version
     from odx.indicator_snapshots s where s.month between :from::date and :to::date`,
    { from: `${q.from}-01`, to: `${q.to}-01` },
  );
  const version = String(rows[0].version);
  const hit = trendCache.get(key);
  if (hit?.version === version) return hit;
  const json = await writeTrendJson(knex, q);
  const answer = { version, json, gzip: await gzipped(json) };
  trendCache.delete(key);
  trendCache.set(key, answer);
  // the oldest answers go first (a Map keeps insertion order)
  while (trendCache.size > TREND_CACHE_ENTRIES) trendCache.delete(trendCache.keys().next().value!);
  return answer;
}

export interface TrendAnswer {
  version: string;
  json: string;
  gzip: Buffer;
}

const gzipped = promisify(gzip);

/**
 * Answers of the trend already written, by query, each with the version of the snapshots it was
 * written from: a year of every department is megabytes of JSON that stays the same until the next
 * snapshot, so a dashboard's reads cost one index lookup (is it still the same?) and the send.
 * Each server process keeps its own; the version check keeps them right.
 */
const trendCache = new Map<string, TrendAnswer>();
const TREND_CACHE_ENTRIES = 32;

/**
 * PostgreSQL writes the whole answer as one JSON text: a year of every department is 1,200
 * points, and parsing them into objects only to serialize them again cost more than the query. A
 * figure added after a snapshot was stored reads as its empty value (0 or null), so every point
 * has every field.
 */
async function writeTrendJson(knex: Knex, q: { from: string; to: string; departments: number[] | null; withCity: boolean }): Promise<string> {
  const scope = q.departments ? `s.department_id = any(:departments::bigint[])` : `s.department_id is not null`;
  const { rows } = await knex.raw(
    `select coalesce(json_agg(json_build_object(
         'month', to_char(s.month, 'YYYY-MM'),
         'department', case when s.department_id is null then null else json_build_object('id', s.department_id, 'name', d.name) end,
         'indicators', jsonb_build_object(
           'census', :census::jsonb || (s.indicators->'census'),
           'timeliness', :timeliness::jsonb || (s.indicators->'timeliness'),
           'quality', :quality::jsonb || (s.indicators->'quality'),
           'sharing', :sharing::jsonb || (s.indicators->'sharing'),
           'open', :open::jsonb || (s.indicators->'open')))
         order by s.month, s.department_id nulls first), '[]')::text as items
       from odx.indicator_snapshots s left join odx.departments d on d.id = s.department_id
       where s.month between :from::date and :to::date and (${scope}${q.withCity ? ' or s.department_id is null' : ''})`,
    { ...EMPTY_FIGURES, from: `${q.from}-01`, to: `${q.to}-01`, ...(q.departments ? { departments: q.departments } : {}) },
  );
  return `{"items":${rows[0].items}}`;
}

/** The same points as objects, for the evaluation. */
export async function readTrend(knex: Knex, q: { from: string; to: string; departments: number[] | null; withCity: boolean }): Promise<TrendPoint[]> {
  return (JSON.parse(await readTrendJson(knex, q)) as { items: TrendPoint[] }).items;
}

/** Each area's figures at their empty values, as JSON: what a snapshot older than a figure lacks. */
const EMPTY_FIGURES = (() => {
  const { timeliness: { stale: _s, ...timeliness }, quality: { resources: _r, ...quality }, open: { usage: _u, ...open }, census, sharing } = emptyIndicators();
  return { census: JSON.stringify(census), timeliness: JSON.stringify(timeliness), quality: JSON.stringify(quality), sharing: JSON.stringify(sharing), open: JSON.stringify(open) };
})();

/** On start: last month's snapshot, when it is missing (a failure is logged, the server still starts). */
export async function ensureLastMonth(knex: Knex, at: Date, graceDays: number): Promise<string | null> {
  const month = previousMonth(at);
  if (await hasSnapshot(knex, month)) return null;
  await snapshotMonth(knex, month, graceDays);
  return month;
}
