import type { Knex } from 'knex';
import { previousMonth } from '../governance/period.ts';
import { loadSettings } from '../governance/settings.ts';
import { snapshotMonth } from '../governance/snapshots.ts';

/**
 * A year of history for the demo's trends (docs/indicators.md, "The demo's year"). The demo city is
 * seeded in one go through the audited commands, so everything in it happened "now". The
 * indicators read each record's own dates — census history, loads and data versions, share
 * requests' steps and grants — so the year before is constructed there, once, right after seeding:
 *
 * - the departments existed a year and a month ago; each census document's history moves back
 *   1–12 months (by its id), so the city registered its census over the year;
 * - each resource with data gets a load in every month since its publication (a few months
 *   skipped, so timeliness varies), each with its data version — numbered below 1 and marked
 *   dropped, only its dates and size remain — and a few rejected rows;
 * - answered share requests move back 0–2 months with their steps and grants (those still
 *   waiting stay where their deadlines are), and each past month has three more like the demo's
 *   granted one: granted at once, granted by the provider in time (or late), or refused — their
 *   grants revoked within the month after, so none of them is in force today.
 *
 * The audit chain is not touched: its events stay where and when they were appended, and no read
 * or download is invented for the past (open-data use starts with the demo). Then the twelve
 * months' snapshots are computed as `odx indicators snapshot --month` computes them.
 */
export async function seedHistory(knex: Knex, homeDir: string, at: Date): Promise<string[]> {
  await knex.transaction(async (trx) => {
    await trx.raw(`update odx.departments set created_at = created_at - interval '13 months'`);
    await trx.raw(`update odx.principals set created_at = created_at - make_interval(months => 1 + (id % 6)::int) where 'developer' = any(roles)`);
    await trx.raw(`update odx.census_history set at = at - make_interval(months => 1 + ((doc_id * 7) % 12)::int) where kind in ('system', 'resource', 'demand')`);
    // the current versions came with the seed; the past year's loads came before them
    await trx.raw(`
      with months as (
        select v.resource_id, v.table_name, v.items, v.rows as now_rows, k,
          date_trunc('month', (cast(:at as timestamptz) at time zone 'Asia/Shanghai') - make_interval(months => k::int)) as month_start
        from odx.resource_versions v
        join lateral (select min(h.at) as published from odx.census_history h where h.kind = 'resource' and h.doc_id = v.resource_id and h.action = 'publish') p on p.published is not null
        cross join generate_series(1, 12) k
        where v.version = 1
          and date_trunc('month', (cast(:at as timestamptz) at time zone 'Asia/Shanghai') - make_interval(months => k::int)) >= date_trunc('month', p.published at time zone 'Asia/Shanghai')
          and (v.resource_id + k) % 5 <> 0
      ), loads as (
        insert into odx.loads (resource_id, state, mode, options, rows_read, rows_loaded, rejected, actor, host, pid, created_at, started_at, finished_at, heartbeat_at)
        select m.resource_id, 'succeeded', 'replace', jsonb_build_object('demoHistory', m.k), r.rows_read, r.rows_read - r.rejected, r.rejected, 'system:demo', 'demo', 0, t.at, t.at, t.at, t.at
        from months m
        cross join lateral (select (m.month_start + make_interval(days => (2 + (m.resource_id * 3 + m.k) % 20)::int, hours => 10)) at time zone 'Asia/Shanghai' as at) t
        cross join lateral (select greatest(1, m.now_rows - m.k * greatest(1, m.now_rows / 40)) as rows_read, case when (m.resource_id + m.k) % 3 = 0 then 1 + (m.resource_id + m.k) % 4 else 0 end as rejected) r
        returning id, resource_id, rows_loaded, rejected, finished_at, (options->>'demoHistory')::int as k
      ), rejects as (
        insert into odx.load_rejects (load_id, n, record, rule, message)
        select l.id, n, n + 1, (array['required', 'duplicate-key', 'type'])[1 + n % 3], '演示历史数据中的不合格行' from loads l, generate_series(1, l.rejected::int) n
      )
      insert into odx.resource_versions (resource_id, version, table_name, items, rows, profile, load_id, created_at, dropped_at)
      select l.resource_id, 1 - l.k, m.table_name || '_h' || l.k, m.items, l.rows_loaded, '{}', l.id, l.finished_at, l.finished_at + interval '1 month'
      from loads l join months m on m.resource_id = l.resource_id and m.k = l.k`, { at });
    // answered requests, their steps and grants a month or two earlier; a grant with an end keeps enough of its period
    await trx.raw(
      `create temporary table demo_shift on commit drop as
        select q.id, q.grant_id, make_interval(months => (q.id % 3)::int) as back from odx.share_requests q
        left join odx.grants g on g.id = q.grant_id
        where q.state in ('granted', 'refused', 'denied', 'rejected', 'withdrawn') and (g.ends_at is null or g.ends_at - make_interval(months => (q.id % 3)::int) > :at)`,
      { at },
    );
    await trx.raw(`update odx.share_requests q set submitted_at = q.submitted_at - s.back, stage_started_at = q.stage_started_at - s.back, checked_at = q.checked_at - s.back from demo_shift s where s.id = q.id`);
    await trx.raw(`update odx.share_request_steps t set at = t.at - s.back from demo_shift s where s.id = t.request_id`);
    await trx.raw(`update odx.grants g set created_at = g.created_at - s.back, starts_at = g.starts_at - s.back, ends_at = g.ends_at - s.back, status_at = g.status_at - s.back from demo_shift s where s.grant_id = g.id`);
  });
  await pastRequests(knex, at);
  const { graceDays } = loadSettings(homeDir);
  const months: string[] = [];
  for (let k = 12, m = previousMonth(at); k >= 1; k--) {
    months.unshift(m);
    m = previousMonth(new Date(Date.parse(`${m}-15T00:00:00Z`)));
  }
  for (const m of months) await snapshotMonth(knex, m, graceDays);
  return months;
}

