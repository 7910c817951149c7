import { expect } from 'chai';
import request from '../helpers/request-en.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { setClock } from '../../server/src/sharing/clock.ts';
import { resetRateLimits } from '../../server/src/sharing/grant-rate.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { licenceCsv, loadCsv, publishedResource } from '../helpers/census.ts';
import { applicationDoc, conditionalResource, CONDITIONALLY_OPEN } from '../helpers/open-applications.ts';

/**
 * Conditional open data (有条件开放) from end to end: the public sees the dataset's conditions, a
 * developer applies, department A's officer answers within the working-day limit, and the
 * developer's key reads exactly what was approved, through the sharing grant machinery.
 */
describe('open-data applications (有条件开放)', function () {
  this.timeout(120_000);
  let t: TestApp;
  let code: string;
  let resourceId: number;
  const enc = () => encodeURIComponent(code);

  before(async () => {
    t = await testApp();
    const r = await conditionalResource(t.knex, t.deptA.uscc);
    code = r.code;
    resourceId = r.id;
    await loadCsv(t.knex, resourceId, licenceCsv(1, 6));
  });
  after(async () => {
    setClock(null);
    await t.close();
  });
  afterEach(() => setClock(null));

  const apply = (body: object, who = t.auth('developer')) => request(t.app).post('/api/v1/open-applications').set(who).send(body);

  it('shows the dataset’s metadata and conditions to anyone, never its rows', async () => {
    const list = await request(t.app).get('/api/v1/conditional-datasets').expect(200);
    const entry = list.body.items.find((d: { code: string }) => d.code === code);
    expect(entry.openCondition).to.equal(CONDITIONALLY_OPEN.openCondition);
    expect(entry.limitDays).to.equal(10);
    expect(entry.loaded).to.equal(true);
    expect(entry.items.map((i: { name: string }) => i.name)).to.deep.equal(['credit_code', 'company_name', 'legal_person', 'capital', 'founded_on']);
    expect(entry.items.find((i: { name: string }) => i.name === 'legal_person').masked).to.equal('name');
    const one = await request(t.app).get(`/api/v1/conditional-datasets/${enc()}`).expect(200);
    expect(one.body.name).to.equal('企业营业执照信息');
    expect(JSON.stringify(one.body)).not.to.contain('滨海市示例贸易有限公司');
    await request(t.app).get(`/api/v1/datasets/${enc()}/rows`).expect(404);
    const open = await publishedResource(t.knex, t.deptA.uscc);
    await request(t.app).get(`/api/v1/conditional-datasets/${encodeURIComponent(open.code)}`).expect(404);
  });

  it('walks apply → approve for fewer items and some rows → the key reads only those → revoke → refused on the next request', async () => {
    const applied = await apply(applicationDoc(code)).expect(201);
    expect(applied.body).to.include({ state: 'provider_review', waitingFor: 'provider', limitDays: 10, overdue: false, accessMode: 'query' });
    expect(applied.body.resource.code).to.equal(code);
    expect(applied.body.providerDepartment.id).to.equal(t.deptA.id);
    expect(new Date(applied.body.dueAt).getTime()).to.be.greaterThan(Date.now() + 10 * 86_400_000);
    const id = applied.body.id;

    // a second one while the first waits is refused; so is reading before an answer
    const again = await apply(applicationDoc(code)).expect(409);
    expect(again.body.error.message).to.contain(`application ${id}`);
    const early = await request(t.app).get(`/api/v1/shared/${enc()}/rows`).query({ purpose: '研究' }).set(t.auth('developer')).expect(403);
    expect(early.body.error.message).to.contain('waits for the providing department');

    // only the providing department's officer answers
    await request(t.app).post(`/api/v1/open-applications/${id}/approve`).set(t.auth('officer', 'B')).send({}).expect(403);
    await request(t.app).post(`/api/v1/open-applications/${id}/approve`).set(t.auth('developer')).send({}).expect(403);
    // an approval narrows, never widens
    const wider = await request(t.app).post(`/api/v1/open-applications/${id}/approve`).set(t.auth('officer')).send({ items: ['credit_code', 'founded_on'], rateLimit: 1000 }).expect(422);
    expect(wider.body.error.details.map((d: { path: string }) => d.path)).to.have.members(['/items', '/rateLimit']);

    const firstTwo = licenceCsv(1, 2).split('\n').slice(1, 3).map((l) => l.split(',')[0]);
    const approved = await request(t.app)
      .post(`/api/v1/open-applications/${id}/approve`)
      .set(t.auth('officer'))
      .send({ items: ['credit_code', 'company_name'], rowFilter: [{ column: 'credit_code', op: 'in', value: firstTwo }], period: { kind: '30d' }, rateLimit: 10, note: '限研究使用' })
      .expect(200);
    expect(approved.body).to.include({ state: 'granted', waitingFor: null, late: false, dueAt: null, note: '限研究使用' });
    const grant = approved.body.grant;
    expect(grant).to.include({ developerId: t.principals.developer.id, consumerDepartmentId: null, applicationId: id, requestId: null, providerDepartmentId: t.deptA.id, rateLimit: 10, mode: 'query', live: true });
    expect(grant.items).to.deep.equal(['credit_code', 'company_name']);

    // the developer's key reads the approved items of the approved rows, nothing else
    await resetRateLimits(t.knex);
    const read = await request(t.app).get(`/api/v1/shared/${enc()}/rows`).query({ purpose: '市场主体结构研究' }).set(t.auth('developer')).expect(200);
    expect(read.body.items).to.have.length(2);
    for (const row of read.body.items) expect(Object.keys(row).sort()).to.deep.equal(['company_name', 'credit_code']);
    expect(read.body.items.map((r: { credit_code: string }) => r.credit_code).sort()).to.deep.equal([...firstTwo].sort());
    expect(read.headers['ratelimit-policy']).to.equal('"grant";q=10;w=60');
    const outside = await request(t.app).get(`/api/v1/shared/${enc()}/rows`).query({ purpose: '研究', fields: 'legal_person' }).set(t.auth('developer')).expect(403);
    expect(outside.body.error.message).to.contain('legal_person');
    await request(t.app).get(`/api/v1/shared/${enc()}/rows`).set(t.auth('developer')).expect(400);
    // another developer, and a department's credential, hold nothing
    await request(t.app).get(`/api/v1/shared/${enc()}/rows`).query({ purpose: '研究' }).set(t.auth('developer', 'B')).expect(403);
    await request(t.app).get(`/api/v1/shared/${enc()}/rows`).query({ purpose: '研究' }).set(t.auth('consumer', 'B')).expect(403);
    // a download needs a download grant
    await request(t.app).get(`/api/v1/shared/${enc()}/download`).query({ purpose: '研究' }).set(t.auth('developer')).expect(403);

    // the read is audited with the developer, the grant and the purpose
    await chainPending(t.knex);
    const ev = await t.knex('odx.audit_events').where({ action: 'shared.rows', actor_id: t.principals.developer.id }).orderBy('seq', 'desc').first();
    expect(ev.purpose).to.equal('市场主体结构研究');
    expect(ev.detail.grant).to.equal(grant.id);
    for (const action of ['open_application.submit', 'open_application.approve', 'grant.create']) {
      expect(await t.knex('odx.audit_events').where({ action }).first('seq'), action).to.not.equal(undefined);
    }

    // the developer sees their application with its grant; another developer does not
    const mine = await request(t.app).get('/api/v1/open-applications').set(t.auth('developer')).expect(200);
    expect(mine.body.items.map((a: { id: number }) => a.id)).to.include(id);
    const theirs = await request(t.app).get('/api/v1/open-applications').set(t.auth('developer', 'B')).expect(200);
    expect(theirs.body.items).to.deep.equal([]);
    await request(t.app).get(`/api/v1/open-applications/${id}`).set(t.auth('developer', 'B')).expect(403);
    const shown = await request(t.app).get(`/api/v1/open-applications/${id}`).set(t.auth('developer')).expect(200);
    expect(shown.body.grant.id).to.equal(grant.id);

    // revocation is in force on the next request
    await request(t.app).post(`/api/v1/grants/${grant.id}/revoke`).set(t.auth('officer')).send({ reason: '发现超范围使用' }).expect(200);
    const after = await request(t.app).get(`/api/v1/shared/${enc()}/rows`).query({ purpose: '研究' }).set(t.auth('developer')).expect(403);
    expect(after.body.error.message).to.contain('revoked').and.contain('发现超范围使用');
  });

  it('serves masked items masked, as the resource rules', async () => {
    const r = await conditionalResource(t.knex, t.deptA.uscc, { name: '企业法人信息' });
    await loadCsv(t.knex, r.id, licenceCsv(1, 3));
    const id = (await apply(applicationDoc(r.code, { items: ['credit_code', 'legal_person'] }), t.auth('developer', 'B')).expect(201)).body.id;
    await request(t.app).post(`/api/v1/open-applications/${id}/approve`).set(t.auth('officer')).send({}).expect(200);
    const read = await request(t.app).get(`/api/v1/shared/${encodeURIComponent(r.code)}/rows`).query({ purpose: '研究' }).set(t.auth('developer', 'B')).expect(200);
    const names = read.body.items.map((x: { legal_person: string }) => x.legal_person);
    expect(names).to.have.length(3);
    for (const n of names) expect(n).to.match(/^张\*+$/);
  });

  it('refuses with a reason the developer sees, and the read says so', async () => {
    const r = await conditionalResource(t.knex, t.deptA.uscc, { name: '企业年报信息' });
    await loadCsv(t.knex, r.id, licenceCsv(1, 2));
    const id = (await apply(applicationDoc(r.code)).expect(201)).body.id;
    await request(t.app).post(`/api/v1/open-applications/${id}/refuse`).set(t.auth('officer')).send({}).expect(400);
    const refused = await request(t.app).post(`/api/v1/open-applications/${id}/refuse`).set(t.auth('officer')).send({ reason: '申请单位不属于研究机构' }).expect(200);
    expect(refused.body).to.include({ state: 'refused', reason: '申请单位不属于研究机构', grant: null, late: false });
    const again = await request(t.app).post(`/api/v1/open-applications/${id}/approve`).set(t.auth('officer')).send({}).expect(409);
    expect(again.body.error.code).to.equal('state_conflict');
    const read = await request(t.app).get(`/api/v1/shared/${encodeURIComponent(r.code)}/rows`).query({ purpose: '研究' }).set(t.auth('developer')).expect(403);
    expect(read.body.error.message).to.contain('申请单位不属于研究机构');
  });

  it('counts the limit in working days: overdue after it, and a late answer is marked late', async () => {
    const r = await conditionalResource(t.knex, t.deptA.uscc, { name: '企业变更信息' });
    // submitted on Friday 13 February 2026: ten working days count the 调休 Saturday 14th and skip 春节 (15–23 Feb): due at 24:00 on Thursday 5 March
    setClock(() => new Date('2026-02-13T02:00:00Z'));
    const applied = (await apply(applicationDoc(r.code)).expect(201)).body;
    expect(applied.dueAt).to.equal('2026-03-05T16:00:00.000Z');
    setClock(() => new Date('2026-03-05T15:59:00Z'));
    let overdue = await request(t.app).get('/api/v1/open-applications').query({ overdue: 'true', state: 'provider_review' }).set(t.auth('officer')).expect(200);
    expect(overdue.body.items.map((a: { id: number }) => a.id)).not.to.include(applied.id);
    setClock(() => new Date('2026-03-05T16:00:00Z'));
    overdue = await request(t.app).get('/api/v1/open-applications').query({ overdue: 'true' }).set(t.auth('authority')).expect(200);
    const item = overdue.body.items.find((a: { id: number }) => a.id === applied.id);
    expect(item).to.include({ overdue: true, state: 'provider_review' });
    const late = await request(t.app).post(`/api/v1/open-applications/${applied.id}/refuse`).set(t.auth('officer')).send({ reason: '逾期后仍不予开放' }).expect(200);
    expect(late.body.late).to.equal(true);
  });

  it('takes the limit from ODX_OPEN_APPLICATION_DAYS', async () => {
    const t2 = await testApp({ env: { ODX_OPEN_APPLICATION_DAYS: '3' } });
    try {
      const r = await conditionalResource(t2.knex, t2.deptA.uscc);
      setClock(() => new Date('2026-03-02T02:00:00Z'));
      const applied = await request(t2.app).post('/api/v1/open-applications').set(t2.auth('developer')).send(applicationDoc(r.code)).expect(201);
      expect(applied.body.limitDays).to.equal(3);
      expect(applied.body.dueAt).to.equal('2026-03-05T16:00:00.000Z');
    } finally {
      await t2.close();
    }
  });

  it('answers bad input with 400 and the field’s path, in Chinese and English', async () => {
    const bad = await apply(applicationDoc(code, { organisation: { name: '滨海大学', kind: 'institution', uscc: '123502004266000003' } })).expect(400);
    expect(bad.body.error.code).to.equal('invalid_document');
    const problem = bad.body.error.details.find((d: { path: string }) => d.path === '/organisation/uscc');
    expect(problem.messageZh).to.contain('统一社会信用代码');
    expect(problem.message).to.match(/[a-z]/);
    const missing = await apply(applicationDoc(code, { organisation: { name: '滨海大学', kind: 'enterprise' }, commitments: { purposeOnly: true } })).expect(400);
    const paths = missing.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).to.include('/organisation/uscc');
    expect(paths).to.include('/commitments/deleteOnExpiry');
    // an individual gives no USCC
    const person = await apply(applicationDoc(code, { organisation: { name: '王同学', kind: 'individual' }, items: ['capital'] }), t.auth('developer', 'B')).expect(201);
    expect(person.body.application.organisation.kind).to.equal('individual');
    const unknown = await apply(applicationDoc(code, { items: ['credit_code', 'no_such_item'] })).expect(400);
    expect(unknown.body.error.details[0]).to.include({ path: '/items' });
    expect(unknown.body.error.details[0].messageZh).to.contain('no_such_item');
    const open = await publishedResource(t.knex, t.deptA.uscc, { name: '公开的企业信息' });
    const notConditional = await apply(applicationDoc(open.code)).expect(400);
    expect(notConditional.body.error.details[0].messageZh).to.contain('无条件开放');
    const extra = await apply({ ...applicationDoc(code), secret: 1 }).expect(400);
    expect(extra.body.error.details[0].path).to.equal('/secret');
    // only developers apply
    await apply(applicationDoc(code), t.auth('officer')).expect(403);
    await request(t.app).post('/api/v1/open-applications').send(applicationDoc(code)).expect(401);
  });

  it('lets the developer withdraw a waiting application', async () => {
    const r = await conditionalResource(t.knex, t.deptA.uscc, { name: '企业注销信息' });
    const id = (await apply(applicationDoc(r.code)).expect(201)).body.id;
    await request(t.app).post(`/api/v1/open-applications/${id}/withdraw`).set(t.auth('developer', 'B')).send({}).expect(403);
    const w = await request(t.app).post(`/api/v1/open-applications/${id}/withdraw`).set(t.auth('developer')).send({ note: '改用其他数据' }).expect(200);
    expect(w.body).to.include({ state: 'withdrawn', dueAt: null });
    await apply(applicationDoc(r.code)).expect(201);
  });
});
