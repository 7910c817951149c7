import { expect } from 'chai';
import request from '../helpers/request-en.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { verifyChain } from '../../server/src/audit/verify.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { setClock } from '../../server/src/sharing/clock.ts';
import { resetRateLimits } from '../../server/src/sharing/grant-rate.ts';
import { clearOfWindowEnd } from '../helpers/rate.ts';
import { makeConsumer, makeDepartment, testApp, type TestApp } from '../helpers/app.ts';
import { licenceCsv, loadCsv, publishedResource } from '../helpers/census.ts';
import { CONDITIONAL, shareDoc, systemOf } from '../helpers/sharing.ts';

const code = (i: number) => withUsccCheck(`91350200MA${String(1000000 + i).padStart(7, '0')}`);
const PURPOSE = '企业开办核验营业执照，免于提交纸质材料';

/** 核验: yes or no, no data — on granted items only, inside the grant's rows, within its rate, audited like a read. */
describe('verification (核验) on a verify grant', function () {
  this.timeout(120_000);
  let t: TestApp;
  let cred: { Authorization: string };
  let licence: Record<string, any>;
  before(async () => {
    t = await testApp();
    licence = await publishedResource(t.knex, t.deptB.uscc);
    await loadCsv(t.knex, licence.id, licenceCsv(1, 5));
    const sys = await systemOf(t.knex, t.deptA);
    const created = await request(t.app).post('/api/v1/consumer-credentials').set(t.auth('officer')).send({ systemId: sys, login: 'a.sys.verify' }).expect(201);
    cred = { Authorization: `Bearer ${created.body.token.secret}` };
    const granted = await request(t.app).post('/api/v1/share-requests').set(t.auth('registrar')).send(shareDoc(licence.code, { accessMode: 'verify', consumerSystem: sys })).expect(201);
    expect(granted.body.state).to.equal('granted');
  });
  after(async () => {
    setClock(null);
    await t.close();
  });
  afterEach(() => setClock(null));

  const verify = (resourceCode: string, body: object, who = cred) =>
    request(t.app).post(`/api/v1/shared/${encodeURIComponent(resourceCode)}/verify`).set(who).send(body);

  it('answers { matched: true } for a record with these values and { matched: false } otherwise, and nothing else', async () => {
    const yes = await verify(licence.code, { match: { credit_code: code(3), company_name: '滨海市示例贸易有限公司3' }, purpose: PURPOSE }).expect(200);
    expect(yes.body).to.deep.equal({ matched: true });
    const no = await verify(licence.code, { match: { credit_code: code(3), company_name: '滨海市示例贸易有限公司4' }, purpose: PURPOSE }).expect(200);
    expect(no.body).to.deep.equal({ matched: false });
    const unknown = await verify(licence.code, { match: { credit_code: code(99) }, purpose: PURPOSE }).expect(200);
    expect(unknown.body).to.deep.equal({ matched: false });
    // a masked item is compared with the real value, which still never leaves
    expect((await verify(licence.code, { match: { credit_code: code(2), legal_person: '张2' }, purpose: PURPOSE }).expect(200)).body).to.deep.equal({ matched: true });
    // by id as well as by code
    expect((await verify(String(licence.id), { match: { credit_code: code(1) }, purpose: PURPOSE }).expect(200)).body).to.deep.equal({ matched: true });
  });

  it('matches on granted items only, naming the others', async () => {
    const res = await verify(licence.code, { match: { credit_code: code(1), capital: '10.50' }, purpose: PURPOSE }).expect(403);
    expect(res.body.error.message).to.equal('not granted: capital (grant 1 covers credit_code, company_name, legal_person)');
    expect(res.body.error.details.items).to.deep.equal(['capital']);
  });

  it('needs a purpose and well-formed values', async () => {
    const none = await verify(licence.code, { match: { credit_code: code(1) } }).expect(400);
    expect(none.body.error.message).to.contain('purpose');
    await request(t.app)
      .post(`/api/v1/shared/${encodeURIComponent(licence.code)}/verify`)
      .set(cred)
      .set('X-ODX-Purpose', encodeURIComponent(PURPOSE))
      .send({ match: { credit_code: code(1) } })
      .expect(200);
    await verify(licence.code, { match: {}, purpose: PURPOSE }).expect(400);
    await verify(licence.code, { match: { credit_code: { $ne: null } }, purpose: PURPOSE }).expect(400);
    // typed items: a date item needs a date
    const dated = await publishedResource(t.knex, t.deptB.uscc);
    await loadCsv(t.knex, dated.id, licenceCsv(1, 3));
    await request(t.app).post('/api/v1/share-requests').set(t.auth('registrar')).send(shareDoc(dated.code, { accessMode: 'verify', items: ['credit_code', 'founded_on', 'capital'] })).expect(201);
    const bad = await verify(dated.code, { match: { credit_code: code(1), founded_on: 'soon', capital: 'many' }, purpose: PURPOSE }).expect(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['/match/founded_on', '/match/capital']);
    expect((await verify(dated.code, { match: { founded_on: '2021-03-02', capital: 10.5 }, purpose: PURPOSE }).expect(200)).body).to.deep.equal({ matched: true });
  });

  it('refuses a caller without a live verify grant, saying why', async () => {
    const noGrant = await verify(licence.code, { match: { credit_code: code(1) }, purpose: PURPOSE }, t.auth('consumer', 'B')).expect(403);
    expect(noGrant.body.error.message).to.contain("holds no 'verify' grant");
    for (const role of ['officer', 'registrar', 'authority', 'admin'] as const) {
      await verify(licence.code, { match: { credit_code: code(1) }, purpose: PURPOSE }, t.auth(role)).expect(403);
    }
    const queryOnly = await publishedResource(t.knex, t.deptB.uscc);
    await loadCsv(t.knex, queryOnly.id, licenceCsv(1, 2));
    await request(t.app).post('/api/v1/share-requests').set(t.auth('registrar')).send(shareDoc(queryOnly.code)).expect(201);
    const wrongMode = await verify(queryOnly.code, { match: { credit_code: code(1) }, purpose: PURPOSE }).expect(403);
    expect(wrongMode.body.error.message).to.contain("holds no 'verify' grant").and.contain("(it holds 'query')");
    await verify('102/999999', { match: { credit_code: code(1) }, purpose: PURPOSE }).expect(404);
  });

  it('answers only inside the grant’s row filter', async () => {
    const cond = await publishedResource(t.knex, t.deptB.uscc, CONDITIONAL);
    await loadCsv(t.knex, cond.id, licenceCsv(1, 5));
    const sent = await request(t.app)
      .post('/api/v1/share-requests')
      .set(t.auth('registrar'))
      .send(shareDoc(cond.code, { accessMode: 'verify', legalBasis: '《优化营商环境条例》第三十五条' }))
      .expect(201);
    await request(t.app)
      .post(`/api/v1/share-requests/${sent.body.id}/approve`)
      .set(t.auth('officer', 'B'))
      .send({ items: ['credit_code', 'company_name'], rowFilter: [{ column: 'founded_on', op: 'in', value: ['2021-03-02', '2021-03-03'] }] })
      .expect(200);
    // rows 1 and 2 were founded on 2021-03-02 and -03; row 4 on 2021-03-05
    expect((await verify(cond.code, { match: { credit_code: code(1) }, purpose: PURPOSE }).expect(200)).body).to.deep.equal({ matched: true });
    expect((await verify(cond.code, { match: { credit_code: code(4) }, purpose: PURPOSE }).expect(200)).body).to.deep.equal({ matched: false });
    await verify(cond.code, { match: { legal_person: '张1' }, purpose: PURPOSE }).expect(403);
  });

  it('keeps to the grant’s call rate per minute (429 with Retry-After)', async () => {
    const limited = await publishedResource(t.knex, t.deptB.uscc);
    await loadCsv(t.knex, limited.id, licenceCsv(1, 2));
    const g = (await request(t.app).post('/api/v1/share-requests').set(t.auth('registrar')).send(shareDoc(limited.code, { accessMode: 'verify', expectedCallRate: 2 })).expect(201)).body
      .grant;
    expect(g.rateLimit).to.equal(2);
    await resetRateLimits(t.knex);
    await clearOfWindowEnd(60, 5);
    await verify(limited.code, { match: { credit_code: code(1) }, purpose: PURPOSE }).expect(200);
    await verify(limited.code, { match: { credit_code: code(1) }, purpose: PURPOSE }).expect(200);
    const over = await verify(limited.code, { match: { credit_code: code(1) }, purpose: PURPOSE }).expect(429);
    expect(over.body.error.code).to.equal('rate_limited');
    expect(over.body.error.message).to.contain(`grant ${g.id} allows 2 calls per minute`);
    expect(Number(over.headers['retry-after'])).to.be.within(1, 60);
    expect(over.headers['ratelimit-policy']).to.equal('"grant";q=2;w=60');
  });

  it('stops answering on the next request after a revocation, and after the period ends', async () => {
    const res = await publishedResource(t.knex, t.deptB.uscc);
    await loadCsv(t.knex, res.id, licenceCsv(1, 2));
    const g = (await request(t.app).post('/api/v1/share-requests').set(t.auth('registrar')).send(shareDoc(res.code, { accessMode: 'verify', period: { kind: '30d' } })).expect(201)).body
      .grant;
    await verify(res.code, { match: { credit_code: code(1) }, purpose: PURPOSE }).expect(200);
    setClock(() => new Date(Date.parse(g.endsAt) + 1));
    expect((await verify(res.code, { match: { credit_code: code(1) }, purpose: PURPOSE }).expect(403)).body.error.message).to.contain('expired at');
    setClock(null);
    await verify(res.code, { match: { credit_code: code(1) }, purpose: PURPOSE }).expect(200);
    await request(t.app).post(`/api/v1/grants/${g.id}/revoke`).set(t.auth('officer', 'B')).send({ reason: '停止核验服务' }).expect(200);
    const after = await verify(res.code, { match: { credit_code: code(1) }, purpose: PURPOSE }).expect(403);
    expect(after.body.error.message).to.contain('was revoked').and.contain('停止核验服务');
  });

  it('says when no data is loaded yet', async () => {
    const empty = await publishedResource(t.knex, t.deptB.uscc);
    await request(t.app).post('/api/v1/share-requests').set(t.auth('registrar')).send(shareDoc(empty.code, { accessMode: 'verify' })).expect(201);
    const res = await verify(empty.code, { match: { credit_code: code(1) }, purpose: PURPOSE }).expect(409);
    expect(res.body.error.message).to.equal(`no data is loaded for resource ${empty.code} yet; nothing can be verified`);
  });

  it('audits every verification like a read: grant, caller, system, purpose, items, answer, no values, no rows', async () => {
    await chainPending(t.knex);
    const events = await t.knex('odx.audit_events').where({ action: 'shared.verify' }).orderBy('seq');
    expect(events.length).to.be.at.least(8);
    const first = events[0];
    expect(first).to.include({ actor: 'principal:a.sys.verify', department_id: t.deptA.id, target_type: 'grant', target_id: '1', purpose: PURPOSE });
    expect(Number(first.rows)).to.equal(0);
    expect(first.detail).to.include({ resource: licence.code, matched: true, provider: t.deptB.id, version: 1 });
    expect(first.detail.items).to.deep.equal(['credit_code', 'company_name']);
    expect(first.detail.system).to.be.a('number');
    expect(JSON.stringify(events.map((e: { detail: unknown }) => e.detail))).not.to.contain(code(3)).and.not.to.contain('张2');
    const r = await verifyChain(t.knex);
    expect(r.ok, r.problem).to.equal(true);
  });

  it('is only for consumers of another department', async () => {
    const d = await makeDepartment(t.knex, '测试丙局');
    const c = await makeConsumer(t.knex, 'c.consumer', d);
    await verify(licence.code, { match: { credit_code: code(1) }, purpose: PURPOSE }, { Authorization: `Bearer ${c.token}` }).expect(403);
  });
});
