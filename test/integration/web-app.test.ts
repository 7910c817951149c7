import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { licenceCsv, loadCsv, publishedResource } from '../helpers/census.ts';

const INDEX = '<!doctype html><html lang="zh-CN"><head><script type="module" src="/assets/index-Ab12Cd34.js"></script></head><body><div id="root"></div></body></html>';

describe('the web app served beside the API', function () {
  this.timeout(60_000);
  let t: TestApp;
  let dir: string;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-web-'));
    await fs.mkdir(path.join(dir, 'assets'));
    await fs.writeFile(path.join(dir, 'index.html'), INDEX);
    await fs.writeFile(path.join(dir, 'assets', 'index-Ab12Cd34.js'), 'console.log("odx")\n');
    await fs.writeFile(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    t = await testApp({ env: { ODX_WEB_DIR: dir } });
  });
  after(async () => {
    await t.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('answers / and every client route with index.html, never cached, under the strict CSP', async () => {
    for (const p of ['/', '/search?q=%E5%85%AC%E4%BA%A4&domain=transport', '/datasets/203%2F000005', '/departments', '/en/anything/deep']) {
      const res = await request(t.app).get(p).expect(200);
      expect(res.type, p).to.equal('text/html');
      expect(res.text, p).to.equal(INDEX);
      expect(res.headers['cache-control'], p).to.equal('no-cache');
      const csp = res.headers['content-security-policy'] as string;
      const script = /script-src ([^;]*)/.exec(csp)![1];
      expect(script, p).to.equal("'self'");
      expect(csp, p).not.to.include('unsafe-eval');
    }
    const head = await request(t.app).head('/datasets/x').expect(200);
    expect(head.headers['content-type']).to.match(/^text\/html/);
  });

  it('serves hashed assets as immutable for a year, and 404 (not index.html) for an asset that is gone', async () => {
    const res = await request(t.app).get('/assets/index-Ab12Cd34.js').expect(200);
    expect(res.headers['content-type']).to.match(/javascript/);
    expect(res.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
    expect(res.text).to.equal('console.log("odx")\n');
    const gone = await request(t.app).get('/assets/index-Old00000.js').expect(404);
    expect(gone.text).not.to.include('<html');
    await request(t.app).get('/assets/../index.html').expect((r) => expect(r.text).to.not.equal('console.log("odx")\n'));
    const icon = await request(t.app).get('/favicon.svg').expect(200);
    expect(icon.headers['content-type']).to.match(/svg/);
  });

  it('leaves the API, its reference and the standards paths to the API', async () => {
    const nope = await request(t.app).get('/api/v1/nope').expect(404);
    expect(nope.body.error.code).to.equal('not_found');
    await request(t.app).get('/api/3/action/nope').expect((r) => expect(r.type).to.equal('application/json'));
    expect((await request(t.app).get('/healthz').expect(200)).body).to.deep.equal({ status: 'ok' });
    expect((await request(t.app).get('/openapi.json').expect(200)).body.openapi).to.match(/^3\.1/);
    expect((await request(t.app).get('/docs/api').expect(200)).text).not.to.equal(INDEX);
    expect((await request(t.app).get('/docs/nope').expect(404)).body.error.code).to.equal('not_found');
    expect((await request(t.app).get('/catalog.ttl').expect(200)).type).to.equal('text/turtle');
    // a write to a client path is not the app's: the API answers it
    expect((await request(t.app).post('/search').send({}).expect(404)).body.error.code).to.equal('not_found');
  });
});

describe('the server without a web app build', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => (t = await testApp({ env: { ODX_WEB_DIR: path.join(os.tmpdir(), 'odx-no-such-build') } })));
  after(() => t.close());

  it('starts and serves the API alone', async () => {
    expect((await request(t.app).get('/healthz').expect(200)).body.status).to.equal('ok');
    expect((await request(t.app).get('/').expect(404)).body.error.code).to.equal('not_found');
  });
});

describe('GET /api/v1/open/summary: the open catalogue in figures', function () {
  this.timeout(60_000);
  let t: TestApp;
  let used: Record<string, any>;
  let newest: Record<string, any>;

  before(async () => {
    t = await testApp();
    used = await publishedResource(t.knex, t.deptA.uscc, { name: '企业营业执照信息' });
    await loadCsv(t.knex, used.id, licenceCsv(1, 30));
    await publishedResource(t.knex, t.deptA.uscc, { name: '不开放的内部名录', openType: 'closed', items: [{ name: 'n', label: '名称', type: 'C', length: 20 }] });
    newest = await publishedResource(t.knex, t.deptB.uscc, { name: '公共停车场信息', domain: 'transport' });
    await loadCsv(t.knex, newest.id, licenceCsv(100, 12));
  });
  after(() => t.close());

  it('counts open datasets, their departments, rows and this month\'s downloads; lists newest and most used without data values', async () => {
    const enc = encodeURIComponent(used.code);
    await request(t.app).get(`/api/v1/datasets/${enc}/download?format=csv`).expect(200);
    await request(t.app).get(`/api/v1/datasets/${enc}/download?format=json`).expect(200);
    await request(t.app).get(`/api/v1/datasets/${enc}/rows?limit=5`).expect(200);
    await request(t.app).get(`/api/v1/datasets/${encodeURIComponent(newest.code)}/rows?limit=5`).expect(200);

    const res = await request(t.app).get('/api/v1/open/summary').expect(200);
    expect(res.headers['cache-control']).to.equal('public, max-age=60');
    const s = res.body;
    expect(s.datasets).to.equal(2);
    expect(s.departments).to.equal(2);
    expect(s.rows).to.equal(42);
    expect(s.downloadsThisMonth).to.equal(2);
    expect(s.newest.map((d: { name: string }) => d.name)).to.deep.equal(['公共停车场信息', '企业营业执照信息']);
    expect(s.newest[0]).to.include({ code: newest.code, domain: 'transport', rows: 12 });
    expect(s.newest[0].department.id).to.equal(t.deptB.id);
    expect(s.mostUsed.map((d: { code: string; uses: number }) => [d.code, d.uses])).to.deep.equal([[used.code, 3], [newest.code, 1]]);
    expect(JSON.stringify(s)).not.to.include('滨海市示例贸易有限公司');
    expect(JSON.stringify(s)).not.to.include('不开放的内部名录');
  });
});
