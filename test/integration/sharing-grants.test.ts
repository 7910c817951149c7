import { expect } from 'chai';
import request from '../helpers/request-en.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { verifyChain } from '../../server/src/audit/verify.ts';
import { setClock } from '../../server/src/sharing/clock.ts';
import { enforceRate, resetRateLimits } from '../../server/src/sharing/grant-rate.ts';
import { liveGrant, whyNoGrant, requireGrant, assertGrantedItems } from '../../server/src/sharing/live-grants.ts';
import { purposeOf } from '../../server/src/sharing/purpose.ts';
import { createKnex } from '../../server/src/db/connect.ts';
import { HttpError } from '../../server/src/http/errors.ts';
import { clearOfWindowEnd } from '../helpers/rate.ts';
import { rowFilterSql } from '../../server/src/data/row-conditions.ts';
import { makeDepartment, makePrincipal, testApp, type Dept, type TestApp } from '../helpers/app.ts';
import { publishedResource } from '../helpers/census.ts';
import { requestBetween, shareDoc, systemOf } from '../helpers/sharing.ts';

/** Grants: what they say, who sees them, suspension, revocation, expiry, supersession, and the API the sharing data routes enforce. */
describe('sharing grants and consumer credentials', function () {
  this.timeout(120_000);
  let t: TestApp;
  let deptC: Dept;
  before(async () => {
    t = await testApp();
    deptC = await makeDepartment(t.knex, '测试丙局');
  });
  after(async () => {
    setClock(null);
    await t.close();
  });
  afterEach(() => setClock(null));

  const api = () => request(t.app);
  const conditionalGrant = async (terms: Record<string, unknown> = {}, doc: Record<string, unknown> = {}) => {
    const { request: r, resource } = await requestBetween(t.knex, t.deptA, t.deptB, { to: 'provider_review', doc });
    const res = await api().post(`/api/v1/share-requests/${r.id}/approve`).set(t.auth('officer', 'B')).send(terms).expect(200);
    return { grant: res.body.grant, resource, requestId: r.id };
  };

  describe('the grant API the sharing data routes enforce', () => {
    it('liveGrant returns the grant in force with its items, row filter, raw items, rate and period', async () => {
      const rowFilter = [{ column: 'company_name', op: 'eq', value: '滨海市示例贸易有限公司1' }];
      const { grant, resource } = await conditionalGrant({ items: ['credit_code', 'legal_person'], raw: ['legal_person'], rowFilter, rateLimit: 20 }, { expectedCallRate: 50 });
      const live = await liveGrant(t.knex, { departmentId: t.deptA.id, resourceId: resource.id, mode: 'query' });
      expect(live).to.deep.include({
        id: grant.id,
        consumerDepartmentId: t.deptA.id,
        providerDepartmentId: t.deptB.id,
        resourceId: resource.id,
        resourceCode: resource.code,
        mode: 'query',
        items: ['credit_code', 'legal_person'],
        rowFilter,
        raw: ['legal_person'],
        rateLimit: 20,
        endsAt: live!.endsAt,
      });
      expect(live!.startsAt).to.be.instanceOf(Date);
      expect(await liveGrant(t.knex, { departmentId: t.deptA.id, resourceId: resource.id, mode: 'download' })).to.equal(null);
      expect((await whyNoGrant(t.knex, { departmentId: t.deptA.id, resourceId: resource.id, mode: 'download' })).en).to.equal(
        `your department holds no 'download' grant on resource ${resource.code} (it holds 'query'); request one: POST /api/v1/share-requests`,
      );
      expect(await liveGrant(t.knex, { departmentId: t.deptB.id, resourceId: resource.id, mode: 'query' }), 'the provider holds no grant').to.equal(null);
      expect(await liveGrant(t.knex, { departmentId: null, resourceId: resource.id, mode: 'query' })).to.equal(null);
      expect(() => assertGrantedItems(live!, ['credit_code', 'company_name', 'capital'])).to.throw('not granted: company_name, capital');
      const sql = rowFilterSql(live!.rowFilter, 't');
      expect(sql).to.deep.equal({ sql: '(t."company_name" = ?)', bindings: ['滨海市示例贸易有限公司1'] });
      expect(rowFilterSql([{ column: 'region', op: 'in', value: ['350203', '350206'] }, { column: 'kind', op: 'eq', value: 'a' }])).to.deep.equal({
        sql: '("region" in (?, ?)) and ("kind" = ?)',
        bindings: ['350203', '350206', 'a'],
      });
      expect(rowFilterSql([])).to.deep.equal({ sql: 'true', bindings: [] });
    });

    it('takes calls from a per-grant budget of rateLimit per minute that every server process shares', async () => {
      const g = { id: 987654, rateLimit: 2 };
      // a second process: its own connections and its own limiter
      const other = createKnex(t.db.url, { min: 0, max: 2 });
      try {
        await resetRateLimits(t.knex);
        await clearOfWindowEnd(60, 5);
        await enforceRate(t.knex, g);
        await enforceRate(other, g);
        const refused = await enforceRate(t.knex, g).then(() => null, (e: HttpError) => e);
        expect(refused).to.be.instanceOf(HttpError);
        expect(refused!.status).to.equal(429);
        expect((refused!.details as { retryAfterSeconds: number }).retryAfterSeconds).to.be.within(1, 60);
        expect(await enforceRate(other, g).then(() => 'allowed', () => 'refused'), 'in the other process too').to.equal('refused');
      } finally {
        await other.destroy();
        await resetRateLimits(t.knex);
      }
    });

    it('requires a stated purpose', () => {
      const req = (query: Record<string, unknown>, headers: Record<string, string> = {}) => ({ query, get: (h: string) => headers[h.toLowerCase()] }) as never;
      expect(purposeOf(req({ purpose: '企业开办核验' }))).to.equal('企业开办核验');
      expect(purposeOf(req({}, { 'x-odx-purpose': encodeURIComponent('低保审核') }))).to.equal('低保审核');
      expect(purposeOf(req({}), '出生一件事')).to.equal('出生一件事');
      expect(() => purposeOf(req({}))).to.throw('states its purpose');
    });
  });

  describe('seeing grants', () => {
    it('shows a grant to its consumer (including its system credentials) and its provider, not to others', async () => {
      const { grant } = await conditionalGrant();
      for (const who of [t.auth('officer'), t.auth('registrar'), t.auth('consumer'), t.auth('officer', 'B'), t.auth('registrar', 'B'), t.auth('authority'), t.auth('admin')]) {
        const res = await api().get(`/api/v1/grants/${grant.id}`).set(who).expect(200);
        expect(res.body).to.include({ id: grant.id, status: 'active', live: true });
      }
      const outsider = await makePrincipal(t.knex, `c.officer${grant.id}`, deptC.id, ['officer']);
      const res = await api().get(`/api/v1/grants/${grant.id}`).set({ Authorization: `Bearer ${outsider.token}` }).expect(403);
      expect(res.body.error.message).to.equal('this belongs to another department');
      await api().get('/api/v1/grants/999999').set(t.auth('authority')).expect(404);

      const ids = async (who: { Authorization: string }, q: Record<string, string> = {}) =>
        (await api().get('/api/v1/grants').query(q).set(who).expect(200)).body.items.map((g: { id: number }) => g.id);
      expect(await ids(t.auth('consumer'))).to.include(grant.id);
      expect(await ids(t.auth('officer'), { role: 'provider' })).not.to.include(grant.id);
      expect(await ids(t.auth('officer', 'B'), { role: 'provider' })).to.include(grant.id);
      expect(await ids(t.auth('officer', 'B'), { role: 'consumer' })).not.to.include(grant.id);
      expect(await ids(t.auth('authority'), { status: 'active', mode: 'query' })).to.include(grant.id);
      expect(await ids(t.auth('authority'), { status: 'revoked' })).not.to.include(grant.id);
    });
  });

  describe('suspend, resume, revoke', () => {
    it('lets the provider’s officer or the authority suspend and resume, taking effect at once', async () => {
      const { grant, resource } = await conditionalGrant();
      const q = { departmentId: t.deptA.id, resourceId: resource.id, mode: 'query' as const };
      const to = (s: string, who: { Authorization: string }, body: object = { reason: '发现超范围使用' }) => api().post(`/api/v1/grants/${grant.id}/${s}`).set(who).send(body);
      expect((await to('suspend', t.auth('officer')).expect(403)).body.error.message).to.equal(`only the provider department may suspend grant ${grant.id}; your department is its consumer`);
      await to('suspend', t.auth('registrar', 'B')).expect(403);
      await to('suspend', t.auth('consumer')).expect(403);
      await to('suspend', t.auth('officer', 'B'), {}).expect(400);
      const suspended = await to('suspend', t.auth('officer', 'B')).expect(200);
      expect(suspended.body).to.include({ status: 'suspended', live: false, statusReason: '发现超范围使用' });
      expect(await liveGrant(t.knex, q)).to.equal(null);
      expect((await whyNoGrant(t.knex, q)).en).to.match(new RegExp(`^grant ${grant.id} on resource .* is suspended since .*: 发现超范围使用$`));
      await to('suspend', t.auth('authority')).expect(409);

      // a suspended grant blocks a new request that would sidestep it
      const again = await api().post('/api/v1/share-requests').set(t.auth('registrar')).send(shareDoc(resource.code, { legalBasis: '依法履职' })).expect(409);
      expect(again.body.error.message).to.contain(`grant ${grant.id}`).and.contain('suspended');

      const resumed = await to('resume', t.auth('authority'), {}).expect(200);
      expect(resumed.body).to.include({ status: 'active', live: true });
      expect((await liveGrant(t.knex, q))?.id).to.equal(grant.id);
    });

    it('revokes for good, by the provider’s officer or the authority', async () => {
      const { grant, resource } = await conditionalGrant();
      const q = { departmentId: t.deptA.id, resourceId: resource.id, mode: 'query' as const };
      const revoked = await api().post(`/api/v1/grants/${grant.id}/revoke`).set(t.auth('authority')).send({ reason: '数据使用部门职能调整' }).expect(200);
      expect(revoked.body).to.include({ status: 'revoked', live: false });
      expect(await liveGrant(t.knex, q)).to.equal(null);
      expect((await whyNoGrant(t.knex, q)).en).to.contain('was revoked at').and.contain('数据使用部门职能调整');
      await api().post(`/api/v1/grants/${grant.id}/resume`).set(t.auth('authority')).send({}).expect(409);
      await api().post(`/api/v1/grants/${grant.id}/revoke`).set(t.auth('officer', 'B')).send({ reason: '再次' }).expect(409);
      await chainPending(t.knex);
      const events = await t.knex('odx.audit_events').where({ target_type: 'grant', target_id: String(grant.id) }).orderBy('seq').pluck('action');
      expect(events).to.deep.equal(['grant.create', 'grant.revoke']);
    });
  });

  describe('expiry and supersession', () => {
    it('expires at the end of its period by itself', async () => {
      const { grant, resource } = await conditionalGrant({ period: { kind: '30d' } });
      const q = { departmentId: t.deptA.id, resourceId: resource.id, mode: 'query' as const };
      const end = Date.parse(grant.endsAt);
      expect((await liveGrant(t.knex, { ...q, at: new Date(end - 1) }))?.id).to.equal(grant.id);
      expect(await liveGrant(t.knex, { ...q, at: new Date(end) })).to.equal(null);
      setClock(() => new Date(end + 1000));
      expect(await liveGrant(t.knex, q)).to.equal(null);
      expect((await whyNoGrant(t.knex, q)).en).to.equal(`grant ${grant.id} on resource ${resource.code} expired at ${new Date(end).toISOString()}; request it again: POST /api/v1/share-requests`);
      const shown = await api().get(`/api/v1/grants/${grant.id}`).set(t.auth('officer')).expect(200);
      expect(shown.body).to.include({ status: 'expired', live: false });
      const listed = await api().get('/api/v1/grants').query({ status: 'expired' }).set(t.auth('officer')).expect(200);
      expect(listed.body.items.map((g: { id: number }) => g.id)).to.include(grant.id);
      await api().post(`/api/v1/grants/${grant.id}/suspend`).set(t.auth('officer', 'B')).send({ reason: '暂停' }).expect(409);
    });

    it('ends a grant "until" a date at 24:00 Asia/Shanghai of that date', async () => {
      setClock(() => new Date('2026-03-02T10:00:00+08:00'));
      const { grant } = await conditionalGrant({}, { period: { kind: 'until', until: '2026-06-30' } });
      expect(grant.endsAt).to.equal('2026-06-30T16:00:00.000Z');
    });

    it('supersedes the grant in force when a newer request for the same resource and mode is granted', async () => {
      const resource = await publishedResource(t.knex, t.deptB.uscc);
      const first = await api().post('/api/v1/share-requests').set(t.auth('registrar')).send(shareDoc(resource.code, { items: ['credit_code'] })).expect(201);
      const second = await api().post('/api/v1/share-requests').set(t.auth('registrar')).send(shareDoc(resource.code)).expect(201);
      const old = await api().get(`/api/v1/grants/${first.body.grant.id}`).set(t.auth('officer')).expect(200);
      expect(old.body).to.include({ status: 'superseded', supersededBy: second.body.grant.id, live: false });
      const live = await liveGrant(t.knex, { departmentId: t.deptA.id, resourceId: resource.id, mode: 'query' });
      expect(live?.id).to.equal(second.body.grant.id);
      const verifyToo = await api().post('/api/v1/share-requests').set(t.auth('registrar')).send(shareDoc(resource.code, { accessMode: 'verify' })).expect(201);
      expect((await liveGrant(t.knex, { departmentId: t.deptA.id, resourceId: resource.id, mode: 'verify' }))?.id).to.equal(verifyToo.body.grant.id);
      expect((await liveGrant(t.knex, { departmentId: t.deptA.id, resourceId: resource.id, mode: 'query' }))?.id, 'one grant per mode').to.equal(second.body.grant.id);
    });

    it('stops every grant on a retired resource', async () => {
      const { grant, resource } = await conditionalGrant();
      await api().post(`/api/v1/resources/${resource.id}/retire`).set(t.auth('authority')).send({}).expect(200);
      const q = { departmentId: t.deptA.id, resourceId: resource.id, mode: 'query' as const };
      expect(await liveGrant(t.knex, q)).to.equal(null);
      expect((await whyNoGrant(t.knex, q)).en).to.contain('was retired');
      try {
        await requireGrant(t.knex, q);
        expect.fail('expected a 403');
      } catch (e) {
        expect((e as { status: number }).status).to.equal(403);
      }
      expect(grant.id).to.be.a('number');
    });
  });

  describe('consumer credentials bound to a system of the 系统清单', () => {
    it('lets the consumer department’s officer create one with its read-only token, bound to its system', async () => {
      const sysA = await systemOf(t.knex, t.deptA);
      const body = { systemId: sysA, login: 'a.sys.yiwang' };
      await api().post('/api/v1/consumer-credentials').set(t.auth('registrar')).send(body).expect(403);
      await api().post('/api/v1/consumer-credentials').set(t.auth('officer', 'B')).send(body).expect(403);
      await api().post('/api/v1/consumer-credentials').set(t.auth('officer')).send({ ...body, systemId: 999999 }).expect(404);
      const created = await api().post('/api/v1/consumer-credentials').set(t.auth('officer')).send(body).expect(201);
      expect(created.body).to.include({ login: 'a.sys.yiwang', departmentId: t.deptA.id });
      expect(created.body.system).to.deep.equal({ id: sysA, name: '企业开办一网通办系统' });
      expect(created.body.token.scopes).to.deep.equal(['read']);
      expect(created.body.token.secret).to.match(/^odx_/);
      const row = await t.knex('odx.principals').where({ id: created.body.id }).first();
      expect(row).to.include({ kind: 'system', system_id: sysA });
      expect(row.roles).to.deep.equal(['consumer']);
      await api().post('/api/v1/consumer-credentials').set(t.auth('officer')).send(body).expect(409);

      const cred = { Authorization: `Bearer ${created.body.token.secret}` };
      const me = await api().get('/api/v1/me').set(cred).expect(200);
      expect(me.body).to.include({ kind: 'system', departmentId: t.deptA.id });
      const { grant } = await conditionalGrant();
      const grants = await api().get('/api/v1/grants').set(cred).expect(200);
      expect(grants.body.items.map((g: { id: number }) => g.id), 'it carries its department’s grants').to.include(grant.id);
      await api().post('/api/v1/share-requests').set(cred).send(shareDoc('102/000001')).expect(403);

      const listed = await api().get('/api/v1/consumer-credentials').set(t.auth('officer')).expect(200);
      expect(listed.body.items.map((c: { login: string }) => c.login)).to.include('a.sys.yiwang');
      const listedB = await api().get('/api/v1/consumer-credentials').set(t.auth('officer', 'B')).expect(200);
      expect(listedB.body.items.map((c: { login: string }) => c.login)).not.to.include('a.sys.yiwang');
    });
  });

  describe('the audit trail', () => {
    it('verifies', async () => {
      await chainPending(t.knex);
      const r = await verifyChain(t.knex);
      expect(r.ok, r.problem).to.equal(true);
      const actions = await t.knex('odx.audit_events').distinct('action').pluck('action');
      expect(actions).to.include.members(['grant.create', 'grant.suspend', 'grant.resume', 'grant.revoke', 'grant.supersede', 'consumer_credential.create']);
    });
  });
});
