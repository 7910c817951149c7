/**
 * Governance at city scale: one month's indicator snapshot over 100 departments, 10,000
 * resources, 50,000 share requests and BENCH_GOV_EVENTS audit events (10,000,000 by default),
 * then the dashboard's reads from snapshots (the year's trend, the evaluation) as p50/p99 under
 * 8 connections. Goals: the snapshot under 60 s with flat memory, the dashboard p99 under 50 ms.
 * The history is written straight into the tables with generate_series (as a superuser: the
 * chain is not what is measured), so setup is minutes, not hours. Part of `npm run bench`;
 * alone: `node --import tsx test/bench/governance.bench.ts`.
 */
import { makePrincipal } from '../helpers/app.ts';
import { currentCluster, startCluster } from '../helpers/cluster.ts';
import { freshDatabase } from '../helpers/db.ts';
import { snapshotMonth } from '../../server/src/governance/snapshots.ts';
import { serveApp } from './lib/dataset.ts';
import { hammer } from './lib/hammer.ts';
import { fmt, report } from './lib/report.ts';

const DEPARTMENTS = 100;
const RESOURCES = 10_000;
const REQUESTS = 50_000;
const EVENTS = Number(process.env.BENCH_GOV_EVENTS ?? 10_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const MONTH = '2026-10';

/** The month's history, in SQL: everything falls in October 2026 (Shanghai), grants' reads in the 90 days before its end. */
const SETUP = `
  insert into odx.departments (name, uscc, region_code, kind, created_at)
    select '基准局' || g, 'BENCH' || lpad(g::text, 13, '0'), '350200', 'bureau', '2026-01-01' from generate_series(1, ${DEPARTMENTS}) g;
  create unlogged table bench_d as select id, row_number() over (order by id) as n from odx.departments where uscc like 'BENCH%';
  create index on bench_d (n);

  insert into odx.systems (department_id, name, doc) select d.id, '系统' || g, '{"name":"系统"}' from bench_d d, generate_series(1, 10) g;
  insert into odx.census_history (kind, doc_id, version, action, status, doc, actor, at)
    select 'system', s.id, 1, 'create', 'active', s.doc, 'bench', '2026-02-01' from odx.systems s;

  insert into odx.resources (department_id, status, doc, published_doc, published_version, published_at, code, name, category, share_type, open_type, domain, format_type, update_cycle, search)
    select d.id, 'published', x.doc, x.doc, 1, '2026-03-01', 'B/' || lpad(g::text, 6, '0'), '资源' || g, (select min(code) from odx.classifications where parent_code is not null),
      'unconditional', x.doc->>'openType', 'market', 'database', x.doc->>'updateCycle', ''::tsvector
    from generate_series(1, ${RESOURCES}) g
    join bench_d d on d.n = 1 + g % ${DEPARTMENTS}
    cross join lateral (select jsonb_build_object('name', '资源' || g, 'sourceSystem', null, 'openType', case when g % 3 = 0 then 'open' else 'closed' end,
      'updateCycle', (array['daily', 'weekly', 'monthly', 'quarterly', 'yearly'])[1 + g % 5], 'domain', 'market', 'format', jsonb_build_object('type', 'database'),
      'items', (select jsonb_agg(jsonb_build_object('name', 'f' || i, 'label', '项' || i, 'type', 'C')) from generate_series(1, 8) i)) as doc) x;
  insert into odx.census_history (kind, doc_id, version, action, status, doc, actor, at)
    select 'resource', r.id, 1, 'create', 'draft', r.doc, 'bench', timestamptz '2026-02-15' from odx.resources r
    union all select 'resource', r.id, 1, 'publish', 'published', null, 'bench', timestamptz '2026-03-01' from odx.resources r;

  -- two loads a resource in the month, one version each; a tenth of the loads with rejects
  insert into odx.loads (resource_id, state, mode, options, rows_read, rows_loaded, rejected, actor, host, pid, created_at, started_at, finished_at)
    select r.id, 'succeeded', 'replace', '{}', 1000 + r.id % 500, 1000 + r.id % 500 - (case when k = 1 and r.id % 10 = 0 then 20 else 0 end),
      case when k = 1 and r.id % 10 = 0 then 20 else 0 end, 'bench', 'bench', 1, t, t, t
    from odx.resources r, generate_series(1, 2) k, lateral (select timestamptz '2026-10-01 02:00+08' + ((r.id * 7 + k * 13) % 29) * interval '1 day' as t) x;
  insert into odx.load_rejects (load_id, n, record, rule, message)
    select l.id, n, n, (array['required', 'duplicate-key', 'type'])[1 + n % 3], 'bench' from odx.loads l, generate_series(1, 20) n where l.rejected > 0;
  insert into odx.resource_versions (resource_id, version, table_name, items, rows, profile, load_id, created_at)
    select l.resource_id, row_number() over (partition by l.resource_id order by l.id), 'bench', '[]', l.rows_loaded, '{}', l.id, l.finished_at from odx.loads l;

  -- share requests between random departments: a third granted at once, the rest through the provider, some refused
  create unlogged table bench_rr as select id, department_id, code, row_number() over (order by id) as n from odx.resources;
  create index on bench_rr (n);
  insert into odx.share_requests (consumer_department_id, provider_department_id, resource_id, resource_code, doc, share_type, access_mode, data_on_platform, state, stage_started_at, submitted_at, reason)
    select c.id, r.department_id, r.id, r.code, '{}', 'unconditional', 'query', true, case when g % 7 = 0 then 'refused' else 'granted' end, t, t, case when g % 7 = 0 then '不符合' end
    from generate_series(1, ${Math.round(REQUESTS * 1.1)}) g
    join bench_rr r on r.n = 1 + (g * 7919) % ${RESOURCES}
    join bench_d c on c.n = 1 + (g * 31 + 1) % ${DEPARTMENTS}
    cross join lateral (select timestamptz '2026-10-01 01:00+08' + (g % 30) * interval '1 day' + (g % 600) * interval '1 minute' as t) x
    where c.id <> r.department_id
    order by g limit ${REQUESTS};
  insert into odx.share_request_steps (request_id, step, from_state, to_state, at, actor, automatic, late)
    select q.id, 'check', 'submitted', case when q.id % 3 = 0 then 'granted' else 'provider_review' end, q.submitted_at + interval '1 second', 'bench', true, false from odx.share_requests q
    union all
    select q.id, case when q.state = 'refused' then 'refuse' else 'approve' end, 'provider_review', q.state, q.submitted_at + (q.id % 9) * interval '1 day', 'bench', false, q.id % 9 > 6
    from odx.share_requests q where q.id % 3 <> 0;
  insert into odx.grants (request_id, consumer_department_id, provider_department_id, resource_id, mode, items, rate_limit, starts_at, decided_by, created_at)
    select distinct on (q.consumer_department_id, q.resource_id) q.id, q.consumer_department_id, q.provider_department_id, q.resource_id, 'query', '{f1}', 60, q.submitted_at, 'provider', q.submitted_at
    from odx.share_requests q where q.state = 'granted' order by q.consumer_department_id, q.resource_id, q.id;
  create unlogged table bench_gg as select id, resource_id, provider_department_id, row_number() over (order by id) as n from odx.grants;
  create unlogged table bench_ro as select id, department_id, row_number() over (order by id) as n from odx.resources where open_type = 'open';
  create index on bench_gg (n);
  create index on bench_ro (n);
`;

/** Audit events: 60% shared reads under a grant, the rest reads and downloads of open datasets, spread over the 90 days to the month's end. */
function eventsSql(from: number, to: number, grants: number, open: number): string {
  return `
  with g as (select array_agg(id order by n) as id, array_agg(resource_id order by n) as res, array_agg(provider_department_id order by n) as dept from bench_gg),
       o as (select array_agg(id order by n) as id, array_agg(department_id order by n) as dept from bench_ro)
  insert into odx.audit_events (seq, at, actor, actor_id, department_id, action, target_type, target_id, purpose, detail, rows, prev_hash, hash)
    select k, timestamptz '2026-08-03 00:00+08' + (k % 7776000) * interval '1 second', 'bench', null,
      case when shared then g.dept[1 + (k * 7) % ${grants}] else o.dept[1 + (k * 13) % ${open}] end,
      case when shared then 'shared.rows' when k % 10 < 9 then 'dataset.rows' else 'dataset.download' end,
      'resource', (case when shared then g.res[1 + (k * 7) % ${grants}] else o.id[1 + (k * 13) % ${open}] end)::text, null,
      case when shared then jsonb_build_object('grant', g.id[1 + (k * 7) % ${grants}]) else '{}'::jsonb end, 1, '\\x00', '\\x00'
    from g, o, generate_series(${from}, ${to}) k, lateral (select k % 10 < 6 as shared) x;`;
}

export async function governanceBench(): Promise<void> {
  const db = await freshDatabase();
  try {
    const t0 = Date.now();
    await db.superuser.raw(SETUP);
    const grants = Number((await db.superuser.raw('select count(*) from bench_gg')).rows[0].count);
    const open = Number((await db.superuser.raw('select count(*) from bench_ro')).rows[0].count);
    const tEvents = Date.now();
    for (let from = 1; from <= EVENTS; from += 1_000_000) {
      // a million at a time: one statement per million keeps each transaction's WAL and memory bounded
      await db.superuser.raw(eventsSql(from, Math.min(EVENTS, from + 999_999), grants, open));
    }
    await db.superuser.raw(`drop table bench_d, bench_rr, bench_gg, bench_ro; analyze`);
    const counts = (await db.knex.raw(`select (select count(*) from odx.departments) as departments, (select count(*) from odx.resources) as resources,
      (select count(*) from odx.share_requests) as requests, (select count(*) from odx.grants) as grants, (select count(*) from odx.audit_events) as events`)).rows[0];
    report('setup: governance history', {
      departments: counts.departments, resources: fmt(Number(counts.resources)), requests: fmt(Number(counts.requests)), grants: fmt(Number(counts.grants)),
      events: fmt(Number(counts.events)), 'setup s': ((Date.now() - t0) / 1000).toFixed(0), 'events s': ((Date.now() - tEvents) / 1000).toFixed(0),
    });

    // the month's snapshot, with the heap and RSS sampled while it runs
    global.gc?.();
    const base = process.memoryUsage();
    let peakHeap = base.heapUsed;
    let peakRss = base.rss;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed);
      peakRss = Math.max(peakRss, m.rss);
    }, 50);
    const s0 = Date.now();
    const snapshot = await snapshotMonth(db.knex, MONTH, 3);
    const seconds = (Date.now() - s0) / 1000;
    clearInterval(sampler);
    const bytes = Number((await db.knex.raw(`select sum(octet_length(indicators::text) + octet_length(lists::text)) as b from odx.indicator_snapshots`)).rows[0].b);
    report(`snapshot of ${MONTH} (${DEPARTMENTS} departments + city)`, {
      s: seconds.toFixed(1),
      'heap +MiB peak': ((peakHeap - base.heapUsed) / 2 ** 20).toFixed(0),
      'rss +MiB peak': ((peakRss - base.rss) / 2 ** 20).toFixed(0),
      'stored MiB': (bytes / 2 ** 20).toFixed(1),
      'city grants in force': fmt(snapshot.city!.sharing.grantsInForce),
      goal: '< 60 s',
    });

    // a year of snapshots: the month's copied back eleven months, as the dashboard reads them
    await db.superuser.raw(`insert into odx.indicator_snapshots (month, department_id, indicators, lists)
      select (date '${MONTH}-01' - k * interval '1 month')::date, department_id, indicators, lists from odx.indicator_snapshots, generate_series(1, 11) k`);
    const served = await serveApp(db);
    const dept = (await db.knex('odx.departments').where('uscc', 'like', 'BENCH%').orderBy('id').first('id')).id;
    const authority = await makePrincipal(db.knex, 'bench.authority', dept, ['authority']);
    // as a browser asks: gzip accepted (the trend is kept gzipped)
    const headers = { Authorization: `Bearer ${authority.token}`, 'Accept-Encoding': 'gzip' };
    // the first read after a snapshot: PostgreSQL writes the answer (later reads are kept answers, checked against the snapshots' version)
    const c0 = performance.now();
    const first = await fetch(`${served.base}/api/v1/indicators/trend?from=2025-11&to=${MONTH}`, { headers });
    const firstBytes = (await first.arrayBuffer()).byteLength;
    const sent = Number(first.headers.get('content-length') ?? 0);
    report('dashboard: every department’s year of trend, first read after a snapshot', { ms: (performance.now() - c0).toFixed(0), 'MiB JSON': (firstBytes / 2 ** 20).toFixed(2), 'MiB gzip sent': (sent / 2 ** 20).toFixed(2) });
    const runs = [
      ['dashboard: the city’s year of trend', [`/api/v1/indicators/trend?from=2025-11&to=${MONTH}&department=${dept}`]],
      ['dashboard: the evaluation of a month (100 departments)', [`/api/v1/evaluations?month=${MONTH}`]],
      ['dashboard: every department’s year of trend', [`/api/v1/indicators/trend?from=2025-11&to=${MONTH}`]],
    ] as const;
    for (const [name, paths] of runs) {
      await hammer({ base: served.base, paths: [...paths], headers, connections: 8, seconds: 2 });
      const r = await hammer({ base: served.base, paths: [...paths], headers, connections: 8, seconds: SECONDS });
      report(`${name}, 8 connections (${r.tool})`, { 'p50 ms': r.p50.toFixed(1), 'p99 ms': r.p99.toFixed(1), 'req/s': fmt(r.rps), errors: r.errors, goal: 'p99 < 50 ms' });
    }
    await served.close();
  } finally {
    await db.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startCluster({ durable: true });
  try {
    await governanceBench();
  } finally {
    await currentCluster().stop();
  }
}
