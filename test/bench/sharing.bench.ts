/**
 * Sharing API vs open API on the same dataset and the same key lookups: what the grant checks
 * (grant resolution, item and row restrictions, rate, purpose) and the read audit cost, as
 * p50/p99 and requests/s under 32 connections, plus verification requests/s. Target: the
 * sharing API within 10% of the open API. Part of `npm run bench`.
 */
import autocannon from 'autocannon';
import request from 'supertest';
import { makeDepartment, makePrincipal } from '../helpers/app.ts';
import { freshDatabase } from '../helpers/db.ts';
import { systemOf } from '../helpers/sharing.ts';
import { registerDataset, serveApp } from './lib/dataset.ts';
import { fmt, report } from './lib/report.ts';

const ROWS = Number(process.env.BENCH_SHARING_ROWS ?? 200_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PURPOSE = encodeURIComponent('企业开办一网通办核验');

async function cannon(url: string, paths: string[], headers: Record<string, string>, body?: (i: number) => string) {
  let i = 0;
  return autocannon({
    url,
    connections: 32,
    duration: SECONDS,
    headers,
    ...(body ? { method: 'POST' as const } : {}),
    requests: [
      {
        setupRequest: (req) => {
          const k = i++;
          return { ...req, path: paths[k % paths.length], ...(body ? { body: body(k) } : {}) };
        },
      },
    ],
  });
}

export async function sharingBench(): Promise<void> {
  const db = await freshDatabase();
  try {
    const { resource, table } = await registerDataset(db.knex, ROWS);
    const served = await serveApp(db.knex);
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
    const open = await cannon(served.base, keys.map((k) => `/api/v1/datasets/${code}/rows?fields=${fields}&filter[uscc]=${k}`), { Authorization: `Bearer ${developer.token}` });
    const shared = await cannon(served.base, keys.map((k) => `/api/v1/shared/${code}/rows?fields=${fields}&filter[uscc]=${k}&purpose=${PURPOSE}`), auth);
    for (const [name, r] of [['open API rows by key (developer key)', open], ['sharing API rows by key', shared]] as const) {
      report(`${name}, 32 connections`, { 'p50 ms': r.latency.p50, 'p99 ms': r.latency.p99, 'req/s': fmt(r.requests.average), errors: r.errors + r.non2xx });
    }
    report('sharing vs open (same lookups)', {
      'req/s ratio': (shared.requests.average / open.requests.average).toFixed(2),
      'p99 ratio': (shared.latency.p99 / Math.max(open.latency.p99, 0.001)).toFixed(2),
      target: '>= 0.9 req/s',
    });
    const verify = await cannon(served.base, [`/api/v1/shared/${code}/verify`], { ...auth, 'content-type': 'application/json' }, (i) =>
      JSON.stringify({ match: { uscc: keys[i % keys.length] }, purpose: '企业开办核验' }),
    );
    report('verification, 32 connections', { 'req/s': fmt(verify.requests.average), 'p50 ms': verify.latency.p50, 'p99 ms': verify.latency.p99, errors: verify.errors + verify.non2xx });
    await served.close();
  } finally {
    await db.drop();
  }
}
