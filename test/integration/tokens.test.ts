import { createHash } from 'node:crypto';
import { expect } from 'chai';
import request from '../helpers/request-en.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { eventually } from '../helpers/wait.ts';

describe('API tokens', () => {
  let t: TestApp;
  before(async () => (t = await testApp()));
  after(() => t.close());

  it('shows the secret once and stores only its SHA-256', async () => {
    const res = await request(t.app).post('/api/v1/tokens').set(t.auth('registrar')).send({ name: '数据上报脚本', scopes: ['read'], expiresInDays: 7 }).expect(201);
    expect(res.body.secret).to.match(/^odx_[0-9A-Za-z]{32}$/);
    const row = await t.knex('odx.tokens').where({ id: res.body.id }).first();
    expect(row.hash.equals(createHash('sha256').update(res.body.secret, 'utf8').digest())).to.equal(true);
    const dump = JSON.stringify(await t.knex('odx.tokens').select('*'));
    expect(dump).not.to.contain(res.body.secret);
    const listed = await request(t.app).get('/api/v1/tokens').set(t.auth('registrar')).expect(200);
    expect(JSON.stringify(listed.body)).not.to.contain(res.body.secret);
    const mine = listed.body.items.find((x: { id: number }) => x.id === res.body.id);
    expect(mine).to.include({ name: '数据上报脚本', prefix: res.body.secret.slice(0, 12) });
    expect(new Date(mine.expiresAt).getTime() - Date.now()).to.be.within(6.9 * 86_400_000, 7.1 * 86_400_000);
  });

  it('works until revoked, then answers 401 at once; last use is recorded', async () => {
    const created = await request(t.app).post('/api/v1/tokens').set(t.auth('officer')).send({ name: 'temp' }).expect(201);
    const auth = { Authorization: `Bearer ${created.body.secret}` };
    const me = await request(t.app).get('/api/v1/me').set(auth).expect(200);
    expect(me.body).to.include({ login: 'a.officer', departmentId: t.deptA.id });
    // the last use is written after the answer: wait for it rather than for a fixed time
    const lastUsed = async () => (await t.knex('odx.tokens').where({ id: created.body.id }).first('last_used_at')).last_used_at;
    expect(await eventually(async () => (await lastUsed()) instanceof Date)).to.equal(true);
    await request(t.app).post(`/api/v1/tokens/${created.body.id}/revoke`).set(auth).expect(200);
    const after = await request(t.app).get('/api/v1/me').set(auth).expect(401);
    expect(after.body.error.message).to.match(/revoked/);
  });

  it('refuses expired tokens and disabled accounts', async () => {
    const created = await request(t.app).post('/api/v1/tokens').set(t.auth('registrar')).send({ name: 'short' }).expect(201);
    await t.knex('odx.tokens').where({ id: created.body.id }).update({ expires_at: new Date(Date.now() - 1000) });
    await request(t.app).get('/api/v1/me').set({ Authorization: `Bearer ${created.body.secret}` }).expect(401);
    const other = await request(t.app).post('/api/v1/tokens').set(t.auth('registrar', 'B')).send({ name: 'b' }).expect(201);
    await request(t.app).patch(`/api/v1/principals/${t.principalsB.registrar.id}`).set(t.auth('admin')).send({ disabled: true }).expect(200);
    await request(t.app).get('/api/v1/me').set({ Authorization: `Bearer ${other.body.secret}` }).expect(401);
  });

  it('lets only admins create tokens that never expire or outlive the configured maximum', async () => {
    await request(t.app).post('/api/v1/tokens').set(t.auth('registrar')).send({ name: 'forever', expiresInDays: null }).expect(403);
    const tooLong = await request(t.app).post('/api/v1/tokens').set(t.auth('registrar')).send({ name: 'long', expiresInDays: 3000 }).expect(400);
    expect(tooLong.body.error.details[0].path).to.equal('/expiresInDays');
    const admin = await request(t.app).post('/api/v1/tokens').set(t.auth('admin')).send({ name: 'forever', expiresInDays: null }).expect(201);
    expect(admin.body.expiresAt).to.equal(null);
  });

  it('rejects a malformed Authorization header with 401', async () => {
    const res = await request(t.app).get('/api/v1/me').set('Authorization', 'Token abc').expect(401);
    expect(res.body.error.message).to.match(/Bearer/);
  });

  it('audits token creation and revocation without the secret', async () => {
    const created = await request(t.app).post('/api/v1/tokens').set(t.auth('registrar')).send({ name: 'audited' }).expect(201);
    await request(t.app).post(`/api/v1/tokens/${created.body.id}/revoke`).set(t.auth('registrar')).expect(200);
    await chainPending(t.knex);
    const events = await t.knex('odx.audit_events').where({ target_type: 'token', target_id: String(created.body.id) }).orderBy('seq');
    expect(events.map((e: { action: string }) => e.action)).to.deep.equal(['token.create', 'token.revoke']);
    expect(JSON.stringify(events)).not.to.contain(created.body.secret);
  });
});
