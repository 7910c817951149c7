import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { licenceCsv, loadCsv, publishedResource } from '../helpers/census.ts';

/** A build manifest as Vite writes it (dist/.vite/manifest.json): the entry, two pages and a chunk they share. */
const MANIFEST = {
  'index.html': { file: 'assets/index-Ab12Cd34.js', isEntry: true, css: ['assets/index-Css00000.css'] },
  'src/features/search/SearchPage.tsx': { file: 'assets/SearchPage-Se12Ar34.js', isDynamicEntry: true, imports: ['index.html', '_Input-In12Pu34.js'] },
  'src/features/portal/HomePage.tsx': { file: 'assets/HomePage-Ho12Me34.js', isDynamicEntry: true, imports: ['index.html', '_Input-In12Pu34.js'] },
  '_Input-In12Pu34.js': { file: 'assets/Input-In12Pu34.js', imports: ['index.html'] },
};
const ENTRY_LINKS = '</assets/index-Ab12Cd34.js>; rel=modulepreload, </assets/index-Css00000.css>; rel=preload; as=style; crossorigin';

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
    await fs.mkdir(path.join(dir, '.vite'));
    await fs.writeFile(path.join(dir, '.vite', 'manifest.json'), JSON.stringify(MANIFEST));
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

  it('names the search page\'s chunks and its exact API call in a Link header, so the browser fetches them while the entry loads', async () => {
    // what SearchPage.tsx asks: q, department, the lists comma-joined without empty entries, the last cursor of the trail; empty parameters left out
    const res = await request(t.app).get('/search?pages=c1,c2&domain=transport,,health&q=%E5%85%AC%E4%BA%A4%20%E8%BD%A6&format=&updateCycle=monthly').expect(200);
    expect(res.text).to.equal(INDEX);
    expect(res.headers.link).to.equal(
      `${ENTRY_LINKS}, </api/v1/datasets?q=%E5%85%AC%E4%BA%A4+%E8%BD%A6&domain=transport%2Chealth&updateCycle=monthly&cursor=c2>; rel=preload; as=fetch; crossorigin, ` +
        '</assets/SearchPage-Se12Ar34.js>; rel=modulepreload, </assets/Input-In12Pu34.js>; rel=modulepreload',
    );
    expect((await request(t.app).get('/search').expect(200)).headers.link).to.include('</api/v1/datasets>; rel=preload; as=fetch; crossorigin');
    // the home page's two calls (useOpenSummary, and the domain counts' useDatasetSearch({ limit: 1 }))
    expect((await request(t.app).get('/').expect(200)).headers.link).to.equal(
      `${ENTRY_LINKS}, </api/v1/open/summary>; rel=preload; as=fetch; crossorigin, </api/v1/datasets?limit=1>; rel=preload; as=fetch; crossorigin, ` +
        '</assets/HomePage-Ho12Me34.js>; rel=modulepreload, </assets/Input-In12Pu34.js>; rel=modulepreload',
    );
  });

  it('sends no Link header for a path that is no portal page, nor for assets and the API; a crafted query cannot add a link', async () => {
    for (const p of ['/en/anything/deep', '/search/more', '/console/inbox', '/assets/index-Ab12Cd34.js', '/favicon.svg', '/api/v1/datasets', '/healthz']) {
      expect((await request(t.app).get(p)).headers.link, p).to.equal(undefined);
    }
    // a page without a first call of its own gets its chunks only (none in this build's manifest): nothing to say
    expect((await request(t.app).get('/departments').expect(200)).headers.link).to.equal(ENTRY_LINKS);
    const crafted = await request(t.app).get(`/search?q=${encodeURIComponent('x>; rel=preload; as=script, <https://evil.example/a.js')}`).expect(200);
    const links = (crafted.headers.link as string).split(', <');
    expect(links).to.have.length(5);
    expect(crafted.headers.link).not.to.include('evil.example/a.js>');
    expect(links[2]).to.equal('/api/v1/datasets?q=x%3E%3B+rel%3Dpreload%3B+as%3Dscript%2C+%3Chttps%3A%2F%2Fevil.example%2Fa.js>; rel=preload; as=fetch; crossorigin');
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
