import { expect } from 'chai';
import fs from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { binary } from '../helpers/binary.ts';
import { makeDepartment, testApp, type Dept, type TestApp } from '../helpers/app.ts';
import { buildHistory, type History } from '../helpers/governance.ts';
import { ensureLastMonth, snapshotMonth } from '../../server/src/governance/snapshots.ts';
import { odx } from '../helpers/cli.ts';
import { setClock } from '../../server/src/sharing/clock.ts';


/** Every answer below is worked out by hand from the history in test/helpers/governance.ts. */
describe('governance indicators from history (#17)', function () {
  this.timeout(60_000);
  let t: TestApp;
  let c: Dept;
  let h: History;
  const OCT = 'from=2026-10-01&to=2026-10-31';
  const get = (q: string, role: 'authority' | 'officer' = 'authority', dept: 'A' | 'B' = 'A') => request(t.app).get(`/api/v1/indicators?${q}`).set(t.auth(role, dept));
  const deptOf = (body: any, id: number) => body.departments.find((d: any) => d.department.id === id);

  before(async () => {
    // the evaluation of a month still running is computed live; pin "now" after the months under test
    setClock(() => new Date('2026-12-07T02:00:00Z'));
    t = await testApp();
    c = await makeDepartment(t.knex, '测试丙局');
    h = await buildHistory(t.knex, t.deptA, t.deptB, c);
  });
  after(async () => {
    setClock(null);
    await t.close();
  });

  it('counts the census as the documents stood at the date, before and after later changes', async () => {
    const oct = (await get(`${OCT}&as_of=2026-10-31`).expect(200)).body;
    expect(oct.city.census).to.deep.equal({
      departments: 3, departmentsReporting: 2, systems: 3, resources: 4, items: 8,
      systemsWithResource: 1, systemsWithResourceShare: 0.3333, published: 3, linked: 2, linkRate: 0.6667,
    });
    expect(deptOf(oct, t.deptA.id).census).to.deep.equal({
      departments: 1, departmentsReporting: 1, systems: 2, resources: 3, items: 6,
      systemsWithResource: 1, systemsWithResourceShare: 0.5, published: 2, linked: 1, linkRate: 0.5,
    });
    expect(deptOf(oct, t.deptB.id).census).to.deep.equal({
      departments: 1, departmentsReporting: 1, systems: 1, resources: 1, items: 2,
      systemsWithResource: 0, systemsWithResourceShare: 0, published: 1, linked: 1, linkRate: 1,
    });
    expect(deptOf(oct, c.id).census.departmentsReporting).to.equal(0);

    // September: S2, R3 and the second load had not happened
    const sep = (await get('from=2026-09-01&to=2026-09-30&as_of=2026-09-30').expect(200)).body;
    expect(deptOf(sep, t.deptA.id).census).to.deep.equal({
      departments: 1, departmentsReporting: 1, systems: 1, resources: 2, items: 5,
      systemsWithResource: 1, systemsWithResourceShare: 1, published: 2, linked: 1, linkRate: 0.5,
    });
    expect(deptOf(sep, c.id), 'C did not exist yet').to.equal(undefined);

    // November: R1 retired, R2 revised to four items and published again
    const nov = (await get(`${OCT}&as_of=2026-11-30`).expect(200)).body;
    expect(deptOf(nov, t.deptA.id).census).to.deep.equal({
      departments: 1, departmentsReporting: 1, systems: 2, resources: 2, items: 5,
      systemsWithResource: 0, systemsWithResourceShare: 0, published: 1, linked: 0, linkRate: 0,
    });
    // the same date gives the same answer again
    expect((await get(`${OCT}&as_of=2026-10-31`).expect(200)).body).to.deep.equal(oct);
  });

  it('measures timeliness against each resource’s cycle plus the grace days, with days overdue', async () => {
    const oct = (await get(`${OCT}&as_of=2026-10-31`).expect(200)).body;
    const r2 = { resourceId: h.resources.r2, code: '102/000002', name: '许可信息', updateCycle: 'weekly', lastLoadAt: null };
    const r4 = { resourceId: h.resources.r4, code: '102/000004', name: '检测接口', updateCycle: 'daily', lastLoadAt: null };
    expect(deptOf(oct, t.deptA.id).timeliness).to.deep.equal({ withCycle: 2, onTime: 1, onTimeRate: 0.5, stale: [{ ...r2, daysOverdue: 42 }] });
    expect(deptOf(oct, t.deptB.id).timeliness).to.deep.equal({ withCycle: 1, onTime: 0, onTimeRate: 0, stale: [{ ...r4, daysOverdue: 58 }] });
    expect(oct.city.timeliness).to.deep.equal({ withCycle: 3, onTime: 1, onTimeRate: 0.3333, stale: [{ ...r4, daysOverdue: 58 }, { ...r2, daysOverdue: 42 }] });
    const nov = (await get(`${OCT}&as_of=2026-11-30`).expect(200)).body;
    // R2 was published again on 11-06: 24 days before the end of 11-30, a weekly cycle
    expect(deptOf(nov, t.deptA.id).timeliness).to.deep.equal({ withCycle: 1, onTime: 0, onTimeRate: 0, stale: [{ ...r2, daysOverdue: 17 }] });
  });

  it('scores quality from the window’s loads and their rejects', async () => {
    const oct = (await get(`${OCT}&as_of=2026-10-31`).expect(200)).body;
    expect(deptOf(oct, t.deptA.id).quality).to.deep.equal({
      loads: 1, rowsRead: 130, rowsRejected: 10, rejectedPerLoad: 10, requiredNulls: 4, duplicateKeys: 3, score: 94.3,
      resources: [{ resourceId: h.resources.r1, code: '102/000001', name: '企业登记信息', loads: 1, rowsRead: 130, rowsRejected: 10, requiredNulls: 4, duplicateKeys: 3, score: 94.3 }],
      // no error report in this history: test/integration/error-reports.test.ts counts them
      errorReports: 0, errorReportsAnswered: 0, errorReportsInTime: 0, errorReportInTimeRate: null, errorReportsFixed: 0, errorReportsRejected: 0, errorReportsOpen: 0, errorReportsOverdue: 0,
    });
    expect(deptOf(oct, t.deptB.id).quality).to.include({ loads: 1, rowsRead: 50, rowsRejected: 50, rejectedPerLoad: 50, score: 40 });
    expect(oct.city.quality).to.include({ loads: 2, rowsRead: 180, rowsRejected: 60, rejectedPerLoad: 30, requiredNulls: 4, duplicateKeys: 3, score: 79.2 });
    const sep = (await get('from=2026-09-01&to=2026-09-30&as_of=2026-09-30').expect(200)).body;
    expect(deptOf(sep, t.deptA.id).quality).to.include({ loads: 1, rowsRead: 100, rowsRejected: 0, score: 100 });
  });

  it('follows share requests step by step to the date: real time, in time, median working days, disputes, grants, demands', async () => {
    const oct = (await get(`${OCT}&as_of=2026-10-31`).expect(200)).body;
    const nov = (await get(`${OCT}&as_of=2026-11-30`).expect(200)).body;
    expect(deptOf(oct, t.deptA.id).sharing).to.deep.equal({
      received: 4, made: 0, realTime: 1, realTimeRate: 0.25, answered: 3, answeredInTime: 2, inTimeRate: 0.6667, medianAnswerDays: 2,
      refused: 1, disputes: 1, disputesGranted: 0, disputesDenied: 0, disputesWithdrawn: 0, disputesOpen: 1, grantsInForce: 3, grantsUnused90: 1,
      demands: 0, demandsFulfilled: 0, demandsUnfulfillable: 0, demandFulfilmentRate: null,
    });
    expect(deptOf(oct, t.deptB.id).sharing).to.include({ received: 0, made: 4, realTimeRate: null, grantsInForce: 0 });
    // 需求满足率 by the requesting department, from the demands' history: D1 fulfilled, D2 still open at 10-31
    expect(deptOf(oct, t.deptB.id).sharing).to.include({ demands: 2, demandsFulfilled: 1, demandsUnfulfillable: 0, demandFulfilmentRate: 0.5 });
    expect(deptOf(nov, t.deptB.id).sharing).to.include({ demands: 2, demandsFulfilled: 1, demandsUnfulfillable: 1, demandFulfilmentRate: 0.5 });
    expect(deptOf(nov, t.deptA.id).sharing).to.deep.equal({
      received: 4, made: 0, realTime: 1, realTimeRate: 0.25, answered: 4, answeredInTime: 3, inTimeRate: 0.75, medianAnswerDays: 5,
      refused: 1, disputes: 1, disputesGranted: 0, disputesDenied: 1, disputesWithdrawn: 0, disputesOpen: 0, grantsInForce: 2, grantsUnused90: 0,
      // D3, raised 11-10 by A, is open
      demands: 1, demandsFulfilled: 0, demandsUnfulfillable: 0, demandFulfilmentRate: 0,
    });
  });

  it('counts open datasets, capacity and their use by dataset and month (Shanghai time)', async () => {
    const oct = (await get(`${OCT}&as_of=2026-10-31`).expect(200)).body;
    expect(deptOf(oct, t.deptA.id).open).to.deep.equal({
      datasets: 1, capacity: 240, machineReadable: 1, machineReadableShare: 1, domains: 1, departmentsCovered: 1, downloads: 2, apiCalls: 4,
      usage: [{ resourceId: h.resources.r1, code: '102/000001', month: '2026-10', downloads: 2, apiCalls: 4 }],
      // one developer read R1 (twice); registered developers are the city's figure
      developers: null, developersActive: 1,
      applications: 0, applicationsApproved: 0, applicationsRefused: 0, applicationsWithdrawn: 0, applicationsAnsweredInTime: 0, applicationInTimeRate: null,
    });
    // the test app's own developer accounts were made today, after as_of: only the one registered 09-20 counts
    expect(oct.city.open).to.include({ datasets: 2, capacity: 240, machineReadable: 2, machineReadableShare: 1, domains: 2, departmentsCovered: 2, downloads: 2, apiCalls: 4, developers: 1, developersActive: 1 });
    const nov = (await get('from=2026-11-01&to=2026-11-30&as_of=2026-11-30').expect(200)).body;
    expect(deptOf(nov, t.deptA.id).open).to.deep.equal({
      datasets: 0, capacity: 0, machineReadable: 0, machineReadableShare: null, domains: 0, departmentsCovered: 0, downloads: 1, apiCalls: 0,
      usage: [{ resourceId: h.resources.r1, code: '102/000001', month: '2026-11', downloads: 1, apiCalls: 0 }],
      developers: null, developersActive: 0,
      applications: 0, applicationsApproved: 0, applicationsRefused: 0, applicationsWithdrawn: 0, applicationsAnsweredInTime: 0, applicationInTimeRate: null,
    });
  });

  it('counts conditional open-data applications and their answers as they stood at the date', async () => {
    const pick = (o: any) => ({
      applications: o.applications, approved: o.applicationsApproved, refused: o.applicationsRefused, withdrawn: o.applicationsWithdrawn,
      inTime: o.applicationsAnsweredInTime, rate: o.applicationInTimeRate,
    });
    // October's four, at its end: the one approved on 11-05 still waited
    const oct = (await get(`${OCT}&as_of=2026-10-31`).expect(200)).body;
    expect(pick(deptOf(oct, t.deptB.id).open)).to.deep.equal({ applications: 4, approved: 1, refused: 1, withdrawn: 1, inTime: 1, rate: 0.5 });
    expect(pick(oct.city.open)).to.deep.equal(pick(deptOf(oct, t.deptB.id).open));
    expect(pick(deptOf(oct, t.deptA.id).open).applications).to.equal(0);
    // the same October, a month later: the late approval is in
    const later = (await get(`${OCT}&as_of=2026-11-30`).expect(200)).body;
    expect(pick(deptOf(later, t.deptB.id).open)).to.deep.equal({ applications: 4, approved: 2, refused: 1, withdrawn: 1, inTime: 1, rate: 0.3333 });
    // before the withdrawal (10-24) and the refusal: only the first approval
    const mid = (await get('from=2026-10-01&to=2026-10-23&as_of=2026-10-23').expect(200)).body;
    expect(pick(deptOf(mid, t.deptB.id).open)).to.deep.equal({ applications: 4, approved: 1, refused: 0, withdrawn: 0, inTime: 1, rate: 1 });
    const nov = (await get('from=2026-11-01&to=2026-11-30&as_of=2026-11-30').expect(200)).body;
    expect(pick(deptOf(nov, t.deptB.id).open)).to.deep.equal({ applications: 1, approved: 0, refused: 0, withdrawn: 0, inTime: 0, rate: null });
  });

  it('shows an officer their own department only, without the city', async () => {
    const own = (await get(`${OCT}&as_of=2026-10-31`, 'officer').expect(200)).body;
    expect(own.city).to.equal(null);
    expect(own.departments.map((d: any) => d.department.id)).to.deep.equal([t.deptA.id]);
    const named = (await get(`${OCT}&as_of=2026-10-31&department=${t.deptA.id}`, 'officer').expect(200)).body;
    expect(named.departments.map((d: any) => d.department.id)).to.deep.equal([t.deptA.id]);
    const other = await get(`${OCT}&as_of=2026-10-31&department=${t.deptB.id}`, 'officer').expect(403);
    expect(other.body.error.code).to.equal('forbidden');
    await get(`${OCT}&as_of=2026-10-31`, 'registrar' as 'officer').expect(403);
  });

  it('refuses bad dates and windows with 400, naming the parameter', async () => {
    const bad = await get('as_of=2026-02-30').expect(400);
    expect(JSON.stringify(bad.body.error)).to.contain('/as_of');
    const after = await get('from=2026-10-01&to=2026-11-30&as_of=2026-10-31').expect(400);
    expect(JSON.stringify(after.body.error)).to.contain('/to');
    const reversed = await get('from=2026-10-31&to=2026-10-01&as_of=2026-10-31').expect(400);
    expect(JSON.stringify(reversed.body.error)).to.contain('/from');
  });

  it('exports the same figures as CSV (BOM, Chinese headers) and .xlsx', async () => {
    const csv = await get(`${OCT}&as_of=2026-10-31&format=csv`).buffer(true).parse(binary).expect(200);
    const bytes = csv.body as Buffer;
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n').map((l) => l.split(','));
    const header = lines[0];
    expect(header.slice(0, 3)).to.deep.equal(['部门', '部门编号', '填报部门数']);
    const rowA = lines.find((l) => l[1] === String(t.deptA.id))!;
    expect(rowA[header.indexOf('挂接率')]).to.equal('0.5');
    expect(rowA[header.indexOf('质量得分')]).to.equal('94.3');
    expect(rowA[header.indexOf('实时响应率')]).to.equal('0.25');
    expect(lines[1][0]).to.equal('全市');
    expect(lines[1][header.indexOf('信息资源数')]).to.equal('4');

    const xlsx = await get(`${OCT}&as_of=2026-10-31&format=xlsx`).buffer(true).parse(binary).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('指标')!;
    const heads = (ws.getRow(1).values as unknown[]).slice(1);
    const a = ws.getRows(2, ws.rowCount - 1)!.find((r) => r.getCell(2).value === t.deptA.id)!;
    expect(a.getCell(heads.indexOf('更新及时率') + 1).value).to.equal(0.5);
    expect(a.getCell(heads.indexOf('下载次数') + 1).value).to.equal(2);
    const stale = wb.getWorksheet('未按时更新')!;
    expect(stale.rowCount).to.equal(3);
    expect([1, 2, 3, 5].map((i) => stale.getRow(2).getCell(i).value)).to.deep.equal(['102/000004', '检测接口', 'daily', 58]);
  });

  it('keeps monthly snapshots equal to the live computation, and serves the trend from them', async () => {
    await snapshotMonth(t.knex, '2026-09', 3);
    // what the server does on start: last month's snapshot when it is missing, and nothing when it is there
    expect(await ensureLastMonth(t.knex, new Date('2026-11-15T02:00:00Z'), 3)).to.equal('2026-10');
    expect(await ensureLastMonth(t.knex, new Date('2026-11-15T02:00:00Z'), 3)).to.equal(null);
    expect(await ensureLastMonth(t.knex, new Date('2026-10-01T02:00:00Z'), 3)).to.equal(null);
    const env = { DATABASE_URL: t.db.url, ODX_HOME: t.home };
    const made = await odx(['indicators', 'snapshot', '--month', '2026-10'], env);
    expect(made.code, made.stderr).to.equal(0);
    expect(made.stdout).to.contain('indicators of 2026-10 stored: the city and 3 departments');
    const bad = await odx(['indicators', 'snapshot', '--month', '2026-13'], env);
    expect([bad.code, bad.stderr]).to.deep.equal([2, 'odx: --month 2026-13: 月份格式应为 YYYY-MM / a month is written YYYY-MM\n']);
    const live = (await get(`${OCT}&as_of=2026-10-31`).expect(200)).body;
    const trend = (await request(t.app).get('/api/v1/indicators/trend?from=2026-09&to=2026-10').set(t.auth('authority')).expect(200)).body.items;
    expect(trend.map((p: any) => [p.month, p.department?.id ?? null])).to.deep.equal([
      ['2026-09', null], ['2026-09', t.deptA.id], ['2026-09', t.deptB.id],
      ['2026-10', null], ['2026-10', t.deptA.id], ['2026-10', t.deptB.id], ['2026-10', c.id],
    ]);
    // the stored snapshot is the live computation, lists and all; the trend serves its figures without the per-resource lists
    const figures = ({ timeliness: { stale: _s, ...timeliness }, quality: { resources: _r, ...quality }, open: { usage: _u, ...open }, ...rest }: any) => ({ ...rest, timeliness, quality, open });
    const stored = await t.knex('odx.indicator_snapshots').where({ month: '2026-10-01' }).whereNull('department_id').first('indicators', 'lists');
    expect(stored.indicators).to.deep.equal(figures(live.city));
    expect(stored.lists).to.deep.equal({ stale: live.city.timeliness.stale, resources: live.city.quality.resources, usage: live.city.open.usage });
    expect(trend[3].indicators).to.deep.equal(figures(live.city));
    const { department, ...liveA } = deptOf(live, t.deptA.id);
    expect(trend[4].indicators).to.deep.equal(figures(liveA));
    expect(department.id).to.equal(t.deptA.id);
    const officer = (await request(t.app).get('/api/v1/indicators/trend?from=2026-09&to=2026-10').set(t.auth('officer')).expect(200)).body.items;
    expect(officer.map((p: any) => [p.month, p.department?.id ?? null])).to.deep.equal([['2026-09', t.deptA.id], ['2026-10', t.deptA.id]]);
    await request(t.app).get(`/api/v1/indicators/trend?from=2026-09&to=2026-10&department=${t.deptB.id}`).set(t.auth('officer')).expect(403);
    await request(t.app).get('/api/v1/indicators/trend?from=2026-10&to=2026-09').set(t.auth('authority')).expect(400);
  });

  it('serves the trend again as soon as a snapshot is recomputed or a department renamed (its answers are kept between reads)', async () => {
    const trend = async () => (await request(t.app).get('/api/v1/indicators/trend?from=2026-10&to=2026-10').set(t.auth('authority')).expect(200)).body.items;
    const before = await trend();
    expect(await trend(), 'the same answer read twice').to.deep.equal(before);
    // a browser takes it gzipped (kept so), a client that does not ask gets plain JSON
    const zipped = await request(t.app).get('/api/v1/indicators/trend?from=2026-10&to=2026-10').set(t.auth('authority')).set('Accept-Encoding', 'gzip').expect(200);
    expect([zipped.headers['content-encoding'], zipped.headers.vary]).to.deep.equal(['gzip', 'Accept-Encoding']);
    expect(zipped.body.items).to.deep.equal(before);
    const plain = await request(t.app).get('/api/v1/indicators/trend?from=2026-10&to=2026-10').set(t.auth('authority')).set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).to.equal(undefined);
    expect(plain.body.items).to.deep.equal(before);
    // a snapshot written again with another figure (as a changed grace setting would), then a renamed department
    await snapshotMonth(t.knex, '2026-10', 3);
    await t.knex('odx.indicator_snapshots').where({ month: '2026-10-01', department_id: t.deptA.id }).update({ indicators: t.knex.raw(`jsonb_set(indicators, '{census,systems}', '99')`), computed_at: t.knex.fn.now() });
    const after = await trend();
    expect(after.find((p: any) => p.department?.id === t.deptA.id).indicators.census.systems).to.equal(99);
    await t.knex('odx.departments').where({ id: t.deptB.id }).update({ name: '测试乙局（更名）', updated_at: t.knex.fn.now() });
    expect((await trend()).find((p: any) => p.department?.id === t.deptB.id).department.name).to.equal('测试乙局（更名）');
    await t.knex('odx.departments').where({ id: t.deptB.id }).update({ name: '测试乙局', updated_at: t.knex.fn.now() });
    await snapshotMonth(t.knex, '2026-10', 3);
  });

  it('scores and ranks departments on the authority’s weights, and refuses a weights file that breaks the schema', async () => {
    await fs.writeFile(path.join(t.home, 'evaluation.json'), JSON.stringify({ version: 7, graceDays: 3, weights: { 'census.linkRate': 3, 'timeliness.onTimeRate': 1 } }));
    try {
      const res = (await request(t.app).get('/api/v1/evaluations?month=2026-10').set(t.auth('authority')).expect(200)).body;
      expect(res.settingsVersion).to.equal(7);
      // B: (3 × 100 + 1 × 0) / 4 = 75; A: (3 × 50 + 1 × 50) / 4 = 50; C has nothing to measure
      expect(res.items.map((r: any) => [r.department.id, r.score, r.rank])).to.deep.equal([[t.deptB.id, 75, 1], [t.deptA.id, 50, 2], [c.id, null, null]]);
      const officer = (await request(t.app).get('/api/v1/evaluations?month=2026-10').set(t.auth('officer')).expect(200)).body;
      expect(officer.items.map((r: any) => [r.department.id, r.score, r.rank])).to.deep.equal([[t.deptA.id, 50, 2]]);
      const xlsx = await request(t.app).get('/api/v1/evaluations?month=2026-10&format=xlsx').set(t.auth('authority')).buffer(true).parse(binary).expect(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.body as unknown as ArrayBuffer);
      const ws = wb.worksheets[0];
      expect(ws.getRow(1).getCell(4).value).to.equal('得分');
      expect([ws.getRow(2).getCell(1).value, ws.getRow(2).getCell(3).value, ws.getRow(2).getCell(4).value]).to.deep.equal([1, t.deptB.id, 75]);

      await fs.writeFile(path.join(t.home, 'evaluation.json'), JSON.stringify({ version: 8, graceDays: 3, weights: { 'census.nothing': 1 } }));
      const bad = await request(t.app).get('/api/v1/evaluations?month=2026-10').set(t.auth('authority'));
      expect(bad.status).to.equal(503);
      expect(bad.body.error.message).to.contain('/weights').and.contain('census.nothing');
    } finally {
      await fs.rm(path.join(t.home, 'evaluation.json'), { force: true });
    }
  });
});
