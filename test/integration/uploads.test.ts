/**
 * Uploads: files left by a killed load are removed when the server starts; a declared size over
 * ODX_UPLOAD_LIMIT_BYTES is refused with 413 before the body is read, a streamed one when it
 * crosses the limit; a file without rows replaces a resource that has rows only when asked to.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import request from '../helpers/request-en.ts';
import { createApp, closeServices, type App } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createLogger } from '../../server/src/http/observability.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { failLoad, loadCreator } from '../../server/src/loads/service.ts';
import { startServer } from '../../server/src/server.ts';
import { TEST_ACTOR, testApp, type TestApp } from '../helpers/app.ts';
import { publishedResource } from '../helpers/census.ts';
import { odx } from '../helpers/cli.ts';

const uscc = (i: number) => withUsccCheck(`91350200MA${String(1000000 + i).padStart(7, '0')}`);
const header = '统一社会信用代码,企业名称,法定代表人,注册资本（万元）,成立日期\n';
const row = (i: number) => `${uscc(i)},滨海市示例贸易有限公司${i},张三${i},${(i * 10.5).toFixed(2)},2020-01-02\n`;

/** A raw request, so the declared Content-Length can differ from what is sent. */
function rawPost(port: number, urlPath: string, headers: Record<string, string>, body: Buffer, end = true): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: urlPath, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        resolve({ status: res.statusCode!, body: text });
        req.destroy();
      });
    });
    req.on('error', reject);
    req.write(body);
    if (end) req.end();
  });
}

