import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import pg from 'pg';
import request from 'supertest';
import { closeServices, createApp, type App } from '../../server/src/app.ts';
import { HeadSigner } from '../../server/src/audit/signing.ts';
import { loadConfig } from '../../server/src/config.ts';
import { ChangeFeed } from '../../server/src/db/change-feed.ts';
import { createKnex } from '../../server/src/db/connect.ts';
import { settleCryptoSuite } from '../../server/src/db/crypto-suite.ts';
import { createLogger } from '../../server/src/http/observability.ts';
import { makeDepartment, makePrincipal, setPassword } from '../helpers/app.ts';
import { licenceCsv, loadCsv, publishedResource } from '../helpers/census.ts';
import { freePort } from '../helpers/cluster.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { eventually } from '../helpers/wait.ts';

const PGBOUNCER = '/usr/sbin/pgbouncer';

/**
 * ODX behind PgBouncer in session mode (docs/operations.md, "PgBouncer"): every connection of
 * the process — the pool, the streaming pool, the pipelined prepared statements, the change
 * feed's LISTEN, the audit chainer — goes through it. CI installs Debian's pgbouncer.
 */
describe('PgBouncer in session mode in front of the database', function () {
  this.timeout(120_000);
  let dir: string;
  let bouncer: ChildProcess;
  let db: TestDatabase;
  let knex: Knex;
  let app: App;
  let bouncedUrl: string;
  let code: string;
  let port: number;

  before(async function () {
    if (!existsSync(PGBOUNCER)) {
      // stated, not silent: .ci/run installs Debian's pgbouncer, so CI always runs this
      console.warn(`    PgBouncer test skipped: ${PGBOUNCER} is absent (apt-get install pgbouncer)`);
      this.skip();
    }
    db = await freshDatabase();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-pgbouncer-'));
    await fs.chmod(dir, 0o755);
    const target = new URL(db.url);
    port = await freePort();
    // clients authenticate to PgBouncer with SCRAM; PgBouncer logs in to PostgreSQL with the same password
    await fs.writeFile(path.join(dir, 'userlist.txt'), `"${decodeURIComponent(target.username)}" "${decodeURIComponent(target.password)}"\n`, { mode: 0o644 });
    await fs.writeFile(
      path.join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `* = host=${target.hostname} port=${target.port || 5432}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = scram-sha-256',
        `auth_file = ${path.join(dir, 'userlist.txt')}`,
        'pool_mode = session',
        'max_client_conn = 200',
        'default_pool_size = 60',
        'server_reset_query = DISCARD ALL',
        'ignore_startup_parameters = extra_float_digits',
        `admin_users = ${decodeURIComponent(target.username)}`,
        '',
      ].join('\n'),
      { mode: 0o644 },
    );
    // PgBouncer will not run as root
    const asUser = process.getuid?.() === 0 ? ['-u', 'postgres'] : [];
    bouncer = spawn(PGBOUNCER, [...asUser, path.join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    bouncer.stderr!.on('data', (d: Buffer) => void (log = (log + d).slice(-4000)));
    const bounced = new URL(db.url);
    bounced.hostname = '127.0.0.1';
    bounced.port = String(port);
    bouncedUrl = bounced.toString();
    const answers = async () => {
      const c = new pg.Client({ connectionString: bouncedUrl });
      return c.connect().then(() => c.end().then(() => true), () => false);
    };
    expect(await eventually(answers, 20_000), `PgBouncer answers on ${port}: ${log}`).to.equal(true);

    knex = createKnex(bouncedUrl, { min: 0, max: 10 });
    const home = path.join(dir, 'home');
    await fs.mkdir(home);
    const config = loadConfig({ ODX_HOME: home, ODX_LOG_LEVEL: 'silent', ODX_RATE_LIMIT_ANONYMOUS: '0', ODX_RATE_LIMIT_KEY: '0', ODX_WEB_DIR: path.join(home, 'no-web-app') } as NodeJS.ProcessEnv);
    const suite = await settleCryptoSuite({ knex, url: bouncedUrl, ownerUrl: db.ownerUrl }, config.crypto);
    app = createApp({ knex, config, log: createLogger('silent'), signer: await HeadSigner.load(home, suite) });
  });

  after(async () => {
    if (app) await closeServices(app.services);
    await knex?.destroy();
    bouncer?.kill('SIGTERM');
    await db?.drop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('signs a person in, loads a version and reads rows by key through PgBouncer', async () => {
    const dept = await makeDepartment(knex, '测试甲局');
    const officer = await makePrincipal(knex, 'a.officer', dept.id, ['officer']);
    await setPassword(knex, officer.id, 'Pooler-Session-2026');
    const agent = request.agent(app.app);
    const signedIn = await agent.post('/api/v1/auth/sign-in').send({ login: 'a.officer', password: 'Pooler-Session-2026' }).expect(200);
    expect(signedIn.body.login).to.equal('a.officer');
    expect((await agent.get('/api/v1/me').expect(200)).body.login).to.equal('a.officer');

    const resource = await publishedResource(knex, dept.uscc);
    code = resource.code;
    const loaded = await loadCsv(knex, resource.id, licenceCsv(1, 500));
    expect(loaded.version).to.equal(1);

    // rows by key: the pipelined prepared statements, many at once on their few connections
    const keys = (await request(app.app).get(`/api/v1/datasets/${encodeURIComponent(code)}/rows`).query({ limit: 50 }).expect(200)).body.items.map((r: { credit_code: string }) => r.credit_code);
    const answers = await Promise.all(keys.map((k: string) => request(app.app).get(`/api/v1/datasets/${encodeURIComponent(code)}/rows`).query({ 'filter[credit_code]': k })));
    expect(answers.map((a) => a.status)).to.deep.equal(Array(keys.length).fill(200));
    expect(answers.map((a) => a.body.items[0].credit_code)).to.deep.equal(keys);
    const csv = await request(app.app).get(`/api/v1/datasets/${encodeURIComponent(code)}/download`).query({ format: 'csv' }).expect(200);
    expect(csv.text.trim().split('\n')).to.have.length(501);
    // PgBouncer's console: ODX's connections are its clients, in session mode
    const consoleUrl = new URL(bouncedUrl);
    consoleUrl.pathname = '/pgbouncer';
    const admin = new pg.Client({ connectionString: consoleUrl.toString() });
    await admin.connect();
    try {
      const clients = (await admin.query('show clients')).rows.filter((c) => c.database === db.name);
      expect(clients.length, 'ODX connections held by PgBouncer').to.be.greaterThan(3);
      const pools = (await admin.query('show pools')).rows.filter((p) => p.database === db.name);
      expect(pools.map((p) => p.pool_mode)).to.include('session');
    } finally {
      await admin.end();
    }
  });

  it('keeps LISTEN working for the change feed: a NOTIFY sent straight to PostgreSQL reaches a process listening through PgBouncer', async () => {
    const feed = new ChangeFeed(bouncedUrl, createLogger('silent'));
    try {
      expect(await eventually(() => feed.state().listening, 10_000), 'listening through PgBouncer').to.equal(true);
      const before = feed.state().generation;
      await db.superuser.raw(`select pg_notify('odx_changes', '')`);
      expect(await eventually(() => feed.state().generation > before, 10_000), 'the notification arrived').to.equal(true);
    } finally {
      await feed.stop();
    }
    // and a new version loaded is seen by the next read (the app's own feed dropped its cached pointer)
    const resource = await knex('odx.resources').where({ code }).first('id');
    await loadCsv(knex, resource.id, licenceCsv(1000, 20));
    const after = await request(app.app).get(`/api/v1/datasets/${encodeURIComponent(code)}/rows`).query({ limit: 100 }).expect(200);
    expect(after.body.version).to.equal(2);
    expect(after.body.items).to.have.length(20);
  });
});
