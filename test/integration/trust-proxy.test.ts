/**
 * X-Forwarded-For is believed only from the proxies ODX_TRUST_PROXY names (default: loopback):
 * from any other address a forged header does not change the caller's address, so it cannot
 * dodge the per-address sign-up and anonymous limits.
 */
import { expect } from 'chai';
import request from 'supertest';
import { closeServices, createApp, type App } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createLogger } from '../../server/src/http/observability.ts';
import { clearOfWindowEnd } from '../helpers/rate.ts';
import { testApp, type TestApp } from '../helpers/app.ts';

describe('ODX_TRUST_PROXY: whose X-Forwarded-For is believed', function () {
  this.timeout(60_000);
  let t: TestApp;
  const apps: App[] = [];
  let n = 0;

  /** An instance allowing one developer sign-up per address and hour; supertest connects from 127.0.0.1. */
  function instance(trust?: string): App {
    const config = loadConfig({ ODX_HOME: t.home, ODX_LOG_LEVEL: 'silent', ODX_RATE_LIMIT_SIGNUP: '1', ODX_RATE_LIMIT_ANONYMOUS: '0', ODX_RATE_LIMIT_KEY: '0', ...(trust ? { ODX_TRUST_PROXY: trust } : {}) } as NodeJS.ProcessEnv);
    const app = createApp({ knex: t.knex, config, log: createLogger('silent'), signer: t.services.signer });
    apps.push(app);
    return app;
  }
  const signup = (app: App, forwardedFor: string) =>
    request(app.app).post('/api/v1/developer/accounts').set('X-Forwarded-For', forwardedFor).send({ email: `proxy${++n}@example.org` });

  before(async () => {
    t = await testApp();
    await clearOfWindowEnd(3600, 30);
  });
  after(async () => {
    for (const a of apps) await closeServices(a.services);
    await t.close();
  });

  it('from an address outside the trusted proxies, a forged header changes nothing: the second sign-up is refused', async () => {
    const app = instance('10.0.0.0/8, 192.168.1.1');
    expect((await signup(app, '203.0.113.1')).status).to.equal(201);
    const second = await signup(app, '203.0.113.2');
    expect(second.status, 'counted for 127.0.0.1 again, whatever the header says').to.equal(429);
    const none = instance('none');
    expect((await signup(none, '203.0.113.3')).status, 'none: no header is believed').to.equal(429);
  });

  it('from a trusted proxy (default: loopback), the header names the caller: different callers, different counts', async () => {
    const app = instance();
    expect((await signup(app, '198.51.100.10')).status).to.equal(201);
    expect((await signup(app, '198.51.100.11')).status).to.equal(201);
    expect((await signup(app, '198.51.100.10')).status).to.equal(429);
    const cidr = instance('127.0.0.0/8');
    expect((await signup(cidr, '198.51.100.12')).status).to.equal(201);
  });

  it('a value that is no address, range or name is a configuration error naming the setting', () => {
    expect(() => loadConfig({ ODX_TRUST_PROXY: 'proxy.example.org' } as NodeJS.ProcessEnv)).to.throw(/trustProxy: a comma-separated list/);
    expect(() => loadConfig({ ODX_TRUST_PROXY: '10.0.0.0/33' } as NodeJS.ProcessEnv)).to.throw(/trustProxy/);
    expect(loadConfig({ ODX_TRUST_PROXY: 'loopback, 10.0.0.0/8, ::1' } as NodeJS.ProcessEnv).trustProxy).to.deep.equal(['loopback', '10.0.0.0/8', '::1']);
  });
});
