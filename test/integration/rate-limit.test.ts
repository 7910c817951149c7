/**
 * Rate limits of the open data API hold across server processes: two app instances, each with its
 * own connection pool, share one database and so one counter.
 */
import { expect } from 'chai';
import request from 'supertest';
import { closeServices, createApp, type App } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createKnex } from '../../server/src/db/connect.ts';
import { clientBucket, leaseSize } from '../../server/src/http/rate-limit.ts';
import { createLogger } from '../../server/src/http/observability.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { clearOfWindowEnd } from '../helpers/rate.ts';
import { publishedResource } from '../helpers/census.ts';

const WINDOW = 3600;

describe('rate limits across processes', function () {
  this.timeout(120_000);
  let t: TestApp;
  let a: App;
  let b: App;
  let ip = 0;
  /** A caller of its own: the apps trust X-Forwarded-For from loopback, as behind a local proxy. */
  const caller = () => `198.51.100.${++ip}`;

  function instance(env: Record<string, string> = {}): App {
    const knex = createKnex(t.db.url, { min: 0, max: 5 });
    const config = loadConfig({
      ODX_HOME: t.home,
      ODX_LOG_LEVEL: 'silent',
      ODX_RATE_LIMIT_ANONYMOUS: '5',
      ODX_RATE_LIMIT_KEY: '8',
      ODX_RATE_LIMIT_WINDOW: String(WINDOW),
      ODX_RATE_LIMIT_SIGNUP: '2',
      ...env,
    } as NodeJS.ProcessEnv);
    return createApp({ knex, config, log: createLogger('silent'), signer: t.services.signer });
  }

  async function close(app: App) {
    await closeServices(app.services);
    await app.services.knex.destroy();
  }

  before(async () => {
    t = await testApp();
    await publishedResource(t.knex, t.deptA.uscc);
    a = instance();
    b = instance();
    // a test that straddles a window's end would see the counter reset: start in a fresh part of the window
    await clearOfWindowEnd(WINDOW, 30);
  });
  after(async () => {
    await close(a);
    await close(b);
    await t.close();
  });

  it('shares the anonymous limit between two instances: the sixth call, on either, is 429 with Retry-After and RateLimit fields', async () => {
    const who = caller();
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(i % 2 ? b.app : a.app).get('/api/v1/datasets').set('X-Forwarded-For', who).expect(200);
      expect(res.headers['ratelimit-policy']).to.equal(`"anonymous";q=5;w=${WINDOW}`);
      const m = /^"anonymous";r=(\d+);t=(\d+)$/.exec(res.headers.ratelimit);
      expect(m, res.headers.ratelimit).to.not.equal(null);
      seen.push(Number(m![1]));
      expect(Number(m![2])).to.be.within(1, WINDOW);
    }
    expect(seen).to.deep.equal([4, 3, 2, 1, 0]);
    for (const app of [a, b]) {
      const res = await request(app.app).get('/api/v1/datasets').set('X-Forwarded-For', who).expect(429);
      expect(res.body.error.code).to.equal('rate_limited');
      expect(res.body.error.details).to.include({ policy: 'anonymous', limit: 5, windowSeconds: WINDOW });
      expect(Number(res.headers['retry-after'])).to.be.within(1, WINDOW);
      expect(res.headers.ratelimit).to.match(/^"anonymous";r=0;t=\d+$/);
    }
    // another address is not held back
    await request(b.app).get('/api/v1/datasets').set('X-Forwarded-For', caller()).expect(200);
  });

  it('counts exactly under concurrency: 40 parallel calls over two instances let 5 through', async () => {
    const who = caller();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => request((i % 2 ? b : a).app).get('/catalog.ttl').set('X-Forwarded-For', who)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).to.have.length(5);
    expect(statuses.filter((s) => s === 429)).to.have.length(35);
  });

  it('gives key holders a higher limit, per account: two keys of one account share it', async () => {
    const who = caller();
    const signup = await request(a.app).post('/api/v1/developer/accounts').set('X-Forwarded-For', who).send({ email: 'ratelimit@example.org' }).expect(201);
    const { token, key } = signup.body;
    for (let i = 0; i < 5; i++) await request(a.app).get('/api/v1/datasets').set('X-Forwarded-For', who).expect(200);
    await request(a.app).get('/api/v1/datasets').set('X-Forwarded-For', who).expect(429);
    for (let i = 0; i < 8; i++) {
      const res = await request(i % 2 ? b.app : a.app).get('/api/v1/datasets').set('X-Forwarded-For', who).set('Authorization', `Bearer ${i < 4 ? key.secret : token.secret}`).expect(200);
      expect(res.headers['ratelimit-policy']).to.equal(`"key";q=8;w=${WINDOW}`);
    }
    const over = await request(b.app).get('/api/v1/datasets').set('Authorization', `Bearer ${key.secret}`).expect(429);
    expect(over.body.error.details.policy).to.equal('key');
  });

  it('admits large limits from leases: never more than the limit over two instances, exactly the limit on one', async () => {
    // limit 100: each instance claims leaseSize(100) = 5 requests per round trip
    expect(leaseSize(100)).to.equal(5);
    const big = [instance({ ODX_RATE_LIMIT_ANONYMOUS: '100' }), instance({ ODX_RATE_LIMIT_ANONYMOUS: '100' })];
    try {
      const solo = caller();
      let ok = 0;
      for (let i = 0; i < 110; i++) if ((await request(big[0].app).get('/catalog.ttl').set('X-Forwarded-For', solo)).status === 200) ok++;
      expect(ok, 'one instance').to.equal(100);
      const shared = caller();
      const statuses = await Promise.all(Array.from({ length: 130 }, (_, i) => request(big[i % 2].app).get('/catalog.ttl').set('X-Forwarded-For', shared)).map(async (r) => (await r).status));
      const admitted = statuses.filter((s) => s === 200).length;
      expect(admitted, 'two instances').to.be.within(100 - 2 * 4, 100);
      expect(statuses.filter((s) => s !== 200 && s !== 429)).to.deep.equal([]);
      const counted = await t.knex('odx.rate_counters').where('bucket', `open:${shared}`).first('hits');
      expect(counted.hits).to.be.at.least(100);
    } finally {
      for (const app of big) await close(app);
    }
  });

  it('limits /catalog*, /api/v1/datasets* and the CKAN API (answering there in CKAN’s shape), and nothing else', async () => {
    const who = caller();
    const paths = ['/catalog', '/catalog.jsonld', '/api/3/action/status_show', '/api/action/package_list', '/api/v1/datasets/102%2F000001'];
    for (const p of paths) {
      const res = await request(a.app).get(p).set('X-Forwarded-For', who);
      expect(res.headers, p).to.have.property('ratelimit');
    }
    const ckan = await request(b.app).get('/api/3/action/package_list').set('X-Forwarded-For', who).expect(429);
    expect(ckan.body).to.include({ success: false, help: `${b.services.config.publicBaseUrl}/api/3/action/help_show?name=package_list` });
    expect(ckan.body.error.__type).to.equal('Rate Limit Error');
    for (const p of ['/api/v1/departments', '/healthz', '/api/v1/classifications']) {
      const res = await request(a.app).get(p).set('X-Forwarded-For', who).expect(200);
      expect(res.headers, p).not.to.have.property('ratelimit');
    }
  });

  it('limits developer sign-ups per address and hour', async () => {
    const who = caller();
    for (let i = 0; i < 2; i++) await request(i ? b.app : a.app).post('/api/v1/developer/accounts').set('X-Forwarded-For', who).send({ email: `signup${i}@example.org` }).expect(201);
    const res = await request(a.app).post('/api/v1/developer/accounts').set('X-Forwarded-For', who).send({ email: 'signup2@example.org' }).expect(429);
    expect(res.headers['ratelimit-policy']).to.equal('"signup";q=2;w=3600');
    expect(res.body.error.details.policy).to.equal('signup');
  });

  it('lets requests through when the counter cannot be asked (fail open)', async () => {
    const who = caller();
    await t.db.owner.raw('alter table odx.rate_counters rename to rate_counters_away');
    try {
      for (let i = 0; i < 7; i++) {
        const res = await request(a.app).get('/api/v1/datasets').set('X-Forwarded-For', who).expect(200);
        expect(res.headers).not.to.have.property('ratelimit');
      }
    } finally {
      await t.db.owner.raw('alter table odx.rate_counters_away rename to rate_counters');
    }
  });

  it('counts IPv6 callers by their /64', () => {
    expect(clientBucket('2001:db8:1:2:3:4:5:6')).to.equal('2001:db8:1:2::/64');
    expect(clientBucket('2001:db8:1:2::9')).to.equal('2001:db8:1:2::/64');
    expect(clientBucket('2001:db8::1')).to.equal('2001:db8:0:0::/64');
    expect(clientBucket('::ffff:192.0.2.7')).to.equal('192.0.2.7');
    expect(clientBucket('192.0.2.7')).to.equal('192.0.2.7');
  });
});
