import { expect } from 'chai';
import supertest from 'supertest';
import request from '../helpers/request-en.ts';
import { makeDepartment, testApp, type Dept, type TestApp } from '../helpers/app.ts';
import { buildHistory } from '../helpers/governance.ts';
import { snapshotMonth } from '../../server/src/governance/snapshots.ts';
import { setClock } from '../../server/src/sharing/clock.ts';

/** Every leaf of a JSON value, with its path. */
function leaves(value: unknown, path = ''): [string, unknown][] {
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leaves(v, `${path}/${k}`));
  return [[path, value]];
}

/** GET /api/v1/open/index: the public open-data index (开放指数), from the monthly snapshots (docs/indicators.md). */
describe('the public open-data index (开放指数)', function () {
  this.timeout(120_000);
  let t: TestApp;
  let c: Dept;

  before(async () => {
    setClock(() => new Date('2026-12-07T02:00:00Z'));
    t = await testApp();
    c = await makeDepartment(t.knex, '测试丙局');
    await buildHistory(t.knex, t.deptA, t.deptB, c);
  });
  after(async () => {
    setClock(null);
    await t.close();
  });

  it('answers without sign-in before any snapshot: no month yet, nothing listed', async () => {
    const res = await request(t.app).get('/api/v1/open/index').expect(200);
    expect(res.body).to.deep.equal({ month: null, months: [], city: null, departments: [] });
  });

  it('gives each department’s open-data figures of a month, without sign-in, equal to the snapshot the authority reads', async () => {
    for (const m of ['2026-09', '2026-10', '2026-11']) await snapshotMonth(t.knex, m, 3);
    const latest = await request(t.app).get('/api/v1/open/index').expect(200);
    expect(latest.headers['cache-control']).to.equal('public, max-age=300');
    expect(latest.body.month, 'the latest month with a snapshot').to.equal('2026-11');
    expect(latest.body.months).to.deep.equal(['2026-11', '2026-10', '2026-09']);

    const oct = (await request(t.app).get('/api/v1/open/index?month=2026-10').expect(200)).body;
    const of = (id: number) => oct.departments.find((d: { department: { id: number } }) => d.department.id === id).open;
    // worked out by hand from test/helpers/governance.ts: R1 open with 120 rows × 2 items, read in October by one developer
    expect(of(t.deptA.id)).to.include({ datasets: 1, capacity: 240, machineReadable: 1, machineReadableShare: 1, domains: 1, departmentsCovered: 1, downloads: 2, apiCalls: 4, developers: null, developersActive: 1 });
    // R4 is a service interface open on conditions, with no data loaded
    expect(of(t.deptB.id)).to.include({ datasets: 1, capacity: 0, machineReadable: 1, downloads: 0, apiCalls: 0 });
    expect(of(c.id)).to.include({ datasets: 0, machineReadableShare: null });
    expect(oct.city).to.include({ datasets: 2, capacity: 240, departmentsCovered: 2, downloads: 2, apiCalls: 4, developers: 1 });

    // the same figures as the authority's trend for the month
    const trend = (await request(t.app).get('/api/v1/indicators/trend?from=2026-10&to=2026-10').set(t.auth('authority')).expect(200)).body.items;
    expect(oct.city).to.deep.equal(trend.find((p: { department: unknown }) => p.department === null).indicators.open);
    for (const d of oct.departments) expect(d.open, d.department.name).to.deep.equal(trend.find((p: { department: { id: number } | null }) => p.department?.id === d.department.id).indicators.open);
  });

  it('carries counts only: every figure a number or null, no per-dataset list', async () => {
    const body = (await request(t.app).get('/api/v1/open/index?month=2026-10').expect(200)).body;
    const figures = [...leaves(body.city, '/city'), ...body.departments.flatMap((d: { open: unknown }, i: number) => leaves(d.open, `/departments/${i}/open`))];
    expect(figures.length).to.be.above(10);
    expect(figures.filter(([, v]) => v !== null && typeof v !== 'number')).to.deep.equal([]);
    expect(Object.keys(body.departments[0]).sort()).to.deep.equal(['department', 'open']);
    expect(Object.keys(body.departments[0].department).sort()).to.deep.equal(['id', 'name']);
  });

  it('refuses a malformed month with 400 in both languages, and a month without a snapshot with 404', async () => {
    const en = await request(t.app).get('/api/v1/open/index?month=2026-13').expect(400);
    expect(en.body.error.code).to.equal('bad_request');
    expect(en.body.error.details).to.deep.include({ in: 'query', path: '/month', message: 'a month as YYYY-MM / 月份格式应为 YYYY-MM' });
    const zh = await supertest(t.app).get('/api/v1/open/index?month=2026-13').expect(400);
    expect(zh.body.error.details[0].message).to.contain('月份格式应为 YYYY-MM');
    expect(zh.body.error.message).to.match(/[\u4e00-\u9fff]/);
    expect(en.body.error.message).not.to.match(/[\u4e00-\u9fff]/);
    await request(t.app).get('/api/v1/open/index?department=1').expect(400);

    const missing = await request(t.app).get('/api/v1/open/index?month=2025-01').expect(404);
    expect(missing.body.error.message).to.equal('the open-data index of 2025-01 (the month has no snapshot) not found');
    const missingZh = await supertest(t.app).get('/api/v1/open/index?month=2025-01').expect(404);
    expect(missingZh.body.error.message).to.equal('未找到2025-01 的开放指数（该月尚无月度快照）');
  });
});
