import { expect } from 'chai';
import request from 'supertest';
import { chainPending } from '../../server/src/audit/chain.ts';
import { MAX_ACTIVE_KEYS } from '../../server/src/open/keys/commands.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { licenceCsv, loadCsv, publishedResource } from '../helpers/census.ts';
import { everyOf } from '../helpers/every.ts';

describe('developer accounts and keys', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => (t = await testApp()));
  after(() => t.close());

  const signup = (body: object) => request(t.app).post('/api/v1/developer/accounts').send(body);
  const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });

  it('signs a developer up anonymously: an account outside every department, an account token and a read-only key, secrets shown once', async () => {
    const res = await signup({ email: 'Alice@Example.org', name: '爱丽丝', purpose: '公交到站提醒小程序' }).expect(201);
    const { account, token, key } = res.body;
    expect(account).to.include({ displayName: '爱丽丝', email: 'alice@example.org', departmentId: null, kind: 'user' });
    expect(account.roles).to.deep.equal(['developer']);
    expect(account.login).to.match(/^dev\.[0-9a-f]{12}$/);
    expect(token.secret).to.match(/^odx_[0-9A-Za-z]{32}$/);
    expect(token.scopes).to.deep.equal(['read', 'write']);
    expect(key.secret).to.match(/^odx_[0-9A-Za-z]{32}$/);
    expect(key.scopes).to.deep.equal(['read']);
    expect(Date.parse(key.expiresAt)).to.be.greaterThan(Date.now() + 300 * 86_400_000);
    // stored hashed: the secret appears nowhere in the database
    const stored = await t.knex('odx.tokens').where({ principal_id: account.id });
    expect(stored).to.have.length(2);
    expect(JSON.stringify(stored)).not.to.include(key.secret.slice(4));
    // the key reads open data and is who it says
    const me = await request(t.app).get('/api/v1/me').set(bearer(key.secret)).expect(200);
    expect(me.body).to.include({ id: account.id, login: account.login });
    await request(t.app).get('/api/v1/datasets').set(bearer(key.secret)).expect(200);
    // audited, with an anonymous actor
    await chainPending(t.knex);
    const events = await t.knex('odx.audit_events').where({ target_type: 'principal', target_id: String(account.id) }).orderBy('seq');
    expect(events.map((e: { action: string }) => e.action)).to.include.members(['principal.create', 'developer.signup']);
    expect(events[0].actor).to.equal('anonymous');
  });

  it('refuses a second account for the same e-mail (409) and a malformed address (400)', async () => {
    await signup({ email: 'bob@example.org' }).expect(201);
    const again = await signup({ email: 'BOB@example.org' }).expect(409);
    expect(again.body.error.code).to.equal('already_exists');
    const bad = await signup({ email: 'not-an-address' }).expect(400);
    expect(bad.body.error.details[0].path).to.equal('/email');
  });

  it('lists, creates and revokes keys with the account token; a read-only key cannot create or revoke', async () => {
    const { token, key } = (await signup({ email: 'carol@example.org' }).expect(201)).body;
    const created = await request(t.app).post('/api/v1/developer/keys').set(bearer(token.secret)).send({ name: '数据大屏' }).expect(201);
    expect(created.body).to.include({ name: '数据大屏' });
    expect(created.body.scopes).to.deep.equal(['read']);
    expect(created.body.secret).to.match(/^odx_/);
    await request(t.app).post('/api/v1/developer/keys').set(bearer(key.secret)).send({ name: 'x' }).expect(403);

    const listed = await request(t.app).get('/api/v1/developer/keys').set(bearer(key.secret)).expect(200);
    expect(listed.body.items.map((k: { name: string }) => k.name)).to.deep.equal(['account', 'api key', '数据大屏']);
    for (const secret of [token.secret, key.secret, created.body.secret]) expect(JSON.stringify(listed.body)).not.to.include(secret);
    expect(listed.body.items[1].prefix).to.equal(key.secret.slice(0, 12));

    await request(t.app).post(`/api/v1/developer/keys/${created.body.id}/revoke`).set(bearer(key.secret)).expect(403);
    const revoked = await request(t.app).post(`/api/v1/developer/keys/${created.body.id}/revoke`).set(bearer(token.secret)).expect(200);
    expect(revoked.body.revokedAt).to.be.a('string');
    await request(t.app).get('/api/v1/datasets').set(bearer(created.body.secret)).expect(401);
    // idempotent
    await request(t.app).post(`/api/v1/developer/keys/${created.body.id}/revoke`).set(bearer(token.secret)).expect(200);
  });

  it('keeps developers to their own keys', async () => {
    const dave = (await signup({ email: 'dave@example.org' }).expect(201)).body;
    const erin = (await signup({ email: 'erin@example.org' }).expect(201)).body;
    await request(t.app).post(`/api/v1/developer/keys/${erin.key.id}/revoke`).set(bearer(dave.token.secret)).expect(403);
    const list = await request(t.app).get('/api/v1/developer/keys').set(bearer(dave.token.secret)).expect(200);
    expect(everyOf(list.body.items, (k: { principalId: number }) => k.principalId === dave.account.id)).to.equal(true);
    // department staff have no developer keys
    await request(t.app).get('/api/v1/developer/keys').set(t.auth('registrar')).expect(403);
    await request(t.app).get('/api/v1/developer/keys').expect(401);
  });

  it(`holds an account to ${MAX_ACTIVE_KEYS} active keys`, async () => {
    const { token } = (await signup({ email: 'frank@example.org' }).expect(201)).body;
    for (let i = 2; i < MAX_ACTIVE_KEYS; i++) await request(t.app).post('/api/v1/developer/keys').set(bearer(token.secret)).send({ name: `k${i}` }).expect(201);
    const full = await request(t.app).post('/api/v1/developer/keys').set(bearer(token.secret)).send({ name: 'one too many' }).expect(409);
    expect(full.body.error.details).to.deep.equal({ active: MAX_ACTIVE_KEYS, max: MAX_ACTIVE_KEYS });
  });

  it('tells a developer their own calls by day, dataset and key, and where they stand in the rate-limit window', async () => {
    const limited = await testApp({ env: { ODX_RATE_LIMIT_KEY: '20', ODX_RATE_LIMIT_WINDOW: '3600' } });
    try {
      const r = await publishedResource(limited.knex, limited.deptA.uscc, { name: '企业用量测试' });
      await loadCsv(limited.knex, r.id, licenceCsv(1, 12));
      const { token, key } = (await request(limited.app).post('/api/v1/developer/accounts').send({ email: 'usage@example.org' }).expect(201)).body;
      const other = (await request(limited.app).post('/api/v1/developer/accounts').send({ email: 'other@example.org' }).expect(201)).body;
      const rows = `/api/v1/datasets/${encodeURIComponent(r.code)}/rows`;
      await request(limited.app).get(rows).query({ limit: 5 }).set(bearer(key.secret)).expect(200);
      await request(limited.app).get(rows).query({ limit: 10 }).set(bearer(key.secret)).expect(200);
      await request(limited.app).get(`/api/v1/datasets/${encodeURIComponent(r.code)}/download`).query({ format: 'csv' }).set(bearer(token.secret)).expect(200);
      // another developer's calls and anonymous calls are not this developer's
      await request(limited.app).get(rows).set(bearer(other.key.secret)).expect(200);
      await request(limited.app).get(rows).expect(200);

      const usage = (await request(limited.app).get('/api/v1/developer/usage').set(bearer(key.secret)).expect(200)).body;
      expect(usage.days).to.equal(30);
      expect(usage.byDay).to.have.length(30);
      expect(usage.to).to.equal(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()));
      expect(usage.byDay.at(-1)).to.deep.equal({ day: usage.to, calls: 3, rows: 5 + 10 + 12 });
      expect(usage.total).to.equal(3);
      expect(usage.byDataset).to.deep.equal([{ code: r.code, name: '企业用量测试', calls: 3, rows: 27 }]);
      expect(usage.byKey).to.deep.equal([
        { id: key.id, name: 'api key', prefix: key.prefix, calls: 2 },
        { id: token.id, name: 'account', prefix: token.prefix, calls: 1 },
      ]);
      // the usage call itself is no open-data call; the three above are in this window (a limit of 20 is counted call by call, no leases)
      expect(usage.rateLimit).to.deep.include({ policy: 'key', limit: 20, windowSeconds: 3600, used: 3, remaining: 17 });
      expect(usage.rateLimit.resetSeconds).to.be.within(1, 3600);

      const week = (await request(limited.app).get('/api/v1/developer/usage?days=7').set(bearer(token.secret)).expect(200)).body;
      expect(week.byDay).to.have.length(7);
      await request(limited.app).get('/api/v1/developer/usage?days=0').set(bearer(token.secret)).expect(400);
      await request(limited.app).get('/api/v1/developer/usage').set(limited.auth('registrar')).expect(403);
      await request(limited.app).get('/api/v1/developer/usage').expect(401);
    } finally {
      await limited.close();
    }
  });
});
