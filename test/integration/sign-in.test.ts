import { expect } from 'chai';
import request from '../helpers/request-en.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { verifyPassword } from '../../server/src/auth/passwords.ts';
import { setPassword, testApp, type TestApp } from '../helpers/app.ts';

const PASSWORD = 'Haibin-Gang-2026';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sign-in for people: passwords, sessions, lockout', function () {
  this.timeout(120_000);
  let t: TestApp;
  let defaults: typeof t.services.config;
  // each test signs in from addresses of its own, so one test's failures do not slow another's
  let lastAddress = 0;
  const address = () => `198.51.100.${++lastAddress}`;
  const origin = () => new URL(t.services.config.publicBaseUrl).origin;

  const signIn = (login: string, password: string, ip = '203.0.113.1') =>
    request(t.app).post('/api/v1/auth/sign-in').set('X-Forwarded-For', ip).set('User-Agent', 'Mozilla/5.0 (test)').send({ login, password });
  /** The Cookie header a browser sends back after the sign-in answer. */
  const cookieOf = (res: request.Response): string => {
    const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('odx_session='));
    expect(set, 'a session cookie is set').to.be.a('string');
    return set!.split(';')[0];
  };
  const me = (cookie: string) => request(t.app).get('/api/v1/me').set('Cookie', cookie);
  /** Three requests, `gap` ms apart, each of which the session must still answer. */
  const keepUsing = async (cookie: string, gap: number) => {
    for (let i = 0; i < 3; i++) {
      await sleep(gap);
      await me(cookie).expect(200);
    }
  };
  const actions = async () => {
    await chainPending(t.knex);
    return t.knex('odx.audit_events').orderBy('seq').select('action', 'actor', 'target_id', 'detail');
  };

  before(async () => {
    t = await testApp();
    defaults = { ...t.services.config };
    for (const role of ['registrar', 'officer', 'admin'] as const) await setPassword(t.knex, t.principals[role].id, PASSWORD);
    await setPassword(t.knex, t.principalsB.registrar.id, PASSWORD);
  });
  afterEach(() => Object.assign(t.services.config, defaults));
  after(() => t.close());

  it('signs in with the right password: the body of /me, a session cookie that /me accepts, stored only hashed', async () => {
    const res = await signIn('a.registrar', PASSWORD).expect(200);
    const cookie = cookieOf(res);
    const { abilities, ...byCookie } = (await me(cookie).expect(200)).body;
    // /me adds what the account may call; the rest is the same account
    expect(res.body).to.deep.equal(byCookie);
    expect(abilities).to.include({ createResource: 'own' });
    expect(res.body).to.include({ id: t.principals.registrar.id, login: 'a.registrar', departmentId: t.deptA.id, tokenId: null });
    expect(res.body.roles).to.deep.equal(['registrar']);
    expect(res.body.scopes).to.deep.equal(['read', 'write']);
    expect(res.body.sessionId).to.be.a('number');
    // the login is not case-sensitive, and surrounding blanks are ignored
    await signIn('  A.Registrar ', PASSWORD).expect(200);
    const secret = cookie.split('=')[1];
    const dump = JSON.stringify(await t.knex('odx.sessions').select('*')) + JSON.stringify(await t.knex('odx.passwords').select('*'));
    expect(dump).not.to.contain(secret).and.not.to.contain(PASSWORD);
  });

  it('sets the cookie HttpOnly, SameSite=Strict, Path=/, and Secure only when the public URL is https', async () => {
    const plain = ([] as string[]).concat((await signIn('a.registrar', PASSWORD).expect(200)).headers['set-cookie'])[0];
    const attrs = plain.split(';').map((s) => s.trim());
    expect(attrs[0]).to.match(/^odx_session=[\w-]{43}$/);
    expect(attrs.slice(1)).to.have.members(['Path=/', 'HttpOnly', 'SameSite=Strict']);
    t.services.config.publicBaseUrl = 'https://data.binhai.gov.cn';
    const secure = ([] as string[]).concat((await signIn('a.registrar', PASSWORD).set('Origin', 'https://data.binhai.gov.cn').expect(200)).headers['set-cookie'])[0];
    expect(secure.split(';').map((s) => s.trim()).slice(1)).to.have.members(['Path=/', 'HttpOnly', 'SameSite=Strict', 'Secure']);
  });

  it('answers a wrong password and an unknown login identically, in comparable time', async () => {
    const ip = address();
    const timed = async (login: string) => {
      const t0 = process.hrtime.bigint();
      const res = await signIn(login, 'not-the-password-1', ip);
      return { res, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
    };
    const wrong = [await timed('a.officer'), await timed('a.officer')];
    const unknown = [await timed('nobody.here'), await timed('nobody.here')];
    for (const { res } of [...wrong, ...unknown]) {
      expect(res.status).to.equal(401);
      expect(res.headers['set-cookie']).to.equal(undefined);
      const { requestId: _, ...error } = res.body.error;
      expect(error).to.deep.equal({ code: 'unauthorized', message: 'the login or the password is wrong' });
    }
    // both check a scrypt hash: an unknown login that skipped it would answer in a fraction of the time
    const fastest = (xs: { ms: number }[]) => Math.min(...xs.map((x) => x.ms));
    expect(fastest(unknown)).to.be.greaterThan(fastest(wrong) * 0.5);
    expect(fastest(wrong)).to.be.greaterThan(fastest(unknown) * 0.5);
    // an account without a password, and a disabled one, get the same answer too
    const noPassword = await signIn('a.consumer', 'whatever-it-is-1', ip).expect(401);
    expect(noPassword.body.error.message).to.equal('the login or the password is wrong');
    await t.knex('odx.principals').where({ id: t.principalsB.registrar.id }).update({ disabled_at: t.knex.fn.now() });
    const disabled = await signIn('b.registrar', PASSWORD, ip).expect(401);
    expect(disabled.body.error.message).to.equal('the login or the password is wrong');
    await t.knex('odx.principals').where({ id: t.principalsB.registrar.id }).update({ disabled_at: null });
  });

  it('locks a login after 5 failures in a row, even against the right password, and releases it after the lock', async () => {
    t.services.config.signInLockMinutes = 0.25; // 15 s: long enough for the tries below on a busy machine
    // (a login no other test fails on: failures within the window of each other count together)
    const ip = address();
    for (let i = 1; i <= 5; i++) expect((await signIn('a.admin', `wrong-password-${i}`, ip)).status, `failure ${i}`).to.equal(401);
    const locked = await signIn('a.admin', PASSWORD, ip).expect(429);
    expect(locked.body.error).to.include({ code: 'rate_limited' });
    expect(locked.body.error.details.limit).to.equal('login');
    expect(locked.body.error.message).to.contain('locked');
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).to.be.within(1, 15);
    // a login that does not exist locks the same way: the lock tells nothing about existence
    for (let i = 1; i <= 5; i++) await signIn('no.such.person', `wrong-password-${i}`, ip).expect(401);
    const ghost = await signIn('no.such.person', PASSWORD, ip).expect(429);
    expect(ghost.body.error.details.limit).to.equal('login');
    // the lock ends when Retry-After said it would (the ghost's lock was set later, so it holds a little longer)
    await sleep(retryAfter * 1000 + 300);
    await signIn('a.admin', PASSWORD, ip).expect(200);
    // a success clears the count: four more failures do not lock
    for (let i = 1; i <= 4; i++) await signIn('a.admin', `wrong-again-${i}`, ip).expect(401);
    await signIn('a.admin', PASSWORD, ip).expect(200);
    const events = (await actions()).filter((e) => e.action === 'session.locked');
    expect(events.map((e) => e.detail.login)).to.deep.equal(['a.admin', 'no.such.person']);
    expect(events[0].detail.failures).to.equal(5);
  });

  it('slows an address after 20 failures in the window: 429 with Retry-After, other addresses unaffected', async () => {
    const ip = address();
    for (let i = 1; i <= 20; i++) expect((await signIn(`guess.${i}`, 'wrong-password-x', ip)).status, `failure ${i}`).to.equal(401);
    const slowed = await signIn('a.registrar', PASSWORD, ip).expect(429);
    expect(slowed.body.error.code).to.equal('rate_limited');
    expect(slowed.body.error.details.limit).to.equal('address');
    expect(Number(slowed.headers['retry-after'])).to.be.within(1, 15 * 60);
    await signIn('a.registrar', PASSWORD, address()).expect(200);
    const slowedEvents = (await actions()).filter((e) => e.action === 'session.address-slowed');
    expect(slowedEvents.map((e) => e.detail)).to.deep.equal([{ address: ip, failures: 20, minutes: 15 }]);
  });

  it('ends a session idle longer than the idle timeout; use keeps it open', async () => {
    t.services.config.sessionIdleMinutes = 0.05; // 3 s
    const cookie = cookieOf(await signIn('a.registrar', PASSWORD, address()).expect(200));
    await keepUsing(cookie, 1500);
    await sleep(3500);
    const ended = await me(cookie).expect(401);
    expect(ended.body.error.message).to.contain('sign in again');
    expect(([] as string[]).concat(ended.headers['set-cookie'])[0]).to.match(/^odx_session=; Max-Age=0;/);
    // a public route does not fail over a stale cookie: the caller is simply anonymous
    await request(t.app).get('/api/v1/departments').set('Cookie', cookie).expect(200);
  });

  it('ends a session at its absolute limit even while it is in use', async () => {
    t.services.config.sessionMaxHours = 0.001; // 3.6 s
    const cookie = cookieOf(await signIn('a.registrar', PASSWORD, address()).expect(200));
    await keepUsing(cookie, 1000);
    await sleep(1200);
    await me(cookie).expect(401);
  });

  it('signs out this session, and everywhere; a kept cookie is refused afterwards, tokens still work', async () => {
    const one = cookieOf(await signIn('a.registrar', PASSWORD, address()).expect(200));
    const two = cookieOf(await signIn('a.registrar', PASSWORD, address()).expect(200));
    const three = cookieOf(await signIn('a.registrar', PASSWORD, address()).expect(200));
    const out = await request(t.app).post('/api/v1/auth/sign-out').set('Cookie', one).set('Origin', origin()).expect(204);
    expect(([] as string[]).concat(out.headers['set-cookie'])[0]).to.match(/^odx_session=; Max-Age=0;/);
    await me(one).expect(401);
    await me(two).expect(200);
    const everywhere = await request(t.app).post('/api/v1/auth/sign-out-everywhere').set('Cookie', two).set('Origin', origin()).expect(200);
    expect(everywhere.body.ended).to.be.at.least(2);
    await me(two).expect(401);
    await me(three).expect(401);
    await request(t.app).get('/api/v1/me').set(t.auth('registrar')).expect(200);
    // signing out with a cookie that has already ended still clears it
    await request(t.app).post('/api/v1/auth/sign-out').set('Cookie', two).set('Origin', origin()).expect(204);
  });

  it('refuses a write by cookie without an Origin or from another origin (CSRF), and accepts its own', async () => {
    const cookie = cookieOf(await signIn('a.registrar', PASSWORD, address()).expect(200));
    const createToken = () => request(t.app).post('/api/v1/tokens').set('Cookie', cookie).send({ name: '浏览器里建的令牌' });
    const none = await createToken().expect(403);
    expect(none.body.error.message).to.contain('Origin');
    const foreign = await createToken().set('Origin', 'https://evil.example').expect(403);
    expect(foreign.body.error.message).to.contain('https://evil.example');
    await createToken().set('Origin', origin()).expect(201);
    // the same host the request went to (a server reached under another name than ODX_PUBLIC_URL)
    await createToken().set('Host', 'odx.binhai.internal:8443').set('Origin', 'https://odx.binhai.internal:8443').expect(201);
    await createToken().set('Host', 'odx.binhai.internal:8443').set('Origin', 'https://odx.binhai.internal.evil.example').expect(403);
    // reads need no Origin; a bearer token needs none either
    await request(t.app).get('/api/v1/tokens').set('Cookie', cookie).expect(200);
    await request(t.app).post('/api/v1/tokens').set(t.auth('registrar')).send({ name: 'script' }).expect(201);
    // a page of another site cannot sign its visitor in
    await signIn('a.registrar', PASSWORD, address()).set('Origin', 'https://evil.example').expect(403);
  });

  it('lets a bearer token win when both a token and a cookie are sent', async () => {
    const cookie = cookieOf(await signIn('a.registrar', PASSWORD, address()).expect(200));
    const both = await request(t.app).get('/api/v1/me').set('Cookie', cookie).set(t.auth('officer')).expect(200);
    expect(both.body).to.include({ login: 'a.officer', sessionId: null });
    // and a write with a token needs no Origin even when a cookie rides along
    await request(t.app).post('/api/v1/tokens').set('Cookie', cookie).set(t.auth('officer')).send({ name: 'x' }).expect(201);
  });

  it('lists the caller\'s sessions, marks the current one, and ends one by id (own only, or as an admin)', async () => {
    const ip = address();
    const first = await signIn('a.registrar', PASSWORD, ip).expect(200);
    const second = await signIn('a.registrar', PASSWORD, ip).expect(200);
    const list = await request(t.app).get('/api/v1/auth/sessions').set('Cookie', cookieOf(second)).expect(200);
    const mine = list.body.items.filter((s: { id: number }) => [first.body.sessionId, second.body.sessionId].includes(s.id));
    expect(mine).to.have.length(2);
    const current = mine.find((s: { current: boolean }) => s.current);
    expect(current).to.include({ id: second.body.sessionId, method: 'password', address: ip, userAgent: 'Mozilla/5.0 (test)' });
    for (const k of ['createdAt', 'lastSeenAt', 'idleExpiresAt', 'expiresAt']) expect(Date.parse(current[k]), k).to.be.a('number').and.not.NaN;
    expect(JSON.stringify(list.body)).not.to.contain(cookieOf(second).split('=')[1]);
    // another account's session is not the registrar's to end, but an admin may
    const other = await signIn('b.registrar', PASSWORD, ip).expect(200);
    await request(t.app).delete(`/api/v1/auth/sessions/${other.body.sessionId}`).set('Cookie', cookieOf(second)).set('Origin', origin()).expect(403);
    await request(t.app).delete(`/api/v1/auth/sessions/${other.body.sessionId}`).set(t.auth('admin')).expect(204);
    await me(cookieOf(other)).expect(401);
    await request(t.app).delete(`/api/v1/auth/sessions/${first.body.sessionId}`).set('Cookie', cookieOf(second)).set('Origin', origin()).expect(204);
    await me(cookieOf(first)).expect(401);
    await me(cookieOf(second)).expect(200);
    await request(t.app).delete('/api/v1/auth/sessions/999999').set(t.auth('admin')).expect(404);
  });

  it('changes the password: the policy names each broken rule in Chinese and English; the other sessions end', async () => {
    const ip = address();
    const keep = cookieOf(await signIn('a.officer', PASSWORD, ip).expect(200));
    const other = cookieOf(await signIn('a.officer', PASSWORD, ip).expect(200));
    const change = (body: object, lang = 'en') => request(t.app).post('/api/v1/auth/password').set('Cookie', keep).set('Origin', origin()).set('Accept-Language', lang).send(body);
    const rules = async (password: string) => {
      const res = await change({ current: PASSWORD, new: password }).expect(400);
      const zh = await change({ current: PASSWORD, new: password }, 'zh-CN').expect(400);
      for (const p of res.body.error.details) {
        expect(p.path).to.equal('/new');
        expect(p.message).to.match(/password/);
      }
      for (const p of zh.body.error.details) expect(p.message).to.match(/[\u4e00-\u9fff]/);
      return { rules: res.body.error.details.map((p: { rule: string }) => p.rule), message: `${zh.body.error.message} / ${res.body.error.message}` };
    };
    const short = await rules('short1');
    expect(short.rules).to.deep.equal(['min-length']);
    expect(short.message).to.contain('至少需要 10 个字符').and.contain('at least 10 characters (it has 6)');
    expect((await rules('A.Officer')).rules).to.deep.equal(['min-length', 'not-login']);
    const common = await rules('Password123');
    expect(common.rules).to.deep.equal(['common']);
    expect(common.message).to.contain('常用密码').and.contain('commonly used');
    expect((await rules('x'.repeat(201))).rules).to.deep.equal(['max-length']);

    const wrong = await change({ current: 'not-my-password', new: 'Another-Good-One-7' }).expect(403);
    expect(wrong.body.error.details[0]).to.include({ path: '/current', message: 'the current password is wrong' });
    const bad = await change({ current: PASSWORD }).expect(400);
    expect(bad.body.error.details[0].path).to.equal('/new');

    await change({ current: PASSWORD, new: 'Another-Good-One-7' }).expect(204);
    await me(keep).expect(200);
    await me(other).expect(401);
    await signIn('a.officer', PASSWORD, ip).expect(401);
    await signIn('a.officer', 'Another-Good-One-7', ip).expect(200);
    const stored = await t.knex('odx.passwords').where({ principal_id: t.principals.officer.id }).first();
    expect(stored.hash).to.match(/^\$scrypt\$ln=15,r=8,p=1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('Another-Good-One-7', stored.hash)).to.equal(true);
    await setPassword(t.knex, t.principals.officer.id, PASSWORD);
  });

  it('lets a developer who signed up with a password sign in by e-mail and list, create and revoke keys', async () => {
    const weak = await request(t.app).post('/api/v1/developer/accounts').send({ email: 'dana@example.org', password: '1234567890' }).expect(400);
    expect(weak.body.error.details.map((p: { path: string; rule: string }) => [p.path, p.rule])).to.deep.equal([['/password', 'common']]);
    expect(await t.knex('odx.principals').where({ email: 'dana@example.org' }).first()).to.equal(undefined);
    const signup = await request(t.app).post('/api/v1/developer/accounts').send({ email: 'Dana@Example.org', password: 'Dana-Builds-Apps-1' }).expect(201);
    const session = await signIn('dana@example.org', 'Dana-Builds-Apps-1', address()).expect(200);
    expect(session.body).to.include({ id: signup.body.account.id, login: signup.body.account.login, departmentId: null });
    const cookie = cookieOf(session);
    const created = await request(t.app).post('/api/v1/developer/keys').set('Cookie', cookie).set('Origin', origin()).send({ name: '门户里建的密钥' }).expect(201);
    expect(created.body.secret).to.match(/^odx_/);
    const listed = await request(t.app).get('/api/v1/developer/keys').set('Cookie', cookie).expect(200);
    expect(listed.body.items.map((k: { name: string }) => k.name)).to.deep.equal(['account', 'api key', '门户里建的密钥']);
    const revoked = await request(t.app).post(`/api/v1/developer/keys/${created.body.id}/revoke`).set('Cookie', cookie).set('Origin', origin()).expect(200);
    expect(revoked.body.revokedAt).to.be.a('string');
    await request(t.app).get('/api/v1/datasets').set('Authorization', `Bearer ${created.body.secret}`).expect(401);
    // the made-up login signs in as well
    await signIn(signup.body.account.login, 'Dana-Builds-Apps-1', address()).expect(200);
  });

  // runs last: besides its own sign-in, failures and sign-out, it looks for the events of the scenarios above
  it('records every sign-in, sign-out, failure and lockout in the audit log, never a password or session secret', async () => {
    const ip = address();
    const res = await signIn('a.admin', PASSWORD, ip).expect(200);
    const cookie = cookieOf(res);
    await signIn('a.admin', 'wrong-password-audit', ip).expect(401);
    await signIn('ghost.user', 'wrong-password-audit', ip).expect(401);
    await request(t.app).post('/api/v1/auth/sign-out').set('Cookie', cookie).set('Origin', origin()).expect(204);
    const events = await actions();
    const signInEvent = events.find((e) => e.action === 'session.sign-in' && e.detail.session === res.body.sessionId)!;
    expect(signInEvent).to.include({ actor: 'anonymous', target_id: String(t.principals.admin.id) });
    expect(signInEvent.detail).to.deep.equal({ login: 'a.admin', method: 'password', session: res.body.sessionId, address: ip });
    const failures = events.filter((e) => e.action === 'session.sign-in-failed' && e.detail.address === ip);
    expect(failures.map((e) => [e.detail.login, e.detail.reason])).to.deep.equal([['a.admin', 'wrong-password'], ['ghost.user', 'unknown-login']]);
    const out = events.find((e) => e.action === 'session.sign-out' && e.detail.session === res.body.sessionId)!;
    expect(out).to.include({ actor: 'principal:a.admin' });
    const kinds = new Set(events.map((e) => e.action));
    for (const a of ['session.sign-in', 'session.sign-in-failed', 'session.locked', 'session.address-slowed', 'session.sign-out', 'session.sign-out-everywhere', 'session.end', 'principal.password']) {
      expect(kinds.has(a), a).to.equal(true);
    }
    const everything = JSON.stringify(events);
    for (const secret of [PASSWORD, 'wrong-password-audit', 'Another-Good-One-7', cookie.split('=')[1]]) expect(everything).not.to.contain(secret);
  });
});
