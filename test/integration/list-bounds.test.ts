/**
 * Every list parameter has a bound, duplicates are dropped before counting, and a request over
 * the bound answers 400 naming the parameter and the bound — never 500, never thousands of
 * queries. Log lines stay a few KB whatever the request carried.
 */
import { Writable } from 'node:stream';
import { expect } from 'chai';
import request from '../helpers/request-en.ts';
import { createLogger } from '../../server/src/http/observability.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loadCsv, publishedResource } from '../helpers/census.ts';

describe('bounded list parameters', function () {
  this.timeout(120_000);
  let t: TestApp;
  let code: string;
  const ckan = (action: string, body: unknown) => request(t.app).post(`/api/3/action/${action}`).send(body as object);

  before(async () => {
    t = await testApp();
    const r = await publishedResource(t.knex, t.deptA.uscc, { name: '边界测试', tags: ['甲'], items: [{ name: 'code', label: '编号', type: 'C', length: 10, key: true, required: true }, { name: 'n', label: '数', type: 'I' }] });
    code = r.code;
    await loadCsv(t.knex, r.id, '编号,数\na,1\nb,2\nc,3\n');
  });
  after(() => t.close());

  it('CKAN package_search: facet.field beyond 20 distinct is a 400 naming it; duplicates count once', async () => {
    const started = Date.now();
    const many = await ckan('package_search', { 'facet.field': Array.from({ length: 20_000 }, (_, i) => `f${i}`) }).expect(400);
    expect(Date.now() - started).to.be.lessThan(5000);
    expect(many.body.success).to.equal(false);
    expect(many.body.error.message).to.match(/^facet\.field: at most 20 distinct values/);
    const dup = await ckan('package_search', { 'facet.field': Array.from({ length: 5000 }, () => 'tags') }).expect(200);
    expect(Object.keys(dup.body.result.facets)).to.deep.equal(['tags']);
    expect(dup.body.result.facets.tags).to.deep.equal({ 甲: 1 });
  });

  it('CKAN package_search: 130,000 fq clauses, 101 fq_list entries and 51 q terms are 400s', async () => {
    const fq = await ckan('package_search', { fq: Array.from({ length: 130_000 }, () => 'a:1').join(' ') }).expect(400);
    expect(fq.body.error.message).to.match(/^fq: .*at most 100/);
    const fqList = await ckan('package_search', { fq_list: Array.from({ length: 101 }, (_, i) => `tags:t${i}`) }).expect(400);
    expect(fqList.body.error.message).to.match(/^fq_list: at most 100 distinct values/);
    await ckan('package_search', { fq_list: Array.from({ length: 500 }, () => 'tags:甲') }).expect(200);
    const q = await ckan('package_search', { q: Array.from({ length: 51 }, (_, i) => `词${i}`).join(' ') }).expect(400);
    expect(q.body.error.message).to.match(/^q: at most 50 search terms/);
    const found = await ckan('package_search', { q: '边界', fq: 'tags:甲' }).expect(200);
    expect(found.body.result.count).to.equal(1);
  });

  it('CKAN organization_list: more than 1,000 distinct organizations is a 400', async () => {
    const res = await ckan('organization_list', { organizations: Array.from({ length: 1001 }, (_, i) => `o${i}`) }).expect(400);
    expect(res.body.error.message).to.match(/^organizations: at most 1000 distinct values/);
    const one = await ckan('organization_list', { organizations: Array.from({ length: 2000 }, () => t.deptA.uscc) }).expect(200);
    expect(one.body.result).to.deep.equal([t.deptA.uscc.toLowerCase()]);
  });

  it('row queries: fields, sort and in have bounds; a repeated column counts once', async () => {
    const rows = (q: Record<string, string>) => request(t.app).get(`/api/v1/datasets/${encodeURIComponent(code)}/rows`).query(q);
    const sort = await rows({ sort: Array.from({ length: 11 }, () => 'code').join(',') }).expect(400);
    expect(sort.body.error.details[0]).to.include({ path: '/sort', message: 'sort takes at most 10 columns' });
    const fields = await rows({ fields: Array.from({ length: 1001 }, (_, i) => `c${i}`).join(',') }).expect(400);
    expect(fields.body.error.details[0]).to.include({ path: '/fields' });
    expect(fields.body.error.details).to.have.length(1);
    const same = await rows({ fields: 'code,code,n,code', sort: 'n,-n' }).expect(200);
    expect(same.body.items).to.deep.equal([{ code: 'a', n: 1 }, { code: 'b', n: 2 }, { code: 'c', n: 3 }]);
    const inMany = await rows({ 'filter[n][in]': Array.from({ length: 1001 }, (_, i) => String(i)).join(',') }).expect(400);
    expect(inMany.body.error.details[0].message).to.equal('in takes at most 1000 distinct values');
    const inSame = await rows({ 'filter[n][in]': Array.from({ length: 2000 }, () => '2').join(','), fields: 'code' }).expect(200);
    expect(inSame.body.items).to.deep.equal([{ code: 'b' }]);
  });

  it('registry and catalogue lists: more than 100 distinct values is a 400 naming the parameter', async () => {
    const domains = Array.from({ length: 101 }, (_, i) => `d${i}`).join(',');
    const reg = await request(t.app).get('/api/v1/resources').query({ domain: domains }).set(t.auth('admin')).expect(400);
    expect(reg.body.error.details[0]).to.include({ path: '/domain', message: 'at most 100 distinct values (got 101)' });
    const open = await request(t.app).get('/api/v1/datasets').query({ domain: domains }).expect(400);
    expect(open.body.error.details[0]).to.include({ path: '/domain' });
    await request(t.app).get('/api/v1/datasets').query({ domain: Array.from({ length: 500 }, () => 'market').join(',') }).expect(200);
  });

  it('log lines are capped: a megabyte of error text leaves a line of a few KB that still says what failed', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } });
    const log = createLogger('info', sink);
    const err = Object.assign(new Error(`bind message supplies ${'x'.repeat(1_000_000)}`), { detail: 'y'.repeat(1_000_000), parameters: Array.from({ length: 130_000 }, (_, i) => `t${i}`) });
    log.error({ err, requestId: 'r1', url: `/api/3/action/package_search?fq=${'z'.repeat(1_000_000)}` }, 'request failed');
    log.warn('m'.repeat(1_000_000));
    expect(lines).to.have.length(2);
    for (const line of lines) expect(line.length).to.be.lessThan(16_384);
    const parsed = JSON.parse(lines[0]);
    expect(parsed.err.message).to.match(/^bind message supplies x+… \(1000022 characters\)$/);
    expect(parsed.err.stack).to.be.a('string');
    expect(parsed.requestId).to.equal('r1');
    expect(parsed.msg).to.equal('request failed');
  });
});
