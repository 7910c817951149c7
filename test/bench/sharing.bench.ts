/**
 * Sharing API vs open API on the same dataset and the same key lookups: what the grant checks
 * (grant resolution, item and row restrictions, rate, purpose) and the read audit cost, as
 * p50/p99 and requests/s under 32 connections, plus verification requests/s. Target: the
 * sharing API within 10% of the open API. Part of `npm run bench`.
 */
import request from 'supertest';
import { makeDepartment, makePrincipal } from '../helpers/app.ts';
import { freshDatabase } from '../helpers/db.ts';
import { systemOf } from '../helpers/sharing.ts';
import { registerDataset, serveApp } from './lib/dataset.ts';
import { hammer, type HammerResult } from './lib/hammer.ts';
import { fmt, report } from './lib/report.ts';

const ROWS = Number(process.env.BENCH_SHARING_ROWS ?? 200_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PURPOSE = encodeURIComponent('企业开办一网通办核验');

export async function sharingBench(): Promise<void> {
  const db = await freshDatabase();
  try {
    const { resource, table } = await registerDataset(db.knex, ROWS);
    const served = await serveApp(db);
    const consumer = await makeDepartment(db.knex, '滨海市行政审批局（基准）');
    const officer = await makePrincipal(db.knex, 'bench.officer', consumer.id, ['officer']);
    const registrar = await makePrincipal(db.knex, 'bench.registrar', consumer.id, ['registrar']);
    const system = await systemOf(db.knex, consumer);
    const cred = await request(served.app).post('/api/v1/consumer-credentials').set('Authorization', `Bearer ${officer.token}`).send({ systemId: system, login: 'bench.sys' }).expect(201);
    const auth = { Authorization: `Bearer ${cred.body.token.secret}` };
    const items = ['uscc', 'name', 'capital', 'founded', 'district', 'status'];
    for (const accessMode of ['query', 'verify']) {
      const r = await request(served.app)
        .post('/api/v1/share-requests')
        .set('Authorization', `Bearer ${registrar.token}`)
        .send({ resourceCode: resource.code, items, purpose: '企业开办一网通办时核验企业登记信息，免于提交纸质材料。', scenario: '企业开办', accessMode, period: { kind: 'long_term' }, expectedCallRate: 100_000, consumerSystem: system })
        .expect(201);
      if (r.body.state !== 'granted') throw new Error(`the ${accessMode} request is ${r.body.state}, not granted`);
    }
    const keys = (await db.knex(table).select('uscc').orderByRaw('random()').limit(5000)).map((r: { uscc: string }) => r.uscc);
    const code = encodeURIComponent(resource.code);
    const fields = items.join(',');
    // the open API called with a developer key, so both runs pay for authenticating a token: the difference is the grant
    const developer = await makePrincipal(db.knex, 'bench.developer', null, ['developer']);
    const openPaths = keys.map((k) => `/api/v1/datasets/${code}/rows?fields=${fields}&filter[uscc]=${k}`);
    const sharedPaths = keys.map((k) => `/api/v1/shared/${code}/rows?fields=${fields}&filter[uscc]=${k}&purpose=${PURPOSE}`);
    const developerAuth = { Authorization: `Bearer ${developer.token}` };
    // warm both paths (connections, caches, JIT), then alternate the measured runs so drift on a shared machine hits both alike
    await hammer({ base: served.base, paths: openPaths, headers: developerAuth, seconds: 2 });
    await hammer({ base: served.base, paths: sharedPaths, headers: auth, seconds: 2 });
    const runs = { open: [] as HammerResult[], shared: [] as HammerResult[] };
    for (let k = 0; k < 2; k++) {
      runs.open.push(await hammer({ base: served.base, paths: openPaths, headers: developerAuth, seconds: SECONDS / 2 }));
      runs.shared.push(await hammer({ base: served.base, paths: sharedPaths, headers: auth, seconds: SECONDS / 2 }));
    }
    const best = (rs: HammerResult[]) => rs.reduce((a, b) => (b.rps > a.rps ? b : a));
    const open = best(runs.open);
    const shared = best(runs.shared);
    for (const [name, r] of [['open API rows by key (developer key)', open], ['sharing API rows by key', shared]] as const) {
      report(`${name}, 32 connections (${r.tool})`, { 'p50 ms': r.p50.toFixed(2), 'p99 ms': r.p99.toFixed(2), 'req/s': fmt(r.rps), errors: runs.open.concat(runs.shared).reduce((n, x) => n + x.errors, 0) });
    }
    report('sharing vs open (same lookups, best of 2 each)', {
      'req/s ratio': (shared.rps / open.rps).toFixed(2),
      'p99 ratio': (shared.p99 / Math.max(open.p99, 0.001)).toFixed(2),
      target: '>= 0.9 req/s',
    });
    const verify = await hammer({
      base: served.base,
      paths: [`/api/v1/shared/${code}/verify`],
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      bodies: keys.map((k) => JSON.stringify({ match: { uscc: k }, purpose: '企业开办核验' })),
      seconds: SECONDS,
    });
    report(`verification, 32 connections (${verify.tool})`, { 'req/s': fmt(verify.rps), 'p50 ms': verify.p50.toFixed(2), 'p99 ms': verify.p99.toFixed(2), errors: verify.errors });
    await served.close();
  } finally {
    await db.drop();
  }
}
