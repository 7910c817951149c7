/**
 * Every kind of error a person can meet answers in the language of Accept-Language: Chinese when
 * the header is absent or names neither language, English when it asks for English, and the same
 * machine-readable code (and problem paths) either way.
 */
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loadCsv, publishedResource } from '../helpers/census.ts';

const CJK = /[\u4e00-\u9fff]/;
const header = '统一社会信用代码,企业名称,法定代表人,注册资本（万元）,成立日期\n';
const uscc = (i: number) => withUsccCheck(`91350200MA${String(3000000 + i).padStart(7, '0')}`);

type Send = (lang: string | null) => request.Test;

/** The same request three times: no header, a language that is neither (French), English. */
async function inBothLanguages(send: Send, status: number) {
  const plain = (await send(null).expect(status)).body.error;
  const neither = (await send('fr-FR,fr;q=0.9').expect(status)).body.error;
  const enRes = await send('en-GB,en;q=0.9,zh;q=0.5').expect(status);
  const en = enRes.body.error;
  expect(plain.message, 'Chinese by default').to.match(CJK);
  expect(neither.message, 'Chinese when neither language is asked for').to.equal(plain.message);
  expect(en.message, 'English when asked for').not.to.match(CJK);
  expect(en.code).to.equal(plain.code);
  expect(enRes.headers['content-language']).to.equal('en');
  expect(enRes.headers.vary).to.match(/Accept-Language/i);
  return { zh: plain, en };
}

const withLang = (test: request.Test, lang: string | null) => (lang ? test.set('Accept-Language', lang) : test);

