/**
 * Bad bytes and impossible values are 400s that name the problem — never a 500 or a dropped
 * socket: a NUL byte in a path segment, a query string, a CKAN call or a JSON body; a number a
 * column cannot hold; a cursor someone edited. A database out of reach is a 503 with Retry-After.
 */
import net from 'node:net';
import { expect } from 'chai';
import request from '../helpers/request-en.ts';
import { closeServices, createApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createKnex } from '../../server/src/db/connect.ts';
import { createLogger } from '../../server/src/http/observability.ts';
import { encodeCursor } from '../../server/src/lib/cursor.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loadCsv, publishedResource, systemDoc } from '../helpers/census.ts';

const ITEMS = [
  { name: 'code', label: '编号', type: 'C', length: 10, required: true, key: true },
  { name: 'title', label: '名称', type: 'C', length: 100 },
  { name: 'amount', label: '金额', type: 'N', length: 18, scale: 2 },
  { name: 'staff', label: '人数', type: 'I', length: 9 },
  { name: 'day', label: '日期', type: 'D' },
];

describe('bad bytes and impossible values answer 400, an unreachable database 503', function () {
  this.timeout(60_000);
  let t: TestApp;
  let code: string;
  const path = (suffix: string) => `/api/v1/datasets/${encodeURIComponent(code)}/${suffix}`;

  before(async () => {
    t = await testApp();
    const r = await publishedResource(t.knex, t.deptA.uscc, { name: '坏字节', items: ITEMS });
    code = r.code;
    await loadCsv(t.knex, r.id, '编号,名称,金额,人数,日期\na,甲,1.50,3,2024-01-02\nb,乙,2.00,4,2024-02-03\nc,丙,3.00,5,2024-03-04\n');
  });
  after(() => t.close());

  it('%00 in a path segment, a row filter, the audit search and CKAN parameters', async () => {
    const seg = await request(t.app).get('/api/v1/datasets/a%00b/rows').expect(400);
    expect(seg.body.error.message).to.match(/NUL byte/);
    const filter = await request(t.app).get(`${path('rows')}?filter[title]=%00`).expect(400);
    expect(filter.body.error.message).to.match(/NUL byte/);
    await request(t.app).get(`${path('download')}?filter[title][contains]=x%00`).expect(400);
    await request(t.app).get('/api/v1/audit?actor=%00').set(t.auth('admin')).expect(400);
    const ckanGet = await request(t.app).get('/api/3/action/package_search?fq=tags:%00').expect(400);
    expect(JSON.stringify(ckanGet.body)).to.match(/NUL byte/);
    await request(t.app).post('/api/3/action/package_search').send({ fq: 'tags:\u0000' }).expect(400);
    await request(t.app).post('/api/3/action/datastore_search').send({ resource_id: code, filters: { title: 'a\u0000' } }).expect(400);
    // the text \u0000 (an escaped backslash) is no NUL
    await request(t.app).post('/api/3/action/package_search').send({ q: '\\u0000' }).expect(200);
  });

  it('a NUL in a document field is a 400 and stores nothing', async () => {
    const before = await t.knex('odx.systems').count<{ n: string }[]>('* as n');
    const res = await request(t.app).post('/api/v1/systems').set(t.auth('registrar')).send(systemDoc(t.deptA.uscc, { name: '系统\u0000名称' })).expect(400);
    expect(res.body.error.message).to.match(/NUL byte/);
    expect(await t.knex('odx.systems').count<{ n: string }[]>('* as n')).to.deep.equal(before);
  });

  it('a number the column cannot hold: 400 on rows and on downloads (not an empty reply)', async () => {
    const big = '9'.repeat(85);
    const rows = await request(t.app).get(path('rows')).query({ 'filter[amount][gt]': big }).expect(400);
    expect(rows.body.error.details[0].message).to.match(/amount: .* has more than 16 digits before the decimal point/);
    for (const format of ['csv', 'ndjson', 'json', 'arrow', 'xlsx']) {
      const dl = await request(t.app).get(path('download')).query({ format, 'filter[amount][gt]': big }).expect(400);
      expect(dl.headers['content-disposition'], format).to.equal(undefined);
      expect(dl.body.error.code, format).to.equal('bad_request');
    }
    await request(t.app).get(path('rows')).query({ 'filter[staff][gt]': '99999999999' }).expect(400);
    await request(t.app).get(path('rows')).query({ 'filter[amount][gt]': '9999999999999999.99' }).expect(200);
  });

  it('a tampered cursor on a date sort is a 400, an untouched one pages on', async () => {
    const first = await request(t.app).get(path('rows')).query({ sort: 'day', limit: 1 }).expect(200);
    const key = JSON.parse(Buffer.from(first.body.next, 'base64url').toString('utf8')) as string[];
    expect(key[0]).to.equal('2024-01-02');
    const second = await request(t.app).get(path('rows')).query({ sort: 'day', limit: 1, cursor: first.body.next }).expect(200);
    expect(second.body.items[0].code).to.equal('b');
    for (const bad of ['2024-13-45', 'yesterday', '99999-01-01', '2024-01-02; drop']) {
      const res = await request(t.app).get(path('rows')).query({ sort: 'day', limit: 1, cursor: encodeCursor([bad, ...key.slice(1)]) }).expect(400);
      expect(res.body.error.details[0].path, bad).to.equal('/cursor');
    }
    await request(t.app).get(path('rows')).query({ sort: 'day', limit: 1, cursor: encodeCursor([key[0], '(1,2,3)']) }).expect(400);
    await request(t.app).get('/api/v1/audit').query({ cursor: '1' + '0'.repeat(30) }).set(t.auth('admin')).expect(400);
  });

  it('PostgreSQL out of reach: data requests answer 503 with Retry-After', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const knex = createKnex(`postgres://postgres@127.0.0.1:${port}/odx`, { min: 0, max: 2 });
    const config = loadConfig({ ODX_HOME: t.home, ODX_LOG_LEVEL: 'silent', ODX_RATE_LIMIT_ANONYMOUS: '0', ODX_RATE_LIMIT_KEY: '0', ODX_RATE_LIMIT_SIGNUP: '0' } as NodeJS.ProcessEnv);
    const down = createApp({ knex, config, log: createLogger('silent'), signer: t.services.signer });
    try {
      for (const url of [path('rows'), path('download'), '/api/v1/datasets', '/api/v1/resources']) {
        const res = await request(down.app).get(url).set(t.auth('admin')).expect(503);
        expect(res.headers['retry-after'], url).to.equal('5');
        expect(res.body.error.code, url).to.equal('unavailable');
      }
      const ckan = await request(down.app).get('/api/3/action/package_search').expect(503);
      expect(ckan.headers['retry-after']).to.equal('5');
    } finally {
      await closeServices(down.services);
      await knex.destroy();
    }
  });
});
