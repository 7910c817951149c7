/**
 * A developer's own use of the open data API: the reads their keys made (rows, downloads, CKAN
 * datastore searches — the audit trail records each, with the key since reads carry it), by day
 * in Asia/Shanghai and by dataset, and where their account stands in the current rate-limit window.
 * Counts and published dataset names only, never a data value.
 */
import type { Knex } from 'knex';
import type { Config } from '../../config.ts';
import { keyBucket } from '../../http/rate-limit.ts';
import { USE_ACTIONS } from '../catalog/summary.ts';

export interface DeveloperUsage {
  days: number;
  from: string;
  to: string;
  total: number;
  byDay: { day: string; calls: number; rows: number }[];
  byDataset: { code: string | null; name: string | null; calls: number; rows: number }[];
  byKey: { id: number; name: string | null; prefix: string | null; calls: number }[];
  rateLimit: { policy: 'key'; limit: number; windowSeconds: number; used: number; remaining: number; resetSeconds: number };
}

/** Audit events of the account's key reads since the start of the first day, chained and still pending. */
function keyReads(knex: Knex, principalId: number, from: string) {
  const since = knex.raw(`(?::date::timestamp at time zone 'Asia/Shanghai')`, [from]);
  const of = (table: string) =>
    knex(table)
      .where('actor_id', principalId)
      .whereIn('action', USE_ACTIONS)
      .where('at', '>=', since)
      .whereRaw(`detail \\? 'token'`)
      .select('at', 'target_id', 'rows', knex.raw(`detail->>'token' as token`));
  return of('odx.audit_events').unionAll(of('odx.audit_pending'), true);
}

export async function developerUsage(knex: Knex, config: Config, principalId: number, days: number): Promise<DeveloperUsage> {
  const { rows: range } = await knex.raw(
    `select to_char(d, 'YYYY-MM-DD') as day from generate_series((now() at time zone 'Asia/Shanghai')::date - (?::int - 1), (now() at time zone 'Asia/Shanghai')::date, interval '1 day') as d`,
    [days],
  );
  const dayList: string[] = range.map((r: { day: string }) => r.day);
  const from = dayList[0];
  const e = () => knex.from(keyReads(knex, principalId, from).as('e'));
  const [perDay, perDataset, perKey, counter] = await Promise.all([
    e().groupByRaw('1').select(knex.raw(`to_char(e.at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day`), knex.raw('count(*) as calls'), knex.raw('coalesce(sum(e.rows), 0) as rows')),
    e()
      .leftJoin('odx.resources as r', 'e.target_id', knex.raw('r.id::text'))
      .groupBy('e.target_id', 'r.code', knex.raw(`r.published_doc->>'name'`))
      .select('r.code', knex.raw(`r.published_doc->>'name' as name`), knex.raw('count(*) as calls'), knex.raw('coalesce(sum(e.rows), 0) as rows'))
      .orderBy([{ column: 'calls', order: 'desc' }, { column: 'r.code', order: 'asc' }]),
    e()
      .leftJoin('odx.tokens as t', 'e.token', knex.raw('t.id::text'))
      .groupBy('e.token', 't.name', 't.prefix')
      .select('e.token', 't.name', 't.prefix', knex.raw('count(*) as calls'))
      .orderBy('calls', 'desc'),
    knex('odx.rate_counters')
      .where('bucket', keyBucket(principalId))
      .whereRaw('ends > extract(epoch from clock_timestamp())')
      .orderBy('ends', 'desc')
      .first('hits', knex.raw('ends - extract(epoch from clock_timestamp()) as reset')),
  ]);
  const byDayMap = new Map(perDay.map((r: any) => [r.day, { calls: Number(r.calls), rows: Number(r.rows) }]));
  const limit = config.rateLimitKey;
  const windowSeconds = config.rateLimitWindowSeconds;
  const used = counter ? Math.min(limit, Number(counter.hits)) : 0;
  return {
    days,
    from,
    to: dayList[dayList.length - 1],
    total: perDay.reduce((n: number, r: any) => n + Number(r.calls), 0),
    byDay: dayList.map((day) => ({ day, ...(byDayMap.get(day) ?? { calls: 0, rows: 0 }) })),
    byDataset: perDataset.map((r: any) => ({ code: r.code ?? null, name: r.name ?? null, calls: Number(r.calls), rows: Number(r.rows) })),
    byKey: perKey.map((r: any) => ({ id: Number(r.token), name: r.name ?? null, prefix: r.prefix ?? null, calls: Number(r.calls) })),
    rateLimit: {
      policy: 'key',
      limit,
      windowSeconds,
      used,
      remaining: Math.max(0, limit - used),
      resetSeconds: counter ? Math.max(1, Math.ceil(Number(counter.reset))) : windowSeconds,
    },
  };
}
