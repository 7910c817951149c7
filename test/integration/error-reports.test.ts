import { expect } from 'chai';
import request from 'supertest';
import { setClock } from '../../server/src/sharing/clock.ts';
import { computeIndicators } from '../../server/src/governance/indicators.ts';
import { monthReport } from '../../server/src/governance/snapshots.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { licenceCsv, loadCsv, publishedResource } from '../helpers/census.ts';
import { NOT_SHARED, requestBetween } from '../helpers/sharing.ts';

/**
 * The error-report path (校核纠错): who may report on which dataset, the providing officer's
 * answer within the working-day limit (the calendar's 2026 Spring Festival in the middle), the
 * link to the load that fixed it, who reads a report, and the counts in the quality indicators.
 */
describe('error reports (校核纠错)', function () {
  this.timeout(120_000);
  let t: TestApp;
  let open: Record<string, any>;
  const at = (iso: string) => setClock(() => new Date(iso));

  before(async () => {
    t = await testApp();
    open = await publishedResource(t.knex, t.deptB.uscc, { name: '开放的企业名录' });
  });
  after(async () => {
    setClock(null);
    await t.close();
  });

  it('takes a report from anyone who reads the dataset, due five working days later by the calendar', async () => {
    // Thursday 2026-02-12, 10:00 in Shanghai: Fri 13, Sat 14 (调休), Tue 24, Wed 25, Thu 26 — 春节 between
    at('2026-02-12T02:00:00Z');
    const res = await request(t.app)
      .post('/api/v1/error-reports')
      .set(t.auth('developer'))
      .send({ resource: open.code, rowKey: '91350200MA0000001X', item: 'company_name', description: '企业名称与营业执照不一致', evidence: '营业执照副本' })
      .expect(201);
    expect(res.body).to.include({ state: 'open', channel: 'open', limitDays: 5, overdue: false, providerDepartmentId: t.deptB.id, item: 'company_name' });
    expect(res.body.dueAt).to.equal('2026-02-26T16:00:00.000Z');
    const event = await t.knex('odx.audit_pending').where({ action: 'error_report.create', target_id: String(res.body.id) }).first('detail');
    // the event names the report and never its text, which may quote a value
    expect(JSON.stringify(event?.detail ?? (await t.knex('odx.audit_events').where({ action: 'error_report.create', target_id: String(res.body.id) }).first('detail')).detail)).not.to.contain('MA0000001X');
  });

  it('refuses a report on data the caller may not read, and an item the dataset does not have', async () => {
    at('2026-03-02T02:00:00Z');
    const closed = await publishedResource(t.knex, t.deptB.uscc, { ...NOT_SHARED, name: '不予共享的名录' });
    for (const role of ['developer', 'registrar'] as const) {
      const res = await request(t.app).post('/api/v1/error-reports').set(t.auth(role)).send({ resource: closed.code, description: '数据有误' }).expect(403);
      expect(res.body.error.code).to.equal('forbidden');
    }
    await request(t.app).post('/api/v1/error-reports').set(t.auth('developer')).send({ resource: 'NO-SUCH-CODE', description: '数据有误' }).expect(403);
    const bad = await request(t.app).post('/api/v1/error-reports').set(t.auth('developer')).send({ resource: open.code, item: 'no_such', description: '数据有误' }).expect(422);
    expect(bad.body.error.message).to.contain('no_such');
    await request(t.app).post('/api/v1/error-reports').set(t.auth('developer')).send({ resource: open.code }).expect(400);
    // the authority reports by oversight, the holding department on its own data
    expect((await request(t.app).post('/api/v1/error-reports').set(t.auth('authority')).send({ resource: closed.code, description: '数据有误' }).expect(201)).body.channel).to.equal('oversight');
    expect((await request(t.app).post('/api/v1/error-reports').set(t.auth('registrar', 'B')).send({ resource: closed.code, description: '数据有误' }).expect(201)).body.channel).to.equal('own');
  });

  it('takes a report from a department holding a grant on shared data, and shows it to both departments only', async () => {
    at('2026-03-02T02:00:00Z');
    const { resource } = await requestBetween(t.knex, t.deptA, t.deptB, { to: 'granted', resource: { openType: 'closed', name: '共享的企业名录' } });
    const made = await request(t.app).post('/api/v1/error-reports').set(t.auth('registrar')).send({ resource: resource.code, rowKey: '共享行键', description: '法定代表人已变更' }).expect(201);
    expect(made.body.channel).to.equal('shared');
    const id = made.body.id;
    for (const [role, dept] of [['officer', 'B'], ['officer', 'A'], ['registrar', 'A'], ['authority', 'A']] as const) {
      await request(t.app).get(`/api/v1/error-reports/${id}`).set(t.auth(role, dept)).expect(200);
    }
    // the developer made none of it and belongs to neither department
    await request(t.app).get(`/api/v1/error-reports/${id}`).set(t.auth('developer')).expect(403);
    const devList = await request(t.app).get('/api/v1/error-reports').set(t.auth('developer')).expect(200);
    expect(devList.body.items.map((r: { id: number }) => r.id)).not.to.include(id);
    expect(JSON.stringify(devList.body)).not.to.contain('共享行键');
    const inbox = await request(t.app).get('/api/v1/error-reports?role=provider&state=open').set(t.auth('officer', 'B')).expect(200);
    expect(inbox.body.items.map((r: { id: number }) => r.id)).to.include(id);
    const madeByA = await request(t.app).get('/api/v1/error-reports?role=reporter').set(t.auth('officer', 'A')).expect(200);
    expect(madeByA.body.items.map((r: { id: number }) => r.id)).to.include(id);
    expect(madeByA.body.items.every((r: { reporterDepartmentId: number }) => r.reporterDepartmentId === t.deptA.id)).to.equal(true);
  });

  it('lets only the providing officer answer: a rejection needs a reason, an answer after the deadline is late', async () => {
    at('2026-02-12T02:00:00Z');
    const made = await request(t.app).post('/api/v1/error-reports').set(t.auth('developer')).send({ resource: open.code, description: '注册资本单位错误' }).expect(201);
    const id = made.body.id;
    await request(t.app).post(`/api/v1/error-reports/${id}/reject`).set(t.auth('officer', 'B')).send({}).expect(400);
    await request(t.app).post(`/api/v1/error-reports/${id}/reject`).set(t.auth('officer', 'A')).send({ reason: '数据无误' }).expect(403);
    await request(t.app).post(`/api/v1/error-reports/${id}/reject`).set(t.auth('registrar', 'B')).send({ reason: '数据无误' }).expect(403);
    // 2026-02-26T16:00Z is the deadline: one second before is in time, the instant itself is late
    at('2026-02-26T16:00:00Z');
    const overdue = await request(t.app).get('/api/v1/error-reports?overdue=true').set(t.auth('officer', 'B')).expect(200);
    expect(overdue.body.items.map((r: { id: number }) => r.id)).to.include(id);
    const rejected = await request(t.app).post(`/api/v1/error-reports/${id}/reject`).set(t.auth('officer', 'B')).send({ reason: '经核实数据无误' }).expect(200);
    expect(rejected.body).to.include({ state: 'rejected', late: true, answer: '经核实数据无误', overdue: false });
    const again = await request(t.app).post(`/api/v1/error-reports/${id}/accept`).set(t.auth('officer', 'B')).send({}).expect(409);
    expect(again.body.error.code).to.equal('state_conflict');
  });

  it('links an accepted report to the later load that fixed it, and counts reports in the quality indicators as of any date', async () => {
    at('2026-04-01T02:00:00Z');
    const first = await loadCsv(t.knex, open.id, licenceCsv(1, 3));
    // the report is made after that load (the clock is pinned ahead of the real one the loader stamps)
    at('2027-01-04T02:00:00Z');
    const made = await request(t.app).post('/api/v1/error-reports').set(t.auth('developer')).send({ resource: open.code, description: '成立日期错误' }).expect(201);
    const id = made.body.id;
    at('2027-01-05T02:00:00Z');
    const accepted = await request(t.app).post(`/api/v1/error-reports/${id}/accept`).set(t.auth('officer', 'B')).send({ note: '将在下次更新中修正' }).expect(200);
    expect(accepted.body).to.include({ state: 'accepted', late: false, fixedLoadId: null });
    const early = await request(t.app).post(`/api/v1/error-reports/${id}/fixed`).set(t.auth('officer', 'B')).send({ loadId: first.loadId }).expect(422);
    expect(early.body.error.message).to.contain(String(first.loadId));
    // a load "after" the report: the loader stamps the real clock, so move the report back before it
    await t.knex('odx.error_reports').where({ id }).update({ created_at: new Date(Date.now() - 60_000) });
    const fix = await loadCsv(t.knex, open.id, licenceCsv(1, 3));
    const fixed = await request(t.app).post(`/api/v1/error-reports/${id}/fixed`).set(t.auth('officer', 'B')).send({ loadId: fix.loadId }).expect(200);
    expect(fixed.body).to.include({ state: 'fixed', fixedLoadId: fix.loadId });

    // February 2026 in the city (the test's departments were made today, so they are counted in the city only):
    // the developer's report made on the 12th and rejected late on the 26th
    const feb = await monthReport(t.knex, '2026-02', 3, [], true);
    const q = feb.city!.quality;
    expect(q).to.include({ errorReports: 2, errorReportsAnswered: 1, errorReportsInTime: 0, errorReportInTimeRate: 0, errorReportsRejected: 1, errorReportsOpen: 1 });
    // the other February report (the first test's) is still open at the month's end, and past its deadline
    expect(q).to.include({ errorReportsOverdue: 1 });
    // as of 2026-02-20 the late rejection had not happened: both open, none answered
    const before = await computeIndicators(t.knex, { asOf: new Date('2026-02-20T16:00:00Z'), from: new Date('2026-01-31T16:00:00Z'), to: new Date('2026-02-20T16:00:00Z'), graceDays: 3 }, [], true);
    expect(before.city!.quality).to.include({ errorReports: 2, errorReportsAnswered: 0, errorReportsOpen: 2, errorReportsOverdue: 0 });
  });
});