describe('errors in the caller’s language', function () {
  this.timeout(60_000);
  let t: TestApp;
  let resource: Record<string, any>;

  before(async () => {
    t = await testApp();
    resource = await publishedResource(t.knex, t.deptA.uscc);
    await loadCsv(t.knex, resource.id, `${header}${uscc(1)},滨海市第一贸易有限公司,张三,1.00,2020-01-02\n`);
  });
  after(() => t.close());

  it('401: no token for a route that needs one', async () => {
    const { zh, en } = await inBothLanguages((l) => withLang(request(t.app).get(`/api/v1/resources/${resource.id}/loads`), l), 401);
    expect(zh.code).to.equal('unauthorized');
    expect(en.message).to.equal('a valid bearer token is required');
    const bad = await inBothLanguages((l) => withLang(request(t.app).get(`/api/v1/resources/${resource.id}/loads`).set('Authorization', 'Bearer nope'), l), 401);
    expect(bad.zh.message).to.equal('令牌不存在、已过期或已被吊销');
  });

  it('403: a role that may not call the route', async () => {
    const { zh, en } = await inBothLanguages((l) => withLang(request(t.app).post('/api/v1/departments').set(t.auth('registrar')).send({}), l), 403);
    expect(zh.code).to.equal('forbidden');
    expect(zh.message).to.contain('无权调用');
    expect(en.message).to.contain('may not call');
  });

  it('400: a query that does not fit the route’s schema (zod’s issues in both languages)', async () => {
    const { zh, en } = await inBothLanguages((l) => withLang(request(t.app).get('/api/v1/datasets').query({ limit: 'many' }), l), 400);
    expect(zh.code).to.equal('bad_request');
    expect(zh.message).to.equal('查询参数无效');
    expect(en.message).to.equal('invalid query');
    expect(zh.details.map((d: { path: string }) => d.path)).to.deep.equal(en.details.map((d: { path: string }) => d.path));
    expect(zh.details[0]).to.include({ in: 'query', path: '/limit' });
    expect(zh.details[0].message).to.match(CJK);
    expect(en.details[0].message).not.to.match(CJK);
    expect(zh.details[0]).not.to.have.property('messageZh');
  });

  it('400: a body that does not fit the route’s schema', async () => {
    const { zh, en } = await inBothLanguages((l) => withLang(request(t.app).post('/api/v1/developer/accounts').send({ email: 42 }), l), 400);
    expect(zh.message).to.equal('请求体无效');
    expect(en.message).to.equal('invalid body');
    expect(zh.details.length).to.be.greaterThan(0);
    expect(zh.details.map((d: { path: string }) => d.path)).to.deep.equal(en.details.map((d: { path: string }) => d.path));
    expect(zh.details.every((d: { message: string }) => CJK.test(d.message))).to.equal(true);
  });

  it('404: a dataset that does not exist', async () => {
    const { zh, en } = await inBothLanguages((l) => withLang(request(t.app).get('/api/v1/datasets/no-such-dataset'), l), 404);
    expect(zh.code).to.equal('not_found');
    expect(zh.message).to.equal('未找到开放数据集 no-such-dataset');
    expect(en.message).to.equal('open dataset no-such-dataset not found');
  });

  it('400: a row query with an unknown column and an ill-typed value', async () => {
    const rows = (l: string | null) =>
      withLang(request(t.app).get(`/api/v1/datasets/${encodeURIComponent(resource.code)}/rows`).query({ 'filter[nope]': '1', 'filter[capital][gt]': 'lots' }), l);
    const { zh, en } = await inBothLanguages(rows, 400);
    expect(zh.message).to.equal('行查询无效');
    expect(en.message).to.equal('invalid row query');
    expect(zh.details.map((d: { path: string }) => d.path)).to.deep.equal(['/filter/nope', '/filter/capital/gt']);
    expect(zh.details[0].message).to.contain('未知的列 nope');
    expect(en.details[0].message).to.contain('unknown column nope');
    expect(zh.details[1].message).to.contain('不是小数');
  });

  it('409: a state that does not allow the step', async () => {
    const empty = await publishedResource(t.knex, t.deptA.uscc, { name: '尚未装载的资源' });
    const append = (l: string | null) =>
      withLang(request(t.app).post(`/api/v1/resources/${empty.id}/loads`).query({ mode: 'append' }).set(t.auth('registrar')).set('Content-Type', 'text/csv').send(header), l);
    const { zh, en } = await inBothLanguages(append, 409);
    expect(zh.code).to.equal('state_conflict');
    expect(zh.message).to.contain('首次装载须用');
    expect(en.message).to.contain('the first load must be');
  });

  it('a failed load: its error and its rejects in both languages', async () => {
    const upload = await request(t.app)
      .post(`/api/v1/resources/${resource.id}/loads`)
      .query({ fileName: 'bad.csv', maxErrors: 0 })
      .set(t.auth('registrar'))
      .set('Content-Type', 'text/csv')
      .send(`${header}${uscc(2)},滨海市第二贸易有限公司,李四,很多,2020-01-02\n`)
      .expect(202);
    await t.services.loads.wait(upload.body.id);
    const load = (l: string | null) => withLang(request(t.app).get(`/api/v1/resources/${resource.id}/loads/${upload.body.id}`).set(t.auth('registrar')), l);
    const zh = (await load(null).expect(200)).body;
    const en = (await load('en').expect(200)).body;
    expect(zh.state).to.equal('failed');
    expect(zh.error.code).to.equal(en.error.code);
    expect(zh.error.message).to.match(CJK);
    expect(en.error.message).not.to.match(CJK);
    const csv = await request(t.app).get(`/api/v1/resources/${resource.id}/loads/${upload.body.id}/rejects.csv`).set(t.auth('registrar')).expect(200);
    const [reject] = parse(csv.text.replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(reject.value).to.equal('很多');
    expect(reject.message).to.contain('is not a number');
    expect(reject.message_zh).to.contain('第 1 条记录的“注册资本（万元）”值的类型不符');
  });

  it('429: the anonymous rate limit', async () => {
    // the limiter reads its limits from the configuration on every request
    t.services.config.rateLimitAnonymous = 1;
    try {
      const from = '203.0.113.7';
      await request(t.app).get('/api/v1/datasets').set('X-Forwarded-For', from).expect(200);
      const zh = (await request(t.app).get('/api/v1/datasets').set('X-Forwarded-For', from).expect(429)).body.error;
      const en = (await request(t.app).get('/api/v1/datasets').set('X-Forwarded-For', from).set('Accept-Language', 'en').expect(429)).body.error;
      expect(zh.code).to.equal('rate_limited');
      expect(en.code).to.equal('rate_limited');
      expect(zh.message).to.match(/^超出调用频率限制/);
      expect(en.message).to.match(/^rate limit exceeded/);
      expect(zh.details).to.deep.equal(en.details);
    } finally {
      t.services.config.rateLimitAnonymous = 0;
    }
  });
});
