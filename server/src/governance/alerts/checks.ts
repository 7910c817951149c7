/**
 * What the alerts watch (docs/alerts.md): share requests and error reports about to be overdue,
 * stale resources, and leak watch — a grant or a developer account whose reads today exceed a
 * multiple of its usual day, or leave its usual shape (new filter items, a switch to taking everything). Each check returns candidate alerts with a key; an alert is raised
 * once per key, so running the checks again raises nothing new.
 */
import type { Knex } from 'knex';
import { computeIndicators } from '../indicators.ts';
import { dayStart, shanghaiDay } from '../period.ts';
import { workCalendar } from '../../sharing/clock.ts';

export interface Candidate {
  kind: 'request_due' | 'error_report_due' | 'stale_resource' | 'leak_watch';
  key: string;
  departmentId: number | null;
  targetType: string;
  targetId: string;
  detail: Record<string, unknown>;
}

export interface LeakWatch {
  /** Reads today above this multiple of the usual day raise an alert. */
  multiple: number;
  /** …and at least this many reads today. */
  minReads: number;
}

/** Days of history the usual day is the mean of. */
export const BASELINE_DAYS = 28;

/** Who waits on a request in each waiting state: the provider, or the authority (null). */
const WAITING_ON: Record<string, 'provider' | 'authority'> = { provider_review: 'provider', submitted: 'authority', disputed: 'authority' };

/** Requests and reports due by the end of the next working day (or already overdue). */
async function dueSoon(knex: Knex, at: Date): Promise<Candidate[]> {
  const horizon = workCalendar().addWorkdays(at, 1);
  const requests = await knex('odx.share_requests').whereNotNull('due_at').where('due_at', '<=', horizon).select('id', 'state', 'due_at', 'resource_code', 'provider_department_id', 'consumer_department_id');
  const reports = await knex('odx.error_reports').where('state', 'open').where('due_at', '<=', horizon).select('id', 'due_at', 'resource_code', 'provider_department_id');
  return [
    ...requests.map((r): Candidate => {
      const due = new Date(r.due_at);
      return {
        kind: 'request_due',
        key: `request_due:${r.id}:${due.toISOString()}`,
        departmentId: WAITING_ON[r.state] === 'provider' ? Number(r.provider_department_id) : null,
        targetType: 'share_request',
        targetId: String(r.id),
        detail: { state: r.state, dueAt: due.toISOString(), overdue: due <= at, resource: r.resource_code, consumer: Number(r.consumer_department_id), provider: Number(r.provider_department_id) },
      };
    }),
    ...reports.map((r): Candidate => {
      const due = new Date(r.due_at);
      return {
        kind: 'error_report_due',
        key: `error_report_due:${r.id}`,
        departmentId: Number(r.provider_department_id),
        targetType: 'error_report',
        targetId: String(r.id),
        detail: { dueAt: due.toISOString(), overdue: due <= at, resource: r.resource_code },
      };
    }),
  ];
}

/** Resources late against their update cycle beyond the grace days: one alert per staleness episode (a new load ends it). */
async function stale(knex: Knex, at: Date, graceDays: number): Promise<Candidate[]> {
  const report = await computeIndicators(knex, { asOf: at, from: at, to: at, graceDays }, null, false);
  return report.departments.flatMap((d) =>
    d.timeliness.stale.map((s): Candidate => ({
      kind: 'stale_resource',
      key: `stale_resource:${s.resourceId}:${s.lastLoadAt ?? 'never'}`,
      departmentId: d.department.id,
      targetType: 'resource',
      targetId: String(s.resourceId),
      detail: { resource: s.code, name: s.name, updateCycle: s.updateCycle, lastLoadAt: s.lastLoadAt, daysOverdue: s.daysOverdue },
    })),
  );
}

/**
 * Reads today (Shanghai day) per grant and per developer account, against their mean day over
 * the BASELINE_DAYS before. Events still waiting for the chainer count too, so a burst is seen
 * before it is chained.
 */
async function leaks(knex: Knex, at: Date, watch: LeakWatch): Promise<Candidate[]> {
  const today = dayStart(shanghaiDay(at));
  const since = new Date(today.getTime() - BASELINE_DAYS * 86_400_000);
  const events = `(select at, action, actor_id, detail from odx.audit_events where at >= :since and at < :t
                   union all select at, action, actor_id, detail::jsonb from odx.audit_pending where at >= :since and at < :t)`;
  const { rows } = await knex.raw(
    `with e as ${events},
     reads as (
       select 'grant' as who, e.detail->>'grant' as id, e.at from e where e.action like 'shared.%' and e.detail \\? 'grant'
       union all
       select 'account', e.actor_id::text, e.at from e
         join odx.principals p on p.id = e.actor_id
         where e.action in ('dataset.rows', 'dataset.download', 'dataset.datastore_search') and 'developer' = any(p.roles)
     )
     select who, id, count(*) filter (where at >= :today) as today, count(*) filter (where at < :today) as before
     from reads group by who, id having count(*) filter (where at >= :today) >= :min`,
    { since, t: at, today, min: watch.minReads },
  );
  const day = shanghaiDay(at);
  const out: Candidate[] = [];
  for (const r of rows as { who: 'grant' | 'account'; id: string; today: string; before: string }[]) {
    const usual = Number(r.before) / BASELINE_DAYS;
    const reads = Number(r.today);
    if (reads <= watch.multiple * usual) continue;
    const provider = r.who === 'grant' ? await knex('odx.grants').where({ id: Number(r.id) }).first('provider_department_id', 'consumer_department_id', 'resource_id') : null;
    out.push({
      kind: 'leak_watch',
      key: `leak_watch:${r.who}:${r.id}:${day}`,
      departmentId: provider ? Number(provider.provider_department_id) : null,
      targetType: r.who,
      targetId: r.id,
      detail: {
        signal: 'volume',
        day,
        reads,
        usualDay: Math.round(usual * 10) / 10,
        multiple: watch.multiple,
        ...(provider ? { consumer: Number(provider.consumer_department_id), resourceId: Number(provider.resource_id) } : {}),
      },
    });
  }
  return out;
}

