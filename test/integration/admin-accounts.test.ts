import { expect } from 'chai';
import supertest from 'supertest';
import request from '../helpers/request-en.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { makePrincipal, testApp, type TestApp } from '../helpers/app.ts';

/** What the administrator's console pages call: departments, accounts with a password handed over, disabling. */
describe('administration: departments, accounts, passwords an administrator gives', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => (t = await testApp()));
  after(() => t.close());

  const signIn = (login: string, password: string) => request(t.app).post('/api/v1/auth/sign-in').send({ login, password });
  const cookieOf = (res: { headers: Record<string, unknown> }) => ([] as string[]).concat((res.headers['set-cookie'] as string[]) ?? []).find((c) => c.startsWith('odx_session='))!.split(';')[0];

  it('tells a wrong 统一社会信用代码 at its field with the check character it should have, in Chinese or in English, worded as the census forms word it', async () => {
    const good = withUsccCheck('11350200MB0000001');
    const wrong = good.slice(0, 17) + (good[17] === 'A' ? 'B' : 'A');
    const body = { name: '滨海市测试中心', uscc: wrong, regionCode: '350200', kind: 'bureau', parentId: t.deptA.id };
    const zh = await supertest(t.app).post('/api/v1/departments').set(t.auth('admin')).send(body).expect(400);
    expect(zh.body.error.details).to.deep.include({ in: 'body', path: '/uscc', message: `应为有效的统一社会信用代码（GB 32100：18 位，校验位正确）：校验位错误，应为 ${good[17]}` });
    const en = await request(t.app).post('/api/v1/departments').set(t.auth('admin')).send(body).expect(400);
    expect(en.body.error.details[0].message).to.equal(`must be a unified social credit code (GB 32100: 18 characters with a valid check character): wrong check character: expected ${good[17]}`);
    const region = await supertest(t.app).post('/api/v1/departments').set(t.auth('admin')).send({ ...body, uscc: good, regionCode: '990000' }).expect(400);
    expect(region.body.error.details[0]).to.include({ path: '/regionCode' });
    expect(region.body.error.details[0].message).to.match(/^应为有效的行政区划代码/);
    expect(await t.knex('odx.departments').where({ name: body.name }).first()).to.equal(undefined);
  });

  it('creates a department under another, and tells a code another department holds at its field', async () => {
    const uscc = withUsccCheck('11350200MB0000002');
    const made = await request(t.app).post('/api/v1/departments').set(t.auth('admin')).send({ name: '测试甲局信息中心', uscc, regionCode: '350200', kind: 'other', parentId: t.deptA.id }).expect(201);
    expect(made.body).to.include({ parentId: t.deptA.id, uscc });
    const taken = await supertest(t.app).post('/api/v1/departments').set(t.auth('admin')).send({ name: '重复', uscc, regionCode: '350200', kind: 'other' }).expect(409);
    expect(taken.body.error.details).to.deep.equal([{ in: 'body', path: '/uscc', message: `统一社会信用代码 ${uscc} 已属于“测试甲局信息中心”` }]);
    const moved = await supertest(t.app).patch(`/api/v1/departments/${t.deptB.id}`).set(t.auth('admin')).send({ uscc }).expect(409);
    expect(moved.body.error.details[0].path).to.equal('/uscc');
    // its own code is no conflict with itself
    await request(t.app).patch(`/api/v1/departments/${made.body.id}`).set(t.auth('admin')).send({ uscc, shortName: '信息中心' }).expect(200);
  });

  it('tells a login already taken at its field', async () => {
    const res = await request(t.app).post('/api/v1/principals').set(t.auth('admin')).send({ login: 'a.registrar', displayName: '重名', departmentId: t.deptA.id, roles: ['registrar'] }).expect(409);
    expect(res.body.error.details).to.deep.equal([{ in: 'body', path: '/login', message: 'an account with the login a.registrar already exists' }]);
  });

  it('gives an account a generated password shown once: the person signs in with it, their sessions end, the audit names no password', async () => {
    const person = await makePrincipal(t.knex, 'pw.person', t.deptA.id, ['registrar']);
    const first = await request(t.app).post(`/api/v1/principals/${person.id}/password`).set(t.auth('admin')).expect(200);
    expect(first.headers['cache-control']).to.equal('no-store');
    expect(first.body).to.include({ principalId: person.id, login: 'pw.person', sessionsEnded: 0 });
    expect(first.body.password).to.match(/^[a-km-zA-HJ-NP-Z2-9]{4}(-[a-km-zA-HJ-NP-Z2-9]{4}){3}$/);
    const session = cookieOf(await signIn('pw.person', first.body.password).expect(200));
    // a reset: the old password and the open session stop working
    const second = await request(t.app).post(`/api/v1/principals/${person.id}/password`).set(t.auth('admin')).expect(200);
    expect(second.body.sessionsEnded).to.equal(1);
    expect(second.body.password).not.to.equal(first.body.password);
    await request(t.app).get('/api/v1/me').set('Cookie', session).expect(401);
    await signIn('pw.person', first.body.password).expect(401);
    await signIn('pw.person', second.body.password).expect(200);
    await chainPending(t.knex);
    const events = await t.knex('odx.audit_events').where({ action: 'principal.password', target_id: String(person.id) });
    expect(events).to.have.length(2);
    const everything = JSON.stringify(await t.knex('odx.audit_events').select('*'));
    expect(everything).not.to.contain(first.body.password);
    expect(everything).not.to.contain(second.body.password);
  });

  it('refuses a password to a system credential, and to anyone but an administrator', async () => {
    const res = await request(t.app).post(`/api/v1/principals/${t.principals.consumer.id}/password`).set(t.auth('admin')).expect(400);
    expect(res.body.error.message).to.contain('system credential');
    await request(t.app).post(`/api/v1/principals/${t.principals.registrar.id}/password`).set(t.auth('officer')).expect(403);
    await request(t.app).post('/api/v1/principals/999999/password').set(t.auth('admin')).expect(404);
  });

  it('ends the sessions of an account it disables: enabled again, the old session stays ended', async () => {
    const person = await makePrincipal(t.knex, 'dis.person', t.deptA.id, ['registrar']);
    const { body } = await request(t.app).post(`/api/v1/principals/${person.id}/password`).set(t.auth('admin')).expect(200);
    const session = cookieOf(await signIn('dis.person', body.password).expect(200));
    await request(t.app).get('/api/v1/me').set('Cookie', session).expect(200);
    await request(t.app).patch(`/api/v1/principals/${person.id}`).set(t.auth('officer')).send({ disabled: true }).expect(200);
    await request(t.app).get('/api/v1/me').set('Cookie', session).expect(401);
    await request(t.app).get('/api/v1/me').set({ Authorization: `Bearer ${person.token}` }).expect(401);
    await request(t.app).patch(`/api/v1/principals/${person.id}`).set(t.auth('officer')).send({ disabled: false }).expect(200);
    await request(t.app).get('/api/v1/me').set('Cookie', session).expect(401);
    await signIn('dis.person', body.password).expect(200);
    await chainPending(t.knex);
    const ended = await t.knex('odx.audit_events').where({ action: 'session.end', target_id: String(person.id) });
    expect(ended).to.have.length(1);
  });

  it('does not let an administrator disable their own account', async () => {
    const res = await request(t.app).patch(`/api/v1/principals/${t.principals.admin.id}`).set(t.auth('admin')).send({ disabled: true }).expect(409);
    expect(res.body.error.message).to.equal('you cannot disable your own account');
    expect((await t.knex('odx.principals').where({ id: t.principals.admin.id }).first('disabled_at')).disabled_at).to.equal(null);
  });
});
