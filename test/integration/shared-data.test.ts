import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import request from '../helpers/request-en.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { verifyChain } from '../../server/src/audit/verify.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { setClock } from '../../server/src/sharing/clock.ts';
import { resetRateLimits } from '../../server/src/sharing/grant-rate.ts';
import { clearOfWindowEnd } from '../helpers/rate.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { licenceCsv, loadCsv } from '../helpers/census.ts';
import { requestBetween, systemOf } from '../helpers/sharing.ts';

const code = (i: number) => withUsccCheck(`91350200MA${String(1000000 + i).padStart(7, '0')}`);
const PURPOSE = encodeURIComponent('企业开办审批核验营业执照');

/** The sharing data API: a grant enforced on every read — items, rows, masking, period, rate, revocation — and every read audited. */
describe('sharing data API under a grant', function () {
  this.timeout(120_000);
  let t: TestApp;
  let cred: { Authorization: string };
  let resource: Record<string, any>;
  let grant: Record<string, any>;

  const rows = (query: Record<string, string> = {}, who = cred) =>
    request(t.app).get(`/api/v1/shared/${encodeURIComponent(resource.code)}/rows`).query(query).set(who).set('X-ODX-Purpose', PURPOSE);

  before(async () => {
    t = await testApp();
    const sys = await systemOf(t.knex, t.deptA);
    const created = await request(t.app).post('/api/v1/consumer-credentials').set(t.auth('officer')).send({ systemId: sys, login: 'a.sys.rows' }).expect(201);
    cred = { Authorization: `Bearer ${created.body.token.secret}` };
    const walked = await requestBetween(t.knex, t.deptA, t.deptB, { to: 'provider_review', doc: { items: ['credit_code', 'company_name', 'legal_person'] } });
    resource = walked.resource;
    await loadCsv(t.knex, resource.id, licenceCsv(1, 20));
    const approved = await request(t.app)
      .post(`/api/v1/share-requests/${walked.request.id}/approve`)
      .set(t.auth('officer', 'B'))
      .send({ rowFilter: [{ column: 'credit_code', op: 'in', value: [code(1), code(2), code(3), code(4)] }], rateLimit: 6 })
      .expect(200);
    grant = approved.body.grant;
  });
  after(async () => {
    setClock(null);
    await t.close();
  });
  afterEach(async () => {
    setClock(null);
    await resetRateLimits(t.knex);
  });

  it('serves only the granted items, only the rows inside the grant’s filter, masked', async () => {
    const res = await rows().expect(200);
    expect(res.body.grant).to.equal(grant.id);
    expect(res.body.items.map((r: { credit_code: string }) => r.credit_code)).to.deep.equal([code(1), code(2), code(3), code(4)]);
    expect(Object.keys(res.body.items[0])).to.deep.equal(['credit_code', 'company_name', 'legal_person']);
    expect(res.body.items[0].legal_person).to.equal('张*');
    const filtered = await rows({ 'filter[company_name]': '滨海市示例贸易有限公司9' }).expect(200);
    expect(filtered.body.items, 'a row outside the grant does not exist for the consumer').to.deep.equal([]);
    // the same query shape again (its statement is made once) keeps the grant's filter and takes this request's value
    const inside = await rows({ 'filter[company_name]': '滨海市示例贸易有限公司2' }).expect(200);
    expect(inside.body.items.map((r: { credit_code: string }) => r.credit_code)).to.deep.equal([code(2)]);
    expect((await rows({ 'filter[company_name]': '滨海市示例贸易有限公司9' }).expect(200)).body.items).to.deep.equal([]);
  });

  it('answers 403 naming items outside the grant', async () => {
    const res = await rows({ fields: 'credit_code,capital,founded_on' }).expect(403);
    expect(res.body.error.message).to.contain('capital').and.contain('founded_on');
    expect(res.body.error.details.columns).to.have.members(['capital', 'founded_on']);
    await rows({ 'filter[capital][gt]': '1' }).expect(403);
  });

  it('requires a stated purpose', async () => {
    const res = await request(t.app).get(`/api/v1/shared/${encodeURIComponent(resource.code)}/rows`).set(cred).expect(400);
    expect(res.body.error.details[0].path).to.equal('/purpose');
  });

  it('keeps to the grant’s call rate (429 with Retry-After)', async () => {
    await clearOfWindowEnd(60, 5);
    for (let i = 0; i < 6; i++) await rows().expect(200);
    const limited = await rows().expect(429);
    expect(Number(limited.headers['retry-after'])).to.be.greaterThan(0);
  });

  it('refuses other departments, other modes, and reads outside the period', async () => {
    await rows({}, t.auth('consumer', 'B')).expect(403);
    const download = await request(t.app).get(`/api/v1/shared/${encodeURIComponent(resource.code)}/download`).query({ purpose: 'x核验' }).set(cred).expect(403);
    expect(download.body.error.message).to.contain("no 'download' grant");
    const later = new Date(Date.now() + 400 * 86_400_000);
    setClock(() => later);
    const late = await rows().expect(403);
    expect(late.body.error.message).to.match(/expired/);
  });

  it('shows values raw only where the provider approved exactly that, and downloads under a download grant', async () => {
    const walked = await requestBetween(t.knex, t.deptA, t.deptB, { to: 'provider_review', mode: 'download', doc: { items: ['credit_code', 'legal_person'] } });
    await loadCsv(t.knex, walked.resource.id, licenceCsv(1, 5));
    await request(t.app).post(`/api/v1/share-requests/${walked.request.id}/approve`).set(t.auth('officer', 'B')).send({ raw: ['legal_person'] }).expect(200);
    const res = await request(t.app)
      .get(`/api/v1/shared/${encodeURIComponent(walked.resource.code)}/download`)
      .query({ format: 'csv', purpose: '人才引进资格审核' })
      .set(cred)
      .expect(200);
    const out = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(out).to.have.length(5);
    expect(Object.keys(out[0])).to.deep.equal(['credit_code', 'legal_person']);
    expect(out[0].legal_person).to.equal('张1');
  });

  it('stops serving on the next request after a revocation', async () => {
    await rows().expect(200);
    await request(t.app).post(`/api/v1/grants/${grant.id}/revoke`).set(t.auth('officer', 'B')).send({ reason: '超范围使用' }).expect(200);
    const res = await rows().expect(403);
    expect(res.body.error.message).to.contain('revoked');
  });

  it('puts every read on the audit trail with grant, caller, purpose and rows, and the chain verifies', async () => {
    await chainPending(t.knex);
    const events = await t.knex('odx.audit_events').whereIn('action', ['shared.rows', 'shared.download']).orderBy('seq');
    expect(events.length).to.be.greaterThan(5);
    const first = events[0];
    expect(first).to.include({ actor: 'principal:a.sys.rows', purpose: '企业开办审批核验营业执照', rows: 4 });
    expect(first.detail).to.include({ grant: grant.id, code: resource.code });
    expect(first.detail.system).to.be.a('number');
    expect(events.find((e: { action: string }) => e.action === 'shared.download')).to.include({ purpose: '人才引进资格审核', rows: 5 });
    expect((await verifyChain(t.knex)).ok).to.equal(true);
  });
});