/**
 * The shape of a grant's or account's reads (docs/alerts.md): which items its row filters use, and
 * how many reads take everything — a download, or rows with no filter at all. Today's reads are
 * held against the BASELINE_DAYS before; only a reader with a usual shape (SHAPE.minBaseline reads)
 * is judged. Two signals: a filter on an item never filtered on before, and a switch to taking
 * everything (at least SHAPE.minUnfiltered such reads, SHAPE.share of today's, when they were
 * under SHAPE.usualShare before). Only item names are kept, never a filter's value.
 */
export const SHAPE = { minBaseline: 20, minUnfiltered: 20, share: 0.5, usualShare: 0.1 };

async function shapes(knex: Knex, at: Date): Promise<Candidate[]> {
  const today = dayStart(shanghaiDay(at));
  const since = new Date(today.getTime() - BASELINE_DAYS * 86_400_000);
  const { rows } = await knex.raw(
    `with e as (select at, action, actor_id, detail from odx.audit_events where at >= :since and at < :t
                union all select at, action, actor_id, detail::jsonb from odx.audit_pending where at >= :since and at < :t),
     reads as (
       select 'grant' as who, e.detail->>'grant' as id, e.at >= :today as today, e.action, e.detail->'filters' as filters
         from e where e.action in ('shared.rows', 'shared.download') and e.detail \\? 'grant'
       union all
       select 'account', e.actor_id::text, e.at >= :today, e.action, e.detail->'filters' from e
         join odx.principals p on p.id = e.actor_id
         where e.action in ('dataset.rows', 'dataset.download') and 'developer' = any(p.roles)
     ),
     shaped as (
       select who, id, today, case when jsonb_typeof(filters) = 'array' then filters else '[]'::jsonb end as filters,
         action like '%.download' or jsonb_typeof(filters) is distinct from 'array' or jsonb_array_length(filters) = 0 as everything
       from reads
     ),
     readers as (
       select who, id, count(*) filter (where not today) as before, count(*) filter (where today) as today,
         count(*) filter (where not today and everything) as before_everything, count(*) filter (where today and everything) as today_everything
       from shaped group by who, id
       having count(*) filter (where today) > 0 and count(*) filter (where not today) >= :minBaseline
     )
     select r.*,
       (select coalesce(array_agg(distinct f->>'column'), '{}') from shaped s, jsonb_array_elements(s.filters) f where s.who = r.who and s.id = r.id and s.today) as today_items,
       (select coalesce(array_agg(distinct f->>'column'), '{}') from shaped s, jsonb_array_elements(s.filters) f where s.who = r.who and s.id = r.id and not s.today) as before_items
     from readers r`,
    { since, t: at, today, minBaseline: SHAPE.minBaseline },
  );
  const day = shanghaiDay(at);
  const out: Candidate[] = [];
  for (const r of rows as { who: 'grant' | 'account'; id: string; before: string; today: string; before_everything: string; today_everything: string; today_items: string[]; before_items: string[] }[]) {
    const usual = new Set(r.before_items);
    const newItems = r.today_items.filter((c) => c !== null && !usual.has(c)).sort();
    const [before, reads, beforeAll, todayAll] = [Number(r.before), Number(r.today), Number(r.before_everything), Number(r.today_everything)];
    const switched = todayAll >= SHAPE.minUnfiltered && todayAll / reads >= SHAPE.share && beforeAll / before < SHAPE.usualShare;
    if (!newItems.length && !switched) continue;
    const grant = r.who === 'grant' ? await knex('odx.grants').where({ id: Number(r.id) }).first('provider_department_id', 'consumer_department_id', 'resource_id') : null;
    out.push({
      kind: 'leak_watch',
      key: `leak_watch:shape:${r.who}:${r.id}:${day}`,
      departmentId: grant ? Number(grant.provider_department_id) : null,
      targetType: r.who,
      targetId: r.id,
      detail: {
        signal: 'shape',
        day,
        reads,
        ...(newItems.length ? { newFilterItems: newItems } : {}),
        ...(switched ? { everythingToday: todayAll, everythingShareBefore: Math.round((beforeAll / before) * 1000) / 1000 } : {}),
        ...(grant ? { consumer: grant.consumer_department_id === null ? null : Number(grant.consumer_department_id), resourceId: Number(grant.resource_id) } : {}),
      },
    });
  }
  return out;
}

export async function candidates(knex: Knex, at: Date, o: { graceDays: number; leak: LeakWatch }): Promise<Candidate[]> {
  return [...(await dueSoon(knex, at)), ...(await stale(knex, at, o.graceDays)), ...(await leaks(knex, at, o.leak)), ...(await shapes(knex, at))];
}
