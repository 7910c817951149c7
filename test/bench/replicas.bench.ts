/**
 * `npm run bench:replicas` (also part of `npm run bench`) — read replicas on this machine, with a
 * real streaming standby made by the low-level backup API (test/helpers/standby.ts):
 *   - rows by key (32 connections) served by the primary alone vs by the primary + one standby:
 *     the ratio. Primary, standby, ODX and the load generator share this machine's cores, so on a
 *     small machine it shows the overhead of a replica read (one snapshot transaction instead of a
 *     pipelined prepared statement), not the gain a replica on its own host brings.
 *   - the standby's lag (as ODX measures it: how long ago the primary was at a WAL position the
 *     standby has not replayed) during a load of BENCH_LAG_ROWS rows (default 1,000,000).
 * PostgreSQL's default durability on both. Not part of the tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKnex } from '../../server/src/db/connect.ts';
import { migrateLatest } from '../../server/src/db/migrate.ts';
import { lsnOf, Replicas } from '../../server/src/db/replicas.ts';
import { createLogger } from '../../server/src/http/observability.ts';
import { executeLoad, loadCreator } from '../../server/src/loads/service.ts';
import { TEST_ACTOR } from '../helpers/app.ts';
import { makeStandby, sqlRows, startPrimary } from '../helpers/standby.ts';
import { hammer, type HammerResult } from './lib/hammer.ts';
import { registerDataset, serveApp } from './lib/dataset.ts';
import { writeRegisterCsv } from './lib/register.ts';
import { fmt, report } from './lib/report.ts';

const KEY_ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const LAG_ROWS = Number(process.env.BENCH_LAG_ROWS ?? 1_000_000);
const DURABLE = { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on' };

export async function replicasBench(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'odx-bench-replicas-'));
  fs.chmodSync(dir, 0o755);
  const primary = await startPrimary(dir, 'odx', DURABLE);
  const roles = await primary.primary.roleUrls(primary.url);
  const owner = createKnex(roles.owner, { min: 0, max: 1 });
  await migrateLatest(owner).finally(() => owner.destroy());
  const knex = createKnex(roles.app, { min: 0, max: 10 });
  const superuser = createKnex(primary.url, { min: 0, max: 1 });
  let pair: Awaited<ReturnType<typeof makeStandby>> | undefined;
  try {
    const { resource, table } = await registerDataset(knex, KEY_ROWS, {}, superuser);
    pair = await makeStandby(dir, primary, 'odx', DURABLE);
    const alone = await serveApp({ knex, url: roles.app });
    const withReplica = await serveApp({ knex, url: roles.app }, { env: { ODX_REPLICA_URLS: pair.onStandby(roles.app) } });
    const replicas = withReplica.services.replicas;
    for (let i = 0; i < 100 && replicas.status()[0].state !== 'ok'; i++) await new Promise((r) => setTimeout(r, 100));

    const codes = (await knex(table).select('uscc').orderByRaw('random()').limit(5000)).map((r: { uscc: string }) => r.uscc);
    const paths = codes.map((c: string) => `/api/v1/datasets/${encodeURIComponent(resource.code)}/rows?filter[uscc]=${c}`);
    await hammer({ base: alone.base, paths, seconds: 3 });
    await hammer({ base: withReplica.base, paths, seconds: 3 });
    // taking turns, so both meet the same phases of a shared machine; the median run by req/s
    const runs: Record<'alone' | 'replica', HammerResult[]> = { alone: [], replica: [] };
    const seconds = Number(process.env.BENCH_SECONDS ?? 6);
    const servedBefore = replicas.status()[0].reads;
    for (let k = 0; k < 3; k++) {
      runs.alone.push(await hammer({ base: alone.base, paths, seconds }));
      runs.replica.push(await hammer({ base: withReplica.base, paths, seconds }));
    }
    const served = replicas.status()[0].reads - servedBefore;
    const median = (rs: HammerResult[]) => [...rs].sort((a, b) => a.rps - b.rps)[1];
    const [a, r] = [median(runs.alone), median(runs.replica)];
    const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
    report(`rows by key, primary alone (${a.tool}, 32 conn, median of 3)`, { 'req/s': fmt(a.rps), 'p50 ms': a.p50.toFixed(2), 'p99 ms': a.p99.toFixed(2), errors: a.errors });
    report('rows by key, primary + standby (reads on the standby)', { 'req/s': fmt(r.rps), 'p50 ms': r.p50.toFixed(2), 'p99 ms': r.p99.toFixed(2), errors: r.errors, 'served by standby': served, 'fallbacks': replicas.fallbacks });
    report('ratio: primary + standby / primary alone', { 'req/s ratio': (r.rps / a.rps).toFixed(2), cores: os.cpus().length, 'load average': load });
    await alone.close();
    await withReplica.close();

    // the standby's lag while the primary loads LAG_ROWS rows
    const csv = path.join(os.tmpdir(), `odx-bench-register-${LAG_ROWS}.csv`);
    if (!fs.existsSync(csv)) await writeRegisterCsv(csv, LAG_ROWS);
    const watch = new Replicas(knex, undefined as never, null, [pair.onStandby(roles.app)], { maxLagSeconds: 5, checkMs: 200, pool: 1, streamPool: 1, prepared: 1 }, createLogger('silent'));
    const lags: number[] = [];
    const bytes: number[] = [];
    let loading = true;
    const sampler = (async () => {
      while (loading) {
        await watch.check();
        const s = watch.status()[0];
        if (s.lagSeconds !== null) lags.push(s.lagSeconds);
        const [p] = await sqlRows(primary.url, 'select pg_current_wal_lsn()::text as lsn');
        if (s.replayLsn) bytes.push(Number(lsnOf(p.lsn) - lsnOf(s.replayLsn)));
        await new Promise((res) => setTimeout(res, 200));
      }
    })();
    const loadId = await loadCreator(knex, { actor: TEST_ACTOR }, resource.id, { mode: 'replace', maxErrors: 0, encoding: 'auto', fileName: 'register.csv' });
    const t0 = Date.now();
    const outcome = await executeLoad(knex, { actor: TEST_ACTOR }, loadId, csv, { retention: 3 });
    const loadSeconds = (Date.now() - t0) / 1000;
    // until the standby has replayed the whole load
    const [end] = await sqlRows(primary.url, 'select pg_current_wal_lsn()::text as lsn');
    const t1 = Date.now();
    for (;;) {
      const [s] = await sqlRows(pair.standbyUrl, 'select pg_last_wal_replay_lsn()::text as lsn');
      if (lsnOf(s.lsn) >= lsnOf(end.lsn)) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const catchUp = (Date.now() - t1) / 1000;
    loading = false;
    await sampler;
    await watch.stop();
    if (!outcome.ok) throw new Error(`load failed: ${JSON.stringify(outcome.error)}`);
    const sorted = [...lags].sort((x, y) => x - y);
    report(`standby lag during a ${fmt(LAG_ROWS)}-row load`, {
      'load s': loadSeconds.toFixed(1),
      'rows/s': fmt(LAG_ROWS / loadSeconds),
      'lag p50 s': (sorted[Math.floor(sorted.length / 2)] ?? 0).toFixed(2),
      'lag max s': (sorted[sorted.length - 1] ?? 0).toFixed(2),
      'max behind MB': (Math.max(0, ...bytes) / 2 ** 20).toFixed(1),
      'caught up s after load': catchUp.toFixed(2),
      'load average': os.loadavg().map((x) => x.toFixed(1)).join(' '),
    });
  } finally {
    await knex.destroy();
    await superuser.destroy();
    await (pair ? pair.stop() : primary.primary.stop('fast'));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`ODX read-replica benchmark — ${os.cpus().length} cores, node ${process.version}, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  await replicasBench();
}
