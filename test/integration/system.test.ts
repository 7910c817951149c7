import { expect } from 'chai';
import request from '../helpers/request-en.ts';
import pino from 'pino';
import { closeServices, createApp } from '../../server/src/app.ts';
import { testApp, type TestApp } from '../helpers/app.ts';

describe('service basics', () => {
  let t: TestApp;
  before(async () => (t = await testApp()));
  after(() => t.close());

  it('answers liveness and readiness', async () => {
    await request(t.app).get('/healthz').expect(200, { status: 'ok' });
    const ready = await request(t.app).get('/readyz').expect(200);
    expect(ready.body).to.include({ status: 'ready', database: 'ok' });
  });

  it('gives every response a request id, taking a sane one from the caller', async () => {
    const res = await request(t.app).get('/healthz').set('X-Request-Id', 'trace-123');
    expect(res.headers['x-request-id']).to.equal('trace-123');
    const other = await request(t.app).get('/healthz').set('X-Request-Id', 'bad id with spaces');
    expect(other.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
  });

  it('logs one structured line per request with its request id, status and time', async () => {
    const lines: Record<string, any>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const { app, services } = createApp({ ...t.services, log });
    try {
      await request(app).get('/healthz').set('X-Request-Id', 'trace-log-1').expect(200);
      await request(app).get('/nope').set('X-Request-Id', 'trace-log-2').expect(404);
    } finally {
      await closeServices(services);
    }
    const ok = lines.find((l) => l.req?.id === 'trace-log-1');
    expect(ok).to.deep.include({ level: 30, msg: 'request completed', req: { id: 'trace-log-1', method: 'GET', url: '/healthz' }, res: { statusCode: 200 } });
    expect(ok!.responseTime).to.be.a('number');
    expect(lines.find((l) => l.req?.id === 'trace-log-2')).to.deep.include({ level: 40, res: { statusCode: 404 } });
  });

  it('answers unknown paths with the uniform error shape', async () => {
    const res = await request(t.app).get('/nope').expect(404);
    expect(res.body.error).to.include({ code: 'not_found' });
    expect(res.body.error.requestId).to.equal(res.headers['x-request-id']);
  });

  it('routes as Express did: HEAD by the GET route, a trailing slash ignored, path parameters percent-decoded, bad encoding 400', async () => {
    // through the server odx serve listens with, whose requests are born with the helpers
    const server = t.server().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const head = await request(server).head('/healthz').expect(200);
      expect(head.text ?? '').to.equal('');
      await request(server).get('/healthz/').expect(200, { status: 'ok' });
      const coded = await request(server).get('/api/v1/datasets/%E6%97%A0%2F00001').expect(404);
      expect(coded.body.error.message).to.include('无/00001');
      const bad = await request(server).get('/api/v1/datasets/%E6%97').expect(400);
      expect(bad.body.error.message).to.include('%E6%97');
      await request(server).post('/healthz').expect(404);
      const rows = await request(server).get('/api/v1/datasets/none/rows?filter[uscc][eq]=1&limit=5').expect(404);
      expect(rows.headers['x-content-type-options']).to.equal('nosniff');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('rejects malformed JSON with 400 and oversized bodies with 413, changing nothing', async () => {
    const before = await t.knex('odx.departments').count<{ count: number }[]>('* as count');
    const bad = await request(t.app).post('/api/v1/departments').set(t.auth('admin')).set('content-type', 'application/json').send('{"name":');
    expect(bad.status).to.equal(400);
    expect(bad.body.error.message).to.match(/not valid JSON/);
    const big = await request(t.app).post('/api/v1/departments').set(t.auth('admin')).send({ name: 'x'.repeat(2_000_000) });
    expect(big.status).to.equal(413);
    expect(big.body.error.code).to.equal('payload_too_large');
    const after = await t.knex('odx.departments').count<{ count: number }[]>('* as count');
    expect(after).to.deep.equal(before);
  });

  it('names every invalid field with its JSON path', async () => {
    const res = await request(t.app)
      .post('/api/v1/departments')
      .set(t.auth('admin'))
      .send({ name: '滨海市测试局', uscc: '91350100M000100Y44', regionCode: '990000', kind: 'bureau' })
      .expect(400);
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).to.have.members(['/uscc', '/regionCode']);
    // in the reader's language (English here): the Chinese wording goes to a Chinese reader (test/integration/admin-accounts.test.ts)
    expect(res.body.error.details[0].message).to.match(/unified social credit code|administrative division code/);
  });

  it('sets protective headers', async () => {
    const res = await request(t.app).get('/healthz');
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['content-security-policy']).to.contain("default-src 'self'").and.contain("object-src 'none'");
    expect(res.headers['strict-transport-security']).to.match(/max-age=\d+/);
    expect(res.headers['x-frame-options']).to.equal('SAMEORIGIN');
    expect(res.headers['referrer-policy']).to.equal('no-referrer');
    expect(res.headers).not.to.have.property('x-powered-by');
  });

  it('exposes Prometheus metrics including request durations by route', async () => {
    await request(t.app).get('/healthz');
    const res = await request(t.app).get('/metrics').expect(200);
    expect(res.text).to.match(/odx_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(res.text).to.contain('odx_process_cpu_user_seconds_total');
  });

  it('publishes an OpenAPI 3.1 document covering every route, with who may call it', async () => {
    const res = await request(t.app).get('/openapi.json').expect(200);
    expect(res.body.openapi).to.equal('3.1.0');
    for (const r of t.routes) {
      const op = res.body.paths[r.path.replace(/:(\w+)/g, '{$1}')]?.[r.method];
      expect(op, `${r.method} ${r.path}`).to.be.an('object');
      expect(op.description).to.match(/^Who may call: /);
    }
    const page = await request(t.app).get('/docs/api').expect(200);
    expect(page.text).to.contain('/api/v1/departments').and.contain('Who may call');
  });
});