describe('uploads: stale files, the size limit, empty replaces', function () {
  this.timeout(120_000);
  let t: TestApp;
  let resource: Record<string, any>;
  const uploads = () => path.join(t.home, 'uploads');
  const loadUrl = () => `/api/v1/resources/${encodeURIComponent(resource.code)}/loads`;

  async function upload(body: string, query: Record<string, string> = {}) {
    const res = await request(t.app).post(loadUrl()).query(query).set(t.auth('registrar')).set('Content-Type', 'text/csv').send(body).expect(202);
    await t.services.loads.wait(res.body.id);
    return (await request(t.app).get(`/api/v1/resources/${resource.id}/loads/${res.body.id}`).set(t.auth('registrar')).expect(200)).body;
  }

  before(async () => {
    t = await testApp();
    resource = await publishedResource(t.knex, t.deptA.uscc);
  });
  after(() => t.close());

  it('the server removes at start the uploads no load will read, and keeps those of queued loads', async () => {
    await fs.mkdir(uploads(), { recursive: true });
    const queued = await loadCreator(t.knex, { actor: TEST_ACTOR }, resource.id, { mode: 'replace', maxErrors: 0 });
    const failed = await loadCreator(t.knex, { actor: TEST_ACTOR }, resource.id, { mode: 'replace', maxErrors: 0 });
    await failLoad(t.knex, { actor: TEST_ACTOR }, failed, { code: 'interrupted', message: 'killed' });
    for (const name of [`load-${queued}`, `load-${failed}`, 'load-999999999', 'leftover.tmp']) await fs.writeFile(path.join(uploads(), name), 'x'.repeat(1000));
    const config = loadConfig({ ODX_HOME: t.home, DATABASE_URL: t.db.url, ODX_PORT: '0', ODX_HOST: '127.0.0.1', ODX_LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
    const running = await startServer(config);
    try {
      expect((await fs.readdir(uploads())).sort()).to.deep.equal([`load-${queued}`]);
    } finally {
      await running.stop();
      await failLoad(t.knex, { actor: TEST_ACTOR }, queued, { code: 'test', message: 'done' });
      await fs.rm(path.join(uploads(), `load-${queued}`), { force: true });
    }
  });

  describe('the upload limit (ODX_UPLOAD_LIMIT_BYTES)', () => {
    let small: App;
    let server: http.Server;
    let port: number;
    const count = async () => Number((await t.knex('odx.loads').where({ resource_id: resource.id }).count<{ n: string }[]>('* as n'))[0].n);

    before(async () => {
      const config = loadConfig({ ODX_HOME: t.home, ODX_LOG_LEVEL: 'silent', ODX_UPLOAD_LIMIT_BYTES: '2000', ODX_RATE_LIMIT_ANONYMOUS: '0', ODX_RATE_LIMIT_KEY: '0' } as NodeJS.ProcessEnv);
      small = createApp({ knex: t.knex, config, log: createLogger('silent'), signer: t.services.signer });
      server = small.server().listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      port = (server.address() as AddressInfo).port;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await closeServices(small.services);
    });

    it('a declared Content-Length over the limit: 413 at once, the body unread, no load registered', async () => {
      const before = await count();
      const started = Date.now();
      // declares 10 GB, sends 100 bytes and waits: only an answer that does not read the body comes back
      const res = await rawPost(port, loadUrl(), { ...t.auth('registrar'), 'Content-Type': 'text/csv', 'Content-Length': String(10 * 2 ** 30), 'Accept-Language': 'en' }, Buffer.alloc(100, 0x41), false);
      expect(res.status).to.equal(413);
      expect(Date.now() - started).to.be.lessThan(5000);
      expect(JSON.parse(res.body).error.message).to.match(/larger than 2000 bytes \(ODX_UPLOAD_LIMIT_BYTES\)/);
      expect(await count()).to.equal(before);
      const declared = await rawPost(port, loadUrl(), { ...t.auth('registrar'), 'Content-Type': 'text/csv', 'Content-Length': '2001' }, Buffer.alloc(2001, 0x41));
      expect(declared.status).to.equal(413);
      expect(await count()).to.equal(before);
    });

    it('a streamed body crossing the limit: 413, the load failed, its file removed', async () => {
      const before = await count();
      const res = await rawPost(port, loadUrl(), { ...t.auth('registrar'), 'Content-Type': 'text/csv', 'Transfer-Encoding': 'chunked' }, Buffer.from(header + Array.from({ length: 40 }, (_, i) => row(i)).join('')));
      expect(res.status).to.equal(413);
      const load = await t.knex('odx.loads').where({ resource_id: resource.id }).orderBy('id', 'desc').first();
      expect(await count()).to.equal(before + 1);
      expect(load.state).to.equal('failed');
      expect(load.error.code).to.equal('upload');
      expect(await fs.readdir(uploads()).catch(() => [])).to.not.include(`load-${load.id}`);
      const ok = await rawPost(port, loadUrl(), { ...t.auth('registrar'), 'Content-Type': 'text/csv' }, Buffer.from(header + row(1)));
      expect(ok.status).to.equal(202);
      await small.services.loads.wait(JSON.parse(ok.body).id);
    });
  });

  it('a header-only file does not empty a resource with rows unless allowEmpty=true', async () => {
    const loaded = await upload(header + row(1) + row(2));
    expect(loaded.state).to.equal('succeeded');
    const current = (await t.knex('odx.resources').where({ id: resource.id }).first('current_version')).current_version;
    const refused = await upload(header);
    expect(refused.state).to.equal('failed');
    expect(refused.error.code).to.equal('empty');
    expect(refused.error.message).to.match(/no rows and would empty a resource that has 2/);
    expect(await t.knex('odx.resources').where({ id: resource.id }).first('current_version', 'data_rows')).to.deep.equal({ current_version: current, data_rows: 2 });
    await request(t.app).post(loadUrl()).query({ allowEmpty: 'maybe' }).set(t.auth('registrar')).set('Content-Type', 'text/csv').send(header).expect(400);
    const emptied = await upload(header, { allowEmpty: 'true' });
    expect(emptied).to.include({ state: 'succeeded', rowsLoaded: 0 });
    expect((await t.knex('odx.resources').where({ id: resource.id }).first('data_rows')).data_rows).to.equal(0);
    // an empty resource takes an empty file without asking
    expect((await upload(header)).state).to.equal('succeeded');
  });

  it('odx load: a header-only file over rows exits 2 naming --allow-empty; with it, 0', async () => {
    await upload(header + row(3));
    const file = path.join(t.home, 'header-only.csv');
    await fs.writeFile(file, header);
    const env = { DATABASE_URL: t.db.url, ODX_HOME: t.home };
    const refused = await odx(['load', resource.code, file], env);
    expect(refused.code, refused.stderr).to.equal(2);
    expect(refused.stderr).to.match(/--allow-empty/);
    const allowed = await odx(['load', resource.code, file, '--allow-empty'], env);
    expect(allowed.code, allowed.stderr).to.equal(0);
    expect((await t.knex('odx.resources').where({ id: resource.id }).first('data_rows')).data_rows).to.equal(0);
  });
});
