import http from 'node:http';
import { expect } from 'chai';
import Provider from 'oidc-provider';
import request from 'supertest';
import { chainPending } from '../../server/src/audit/chain.ts';
import { freePort } from '../helpers/cluster.ts';
import { testApp, type TestApp } from '../helpers/app.ts';

/**
 * Single sign-on against a real OpenID provider (oidc-provider, with its development login and
 * consent pages) running in this process: the browser's part of the code flow is walked with
 * plain HTTP requests, cookies kept per site as a browser keeps them.
 */
describe('single sign-on with OpenID Connect (统一身份认证)', function () {
  this.timeout(60_000);
  let t: TestApp;
  let idp: http.Server;
  let issuer: string;

  before(async () => {
    t = await testApp();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'odx',
          client_secret: 'odx-client-secret',
          redirect_uris: [`${t.services.config.publicBaseUrl}/api/v1/auth/oidc/callback`],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      // the provider's accounts are named by their ODX login; 'stranger' has none in ODX
      findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub, preferred_username: sub }) }),
      claims: { openid: ['sub'], profile: ['preferred_username'] },
      cookies: { keys: ['oidc-test-cookie-key'] },
    });
    idp = http.createServer(provider.callback());
    await new Promise<void>((resolve) => idp.listen(port, '127.0.0.1', resolve));
  });
  beforeEach(() => Object.assign(t.services.config, { oidcIssuer: issuer, oidcClientId: 'odx', oidcClientSecret: 'odx-client-secret' }));
  after(async () => {
    await new Promise((resolve) => idp.close(resolve));
    await t.close();
  });

  /** The browser at the provider: follows its redirects, signs in as `user` on its login page and agrees on its consent page, until it is sent back to ODX. */
  async function atProvider(start: string, user: string): Promise<URL> {
    const jar = new Map<string, string>();
    const keep = (res: Response) => {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
    };
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let url = new URL(start);
    for (let step = 0; step < 20; step++) {
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: cookie() } });
      keep(res);
      let next = res;
      if (res.status === 200) {
        const page = await res.text();
        const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
        expect(prompt, `a login or consent page at ${url.pathname}`).to.be.oneOf(['login', 'consent']);
        const form = new URLSearchParams({ prompt: prompt!, login: user, password: 'any' });
        next = await fetch(url, { method: 'POST', redirect: 'manual', headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' }, body: form });
        keep(next);
      }
      expect([302, 303], `a redirect from ${url.pathname}`).to.include(next.status);
      const location = new URL(next.headers.get('location')!, url);
      if (location.origin !== issuer) return location;
      url = location;
    }
    throw new Error('the provider never sent the browser back');
  }

  /** Starts at ODX, goes through the provider, and comes back to ODX's callback with ODX's flow cookie. */
  async function signInThrough(user: string, status: number, returnTo = '/datasets') {
    const start = await request(t.app).get('/api/v1/auth/oidc/start').query({ returnTo }).expect(303);
    const flowCookie = ([] as string[]).concat(start.headers['set-cookie']).find((c) => c.startsWith('odx_oidc='))!;
    expect(flowCookie).to.contain('HttpOnly').and.contain('SameSite=Lax').and.contain('Path=/api/v1/auth/oidc');
    const authorize = new URL(start.headers.location);
    expect(authorize.origin).to.equal(issuer);
    expect(authorize.searchParams.get('code_challenge_method')).to.equal('S256');
    const back = await atProvider(start.headers.location, user);
    expect(back.pathname).to.equal('/api/v1/auth/oidc/callback');
    return request(t.app).get(back.pathname + back.search).set('Cookie', flowCookie.split(';')[0]).expect(status);
  }

  it('says whether single sign-on is on, and answers 404 to its routes when it is not', async () => {
    expect((await request(t.app).get('/api/v1/auth/methods').expect(200)).body).to.deep.equal({ password: true, oidc: true });
    t.services.config.oidcIssuer = undefined;
    expect((await request(t.app).get('/api/v1/auth/methods').expect(200)).body).to.deep.equal({ password: true, oidc: false });
    await request(t.app).get('/api/v1/auth/oidc/start').expect(404);
  });

  it('signs in through the provider: a session for the account named by the login claim, back on the page it started from', async () => {
    const res = await signInThrough('a.registrar', 303);
    expect(res.headers.location).to.equal('/datasets');
    const cookies = ([] as string[]).concat(res.headers['set-cookie']);
    const session = cookies.find((c) => c.startsWith('odx_session='))!;
    expect(session).to.contain('HttpOnly').and.contain('SameSite=Strict');
    expect(cookies.some((c) => c.startsWith('odx_oidc=; Max-Age=0'))).to.equal(true);
    const me = await request(t.app).get('/api/v1/me').set('Cookie', session.split(';')[0]).expect(200);
    expect(me.body).to.include({ login: 'a.registrar', id: t.principals.registrar.id });
    const listed = await request(t.app).get('/api/v1/auth/sessions').set('Cookie', session.split(';')[0]).expect(200);
    expect(listed.body.items.find((s: { current: boolean }) => s.current).method).to.equal('oidc');
    await chainPending(t.knex);
    const event = await t.knex('odx.audit_events').where({ action: 'session.sign-in' }).orderBy('seq', 'desc').first();
    expect(event.detail).to.include({ login: 'a.registrar', method: 'oidc' });
  });

  it('refuses a provider account that has no ODX account, and a callback without the flow started here', async () => {
    const res = await signInThrough('stranger', 403);
    expect(res.body.error.message).to.contain('stranger');
    expect(([] as string[]).concat(res.headers['set-cookie']).some((c) => c.startsWith('odx_session=') && !c.startsWith('odx_session=;'))).to.equal(false);
    const start = await request(t.app).get('/api/v1/auth/oidc/start').expect(303);
    const back = await atProvider(start.headers.location, 'a.registrar');
    // no flow cookie: a link someone else made, or a replay
    await request(t.app).get(back.pathname + back.search).expect(400);
    await chainPending(t.knex);
    const failed = await t.knex('odx.audit_events').where({ action: 'session.sign-in-failed' }).select('detail');
    expect(failed.map((e: { detail: { reason: string; login: string } }) => [e.detail.reason, e.detail.login])).to.deep.include(['unknown-login', 'stranger']);
  });

  it('takes only a path on this server to return to', async () => {
    for (const returnTo of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      const res = await request(t.app).get('/api/v1/auth/oidc/start').query({ returnTo }).expect(400);
      expect(res.body.error.details[0].path).to.equal('/returnTo');
    }
  });
});
