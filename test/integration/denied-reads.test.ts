/**
 * Refused reads leave a trace: a 403 on a data read (no grant, an item the grant leaves out, a
 * closed item of an open dataset) is an `access.denied` audit event — at most one per caller,
 * resource and minute, the repeats counted. HEAD on a download answers the headers only: no
 * export runs, no read is audited.
 */
import { expect } from 'chai';
import request from '../helpers/request-en.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { licenceCsv, loadCsv, publishedResource } from '../helpers/census.ts';
import { requestBetween, systemOf } from '../helpers/sharing.ts';

const PURPOSE = encodeURIComponent('企业开办审批核验营业执照');

describe('refused reads are audited; HEAD runs no download', function () {
  this.timeout(120_000);
  let t: TestApp;
  let granted: { Authorization: string };
  let ungranted: { Authorization: string };
  let shared: Record<string, any>;
  let open: Record<string, any>;

  const events = async (action: string, targetId: number) => {
    await chainPending(t.knex);
    return t.knex('odx.audit_events').where({ action, target_id: String(targetId) }).orderBy('seq');
  };
  /** The read's audit event is written as the response ends: wait for it, not for a fixed time. */
  const eventsReaching = async (action: string, targetId: number, n: number) => {
    for (let i = 0; i < 100; i++) {
      const found = await events(action, targetId);
      if (found.length >= n) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    return events(action, targetId);
  };
  const sharedGet = (what: 'rows' | 'download', who: { Authorization: string }, query: Record<string, string> = {}) =>
    request(t.app).get(`/api/v1/shared/${encodeURIComponent(shared.code)}/${what}`).query(query).set(who).set('X-ODX-Purpose', PURPOSE);

  before(async () => {
    t = await testApp();
    const sysA = await systemOf(t.knex, t.deptA);
    const credA = await request(t.app).post('/api/v1/consumer-credentials').set(t.auth('officer')).send({ systemId: sysA, login: 'a.sys.denied' }).expect(201);
    granted = { Authorization: `Bearer ${credA.body.token.secret}` };
    const walked = await requestBetween(t.knex, t.deptA, t.deptB, { to: 'provider_review', mode: 'download', doc: { items: ['credit_code', 'company_name'] } });
    shared = walked.resource;
    await loadCsv(t.knex, shared.id, licenceCsv(1, 5));
    await request(t.app).post(`/api/v1/share-requests/${walked.request.id}/approve`).set(t.auth('officer', 'B')).send({}).expect(200);
    // a third department's system: no grant at all
    const deptC = (await import('../helpers/app.ts')).makeDepartment;
    const c = await deptC(t.knex, '测试丙局');
    const officerC = await (await import('../helpers/app.ts')).makePrincipal(t.knex, 'c.officer', c.id, ['officer']);
    const sysC = await systemOf(t.knex, c, '丙局业务系统');
    const credC = await request(t.app).post('/api/v1/consumer-credentials').set({ Authorization: `Bearer ${officerC.token}` }).send({ systemId: sysC, login: 'c.sys.denied' }).expect(201);
    ungranted = { Authorization: `Bearer ${credC.body.token.secret}` };
    open = await publishedResource(t.knex, t.deptA.uscc, { name: '开放登记信息' });
    await loadCsv(t.knex, open.id, licenceCsv(1, 5));
  });
  after(() => t.close());

  it('no grant: every request is a 403, the chain gets one access.denied for the minute', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await sharedGet('download', ungranted).expect(403);
      expect(res.body.error.message).to.be.a('string');
    }
    const denied = await events('access.denied', shared.id);
    expect(denied).to.have.length(1);
    expect(denied[0].actor).to.equal('principal:c.sys.denied');
    expect(denied[0].detail).to.include({ read: 'shared.download', code: shared.code });
    expect(denied[0].detail.reason).to.be.a('string').and.not.equal('');
    expect(denied[0].department_id).to.equal(t.deptB.id);
  });

  it('an item the grant leaves out: 403 naming it, audited as refused', async () => {
    const res = await sharedGet('download', granted, { fields: 'credit_code,capital' }).expect(403);
    expect(res.body.error.message).to.match(/capital/);
    const denied = (await events('access.denied', shared.id)).filter((e: { actor: string }) => e.actor === 'principal:a.sys.denied');
    expect(denied).to.have.length(1);
    expect(denied[0].detail).to.include({ read: 'shared.download' });
    expect(denied[0].detail.reason).to.match(/capital/);
  });

  it('HEAD on a download: the headers, no body, no export, no audited read — open and shared', async () => {
    const before = (await events('dataset.download', open.id)).length;
    const head = await request(t.app).head(`/api/v1/datasets/${encodeURIComponent(open.code)}/download`).query({ format: 'csv' }).expect(200);
    expect(head.headers['content-type']).to.match(/^text\/csv/);
    expect(head.headers['content-disposition']).to.match(/attachment/);
    expect(head.text ?? '').to.equal('');
    await request(t.app).head(`/api/v1/datasets/${encodeURIComponent(open.code)}/download`).query({ format: 'bogus' }).expect(400);
    expect(await events('dataset.download', open.id)).to.have.length(before);
    await request(t.app).get(`/api/v1/datasets/${encodeURIComponent(open.code)}/download`).query({ format: 'csv' }).expect(200);
    expect(await eventsReaching('dataset.download', open.id, before + 1)).to.have.length(before + 1);

    const sharedHead = await request(t.app).head(`/api/v1/shared/${encodeURIComponent(shared.code)}/download`).set(granted).set('X-ODX-Purpose', PURPOSE).expect(200);
    expect(sharedHead.headers['content-disposition']).to.match(/attachment/);
    expect(await events('shared.download', shared.id)).to.have.length(0);
    await sharedGet('download', granted).expect(200);
    expect(await eventsReaching('shared.download', shared.id, 1)).to.have.length(1);
  });
});
