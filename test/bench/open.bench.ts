/**
 * `npm run bench:open` — the open data API against the physical limit of this machine, on a
 * 1,000,000-row dataset loaded through the real loader:
 *   - CSV download rows/s vs raw `COPY (SELECT ...) TO STDOUT (FORMAT csv)` of the same rows (target >= 0.8)
 *   - NDJSON, JSON and Arrow download rows/s vs the same COPY (target >= 0.5)
 *   - row query with an indexed filter under 32 concurrent connections: p50/p99, requests/s, errors
 *     (target p99 < 20 ms), page 1 vs page 10,000, and the cost of auditing a read
 *   - peak RSS of the process during a full download
 * Embedded PostgreSQL with default durability unless DATABASE_URL is set. Not part of the tests.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import autocannon from 'autocannon';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { createApp } from '../../server/src/app.ts';
import { HeadSigner } from '../../server/src/audit/signing.ts';
import { loadConfig } from '../../server/src/config.ts';
import { auditRead } from '../../server/src/data/reads.ts';
import { parseRowQuery } from '../../server/src/data/query.ts';
import { dataView } from '../../server/src/data/view.ts';
import { createLogger } from '../../server/src/http/observability.ts';
import { encodeCursor } from '../../server/src/lib/cursor.ts';
import { executeLoad, loadCreator } from '../../server/src/loads/service.ts';
import { makeDepartment, TEST_ACTOR } from '../helpers/app.ts';
import { publishedResource } from '../helpers/census.ts';
import { currentCluster, startCluster } from '../helpers/cluster.ts';
import { freshDatabase } from '../helpers/db.ts';
import { fmt, report } from './lib/report.ts';
import { registerItems, writeRegisterCsv } from './lib/register.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);

function sink(counter: { bytes: number }) {
  return new Writable({
    write(chunk: Buffer, _e, cb) {
      counter.bytes += chunk.length;
      cb();
    },
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const v = await fn();
  return [v, Number(process.hrtime.bigint() - t0) / 1e9];
}

function get(url: string, counter: { bytes: number }, onChunk?: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      res.on('data', (c: Buffer) => {
        counter.bytes += c.length;
        onChunk?.();
      });
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    }).on('error', reject);
  });
}

export async function openBench(): Promise<void> {
  const db = await freshDatabase();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'odx-bench-open-'));
  const csv = path.join(os.tmpdir(), `odx-open-bench-${ROWS}.csv`);
  try {
    if (!fs.existsSync(csv)) await writeRegisterCsv(csv, ROWS);
    const dept = await makeDepartment(db.knex, '滨海市市场监督管理局（基准）');
    // the catalogue schema gives money a scale only as N (数值型)
    const items = registerItems.map((i) => ({ ...i, ...(i.type === 'Y' ? { type: 'N' } : {}), ...(i.name === 'phone' ? { sensitivity: 'personal', mask: 'mobile' } : {}) }));
    const resource = await publishedResource(db.knex, dept.uscc, { name: '市场主体登记信息', items, domain: 'market' });
    const loadId = await loadCreator(db.knex, { actor: TEST_ACTOR }, resource.id, { mode: 'replace', maxErrors: 0, encoding: 'auto', fileName: 'register.csv' });
    const [outcome, loadSecs] = await timed(() => executeLoad(db.knex, { actor: TEST_ACTOR }, loadId, csv, { retention: 3 }));
    if (!outcome.ok) throw new Error(`load failed: ${JSON.stringify(outcome.error)}`);
    report('setup: load of the dataset', { rows: fmt(outcome.result!.rows), 'rows/s': fmt(outcome.result!.rows / loadSecs) });
    await db.knex.raw(`analyze ${`data.r${resource.id}_v${outcome.version}`}`);

    const config = loadConfig({ ODX_HOME: home, ODX_LOG_LEVEL: 'silent', ODX_RATE_LIMIT_ANONYMOUS: '0', ODX_RATE_LIMIT_KEY: '0' } as NodeJS.ProcessEnv);
    const { app, services } = createApp({ knex: db.knex, config, log: createLogger('silent'), signer: await HeadSigner.load(home) });
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/datasets/${encodeURIComponent(resource.code)}`;
    const table = `data.r${resource.id}_v${outcome.version}`;
    const columns = registerItems.map((i) => `"${i.name}"`).join(', ');

    // the physical limit: COPY of the same rows straight out of PostgreSQL
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const copyRun = async () => {
      const c = { bytes: 0 };
      const [, secs] = await timed(() => pipeline(client.query(copyStreams.to(`copy (select ${columns} from ${table}) to stdout with (format csv, header true)`)), sink(c)));
      return ROWS / secs;
    };
    await copyRun(); // warm the cache
    const limit = Math.max(await copyRun(), await copyRun());
    await client.end();

    const rssBase = process.memoryUsage().rss;
    for (const format of ['csv', 'ndjson', 'json', 'arrow']) {
      let peak = process.memoryUsage().rss;
      const c = { bytes: 0 };
      const [status, secs] = await timed(() => get(`${base}/download?format=${format}`, c, () => (peak = Math.max(peak, process.memoryUsage().rss))));
      if (status !== 200) throw new Error(`${format} download answered ${status}`);
      const target = format === 'csv' ? 0.8 : 0.5;
      report(`download ${format} (${ROWS.toLocaleString('en-US')} rows, ${Math.round(c.bytes / 2 ** 20)} MB)`, {
        'rows/s': fmt(ROWS / secs),
        'raw COPY rows/s': fmt(limit),
        ratio: (ROWS / secs / limit).toFixed(2),
        target,
        'peak RSS': `${Math.round(peak / 2 ** 20)} MB (+${Math.round((peak - rssBase) / 2 ** 20)})`,
      });
    }

    // row queries by the key (an indexed filter), 32 connections
    const codes = (await db.knex(table).select('uscc').orderByRaw('random()').limit(5000)).map((r: { uscc: string }) => r.uscc);
    let i = 0;
    const cannon = await autocannon({
      url: base,
      connections: 32,
      duration: Number(process.env.BENCH_SECONDS ?? 10),
      requests: [{ setupRequest: (req) => ({ ...req, path: `${new URL(base).pathname}/rows?filter[uscc]=${codes[i++ % codes.length]}` }) }],
    });
    report('rows by key, 32 connections', {
      'p50 ms': cannon.latency.p50,
      'p99 ms': cannon.latency.p99,
      'req/s': fmt(cannon.requests.average),
      errors: cannon.errors + cannon.non2xx,
      'target p99 ms': 20,
    });

    // page 1 vs page 10,000 of 100 rows in key order
    const deep = (await db.knex(table).select('uscc').orderBy('uscc').offset(100 * 9999 - 1).limit(1))[0]?.uscc;
    const sample = async (url: string) => {
      const times: number[] = [];
      for (let k = 0; k < 200; k++) {
        const [, s] = await timed(() => get(url, { bytes: 0 }));
        times.push(s * 1000);
      }
      times.sort((a, b) => a - b);
      return { p50: times[100].toFixed(2), p99: times[197].toFixed(2) };
    };
    const first = await sample(`${base}/rows?limit=100`);
    const tenThousandth = deep ? await sample(`${base}/rows?limit=100&cursor=${encodeCursor([deep])}`) : { p50: 'n/a', p99: 'n/a' };
    report('rows page 1 vs page 10,000 (limit 100)', { 'page 1 p50/p99 ms': `${first.p50}/${first.p99}`, 'page 10,000 p50/p99 ms': `${tenThousandth.p50}/${tenThousandth.p99}` });

    // what auditing a read costs: one event insert, 32 at a time
    const view = (await dataView(db.knex, config, resource.id, { kind: 'open' }))!;
    const query = parseRowQuery({ 'filter': { uscc: codes[0] } }, view);
    const n = 3200;
    const [, auditSecs] = await timed(async () => {
      let k = 0;
      await Promise.all(Array.from({ length: 32 }, async () => {
        while (k++ < n) await auditRead(db.knex, { actor: { kind: 'anonymous', label: 'anonymous' } }, { action: 'dataset.rows', resource: resource as { id: number; department_id: number; code: string }, view, query, rows: 1 });
      }));
    });
    report('read audit event, 32 concurrent', { 'events/s': fmt(n / auditSecs), 'ms per read (amortised)': ((auditSecs * 1000) / n).toFixed(3) });

    server.close();
    await services.streams.end();
  } finally {
    await db.drop();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`ODX open data benchmark — ${os.cpus().length} cores, node ${process.version}, ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PostgreSQL'}`);
  await startCluster({ durable: true });
  try {
    await openBench();
  } finally {
    await currentCluster().stop();
  }
}