const DAY = 86_400_000;

/** Three requests a month for the past year, copied from the demo's request granted at once. */
async function pastRequests(knex: Knex, at: Date): Promise<void> {
  const template = await knex('odx.share_requests').where({ state: 'granted' }).orderBy('id').first();
  if (!template) return;
  const grantOf = await knex('odx.grants').where({ id: template.grant_id }).first();
  const { id: _id, grant_id: _g, ...request } = template;
  await knex.transaction(async (trx) => {
    for (let k = 1; k <= 12; k++) {
      for (let j = 1; j <= 3; j++) {
        // 10:00 in Shanghai on a weekday-ish spread of days in month k before this one
        const month = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - k, 3 + j * 7, 2));
        const refused = j === 3 && k % 3 === 0;
        const answered = new Date(month.getTime() + (j === 1 ? 1000 : j === 2 ? 2 * DAY : 12 * DAY));
        const [q] = await trx('odx.share_requests')
          .insert({
            ...request, doc: JSON.stringify(request.doc), state: refused ? 'refused' : 'granted', reason: refused ? '申请用途与所需信息项不相符' : null,
            due_at: null, stage_started_at: answered, submitted_at: month, checked_at: month, created_at: month, updated_at: answered,
          })
          .returning('id');
        const steps = j === 1
          ? [{ step: 'check', from_state: 'submitted', to_state: 'granted', at: answered, automatic: true }]
          : [
              { step: 'check', from_state: 'submitted', to_state: 'provider_review', at: new Date(month.getTime() + 1000), automatic: true },
              { step: refused ? 'refuse' : 'approve', from_state: 'provider_review', to_state: refused ? 'refused' : 'granted', at: answered, automatic: false, late: j === 3 },
            ];
        await trx('odx.share_request_steps').insert(steps.map((s) => ({ request_id: q.id, actor: 'system:demo', ...s })));
        if (refused || !grantOf) continue;
        const { id: _gid, request_id: _r, ...grant } = grantOf;
        const [g] = await trx('odx.grants')
          .insert({ ...grant, row_filter: JSON.stringify(grant.row_filter), request_id: q.id, starts_at: answered, ends_at: null, created_at: answered, status: 'revoked', status_at: new Date(answered.getTime() + 25 * DAY) })
          .returning('id');
        await trx('odx.share_requests').where({ id: q.id }).update({ grant_id: g.id });
      }
    }
  });
}
