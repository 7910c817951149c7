import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pino from 'pino';
import { createKnex } from '../../server/src/db/connect.ts';
import { EmbeddedPostgres } from '../../server/src/db/embedded.ts';
import { Scheduler } from '../../server/src/system/jobs.ts';
import { ODX_BIN, odx } from '../helpers/cli.ts';
import { freePort } from '../helpers/cluster.ts';
import { eventually } from '../helpers/wait.ts';

/**
 * Several ODX processes on one database, as a scaled-out installation runs them: two real
 * `odx serve` children on their own ports and one PostgreSQL, and `odx serve --workers 2`. What
 * one process does the other must honour at once: a revoked token, a caller's rate limit, the
 * audit chain both append to, and periodic jobs that must run once between them.
 */
/** The runs of each periodic job per period (pg-boss keeps one job per name and time slot), finished or not. */
const JOB_SLOTS = `select name, singleton_on as slot, count(*)::int as runs
  from (select name, singleton_on from pgboss.job union all select name, singleton_on from pgboss.archive) j
  where name not like '\\_\\_%' and singleton_on is not null group by name, singleton_on order by name, singleton_on`;

describe('scale-out: several server processes on one database', function () {
  this.timeout(600_000);
  let dir: string;
  let pgCluster: EmbeddedPostgres;
  let databaseUrl: string;
  const servers: ChildProcess[] = [];
  const bases: string[] = [];
  let admin: Record<string, string>;
  const env = (port: number) => ({
    DATABASE_URL: databaseUrl,
    ODX_HOME: path.join(dir, 'home'),
    ODX_PORT: String(port),
    ODX_LOG_LEVEL: 'error',
    ODX_RATE_LIMIT_ANONYMOUS: '10',
    // a window no test run crosses, so the count below is not reset half-way
    ODX_RATE_LIMIT_WINDOW: '3600',
  });

  async function serve(demo: boolean): Promise<string> {
    const port = await freePort();
    const child = spawn(process.execPath, [ODX_BIN, 'serve', ...(demo ? ['--demo'] : [])], { env: { ...process.env, ...env(port) }, stdio: 'ignore' });
    servers.push(child);
    const base = `http://127.0.0.1:${port}`;
    const ready = async () => (await fetch(`${base}/readyz`).then((r) => r.status, () => 0)) === 200;
    expect(await eventually(ready, 240_000), `odx serve on ${port} became ready`).to.equal(true);
    return base;
  }

  const sql = async (text: string) => {
    const knex = createKnex(databaseUrl, { min: 0, max: 1 });
    try {
      return (await knex.raw(text)).rows;
    } finally {
      await knex.destroy();
    }
  };

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-scale-'));
    await fs.chmod(dir, 0o755);
    pgCluster = new EmbeddedPostgres({ dataDir: path.join(dir, 'pgdata'), port: await freePort(), settings: { fsync: 'off', synchronous_commit: 'off' } });
    databaseUrl = await pgCluster.start('odx');
    // the first migrates, seeds the demo and makes the signing key the second then shares
    bases.push(await serve(true));
    bases.push(await serve(false));
    admin = { Authorization: `Bearer ${(await fs.readFile(path.join(dir, 'home', 'admin-token'), 'utf8')).trim()}` };
  });

  after(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await pgCluster?.stop('fast').catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('refuses a token on one process on the very next request after it was revoked through the other', async () => {
    const [a, b] = bases;
    const made = await fetch(`${a}/api/v1/tokens`, { method: 'POST', headers: { ...admin, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'two-process', expiresInDays: 1 }) });
    expect(made.status).to.equal(201);
    const token = await made.json();
    const bearer = { Authorization: `Bearer ${token.secret}` };
    expect((await fetch(`${b}/api/v1/tokens`, { headers: bearer })).status, 'the new token works on the other process').to.equal(200);
    const revoked = await fetch(`${a}/api/v1/tokens/${token.id}/revoke`, { method: 'POST', headers: admin });
    expect(revoked.status).to.equal(200);
    const after = await fetch(`${b}/api/v1/tokens`, { headers: bearer });
    expect(after.status, 'the revoked token on the other process').to.equal(401);
  });

  it('counts an anonymous caller against one limit whichever process answers', async () => {
    const statuses: number[][] = [[], []];
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${bases[i % 2]}/api/v1/datasets?limit=1`);
      await res.arrayBuffer();
      statuses[i % 2].push(res.status);
    }
    const all = statuses.flat();
    expect(all.filter((s) => s === 200).length, `statuses: ${JSON.stringify(statuses)}`).to.equal(10);
    expect(all.filter((s) => s === 429).length).to.equal(10);
    // each process admitted some and refused some: neither kept a count of its own
    for (const s of statuses) expect(s).to.include.members([200, 429]);
  });

  it('counts a grant’s calls against its one rate whichever process answers', async () => {
    // the demo's grant in force on loaded data, its rate lowered to 10 calls a minute
    const [grant] = await sql(`select g.id, r.code, g.consumer_department_id as holder from odx.grants g join odx.resources r on r.id = g.resource_id
      where g.status = 'active' and g.mode = 'query' and g.consumer_department_id is not null and r.current_version is not null order by g.id limit 1`);
    expect(grant, 'a demo grant in force on loaded data').to.not.equal(undefined);
    await sql(`update odx.grants set rate_limit = 10 where id = ${Number(grant.id)}`);
    const [officer] = await sql(`select id from odx.principals where department_id = ${Number(grant.holder)} and 'officer' = any(roles) and disabled_at is null order by id limit 1`);
    const made = await fetch(`${bases[0]}/api/v1/tokens`, { method: 'POST', headers: { ...admin, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'grant-rate', expiresInDays: 1, scopes: ['read'], principalId: Number(officer.id) }) });
    expect(made.status).to.equal(201);
    const bearer = { Authorization: `Bearer ${(await made.json()).secret}` };
    // the grant's window is a clock minute: start well inside one
    if (new Date().getSeconds() > 45) await new Promise((r) => setTimeout(r, (61 - new Date().getSeconds()) * 1000));
    const statuses: number[][] = [[], []];
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${bases[i % 2]}/api/v1/shared/${encodeURIComponent(grant.code)}/rows?limit=1&purpose=${encodeURIComponent('两进程限额核对')}`, { headers: bearer });
      await res.arrayBuffer();
      statuses[i % 2].push(res.status);
    }
    const all = statuses.flat();
    expect(all.filter((s) => s === 200).length, `statuses: ${JSON.stringify(statuses)}`).to.equal(10);
    expect(all.filter((s) => s === 429).length).to.equal(10);
    for (const s of statuses) expect(s).to.include.members([200, 429]);
  });

  it('keeps one linear audit chain while both processes chain, and odx audit verify accepts it', async () => {
    const writes = Array.from({ length: 30 }, (_, i) =>
      fetch(`${bases[i % 2]}/api/v1/tokens`, { method: 'POST', headers: { ...admin, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: `chain-${i}`, expiresInDays: 1 }) }).then((r) => r.status),
    );
    expect(await Promise.all(writes)).to.deep.equal(Array(30).fill(201));
    expect(await eventually(async () => Number((await sql('select count(*) as n from odx.audit_pending'))[0].n) === 0, 60_000), 'both chainers emptied the pending events').to.equal(true);
    const [chain] = await sql('select count(*) as n, min(seq) as lo, max(seq) as hi, count(distinct seq) as distinct_seqs from odx.audit_events');
    expect(Number(chain.hi) - Number(chain.lo) + 1, 'seqs without gaps').to.equal(Number(chain.n));
    expect(Number(chain.distinct_seqs)).to.equal(Number(chain.n));
    const verified = await odx(['audit', 'verify', '--quiet'], env(0));
    expect(verified.code, verified.stderr + verified.stdout).to.equal(0);
  });

  it('runs each periodic job once per period between the two processes', async () => {
    const slots = await sql(JOB_SLOTS);
    expect([...new Set(slots.map((j: { name: string }) => j.name))]).to.deep.equal(['alerts.check', 'audit.checkpoint', 'indicators.snapshot', 'loads.sweep']);
    for (const j of slots) expect(j.runs, `${j.name} in the period from ${j.slot}`).to.equal(1);
    const [daily] = await sql(`select count(*) as n from odx.audit_checkpoints where reason = 'daily'`);
    expect(Number(daily.n), 'daily checkpoints made').to.equal(1);
  });

  it('runs a due job in one of many schedulers started at the same moment, and records a failure for the retry', async () => {
    // the queues of a job are the owner's to create (migration 022 makes the installation's)
    await sql(`select pgboss.create_queue('test.once', '{"policy":"standard"}'), pgboss.create_queue('test.failing', '{"policy":"standard"}')`);
    const log = pino({ level: 'silent' });
    const knexes = Array.from({ length: 6 }, () => createKnex(databaseUrl, { min: 0, max: 2 }));
    let runs = 0;
    let fails = 0;
    const schedulers = knexes.map((k) =>
      new Scheduler(
        k,
        [
          { name: 'test.once', everyMs: 3_600_000, run: async () => void runs++ },
          {
            name: 'test.failing',
            everyMs: 3_600_000,
            retryMs: 3_600_000,
            run: async () => {
              fails++;
              throw new Error('the remote end said no');
            },
          },
        ],
        log,
        500,
      ).start(),
    );
    try {
      await new Promise((r) => setTimeout(r, 4000));
    } finally {
      await Promise.all(schedulers.map((s) => s.stop()));
      await Promise.all(knexes.map((k) => k.destroy()));
    }
    expect(runs, 'runs of the job across six schedulers in 4 s').to.equal(1);
    expect(fails, 'the failing job is not retried before its retry delay').to.equal(1);
    const [failing] = await sql(`select state, output->>'message' as error, start_after > now() + interval '50 minutes' as later from pgboss.job where name = 'test.failing'`);
    expect(failing, 'the failed run waits for its retry with its error recorded').to.deep.include({ state: 'retry', error: 'the remote end said no', later: true });
  });

  it('odx serve --workers 2 starts two processes on one port that share the jobs, keep to their connection budget, and stop on SIGTERM', async () => {
    const home = path.join(dir, 'workers-home');
    const port = await freePort();
    const child = spawn(process.execPath, [ODX_BIN, 'serve', '--workers', '2'], {
      env: { ...process.env, ODX_HOME: home, ODX_PORT: String(port), ODX_PG_PORT: String(await freePort()), ODX_LOG_LEVEL: 'error', DATABASE_URL: '', ODX_DB_POOL: '2', ODX_DB_STREAM_POOL: '1', ODX_DB_PREPARED: '1' },
      stdio: 'ignore',
    });
    servers.push(child);
    const base = `http://127.0.0.1:${port}`;
    const ready = async () => (await fetch(`${base}/readyz`).then((r) => r.status, () => 0)) === 200;
    expect(await eventually(ready, 240_000), 'odx serve --workers 2 became ready').to.equal(true);
    const workers = async () => {
      const found: number[] = [];
      for (const entry of await fs.readdir('/proc')) {
        const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
        const m = /^(\d+) \((.*)\) \S+ (\d+)/.exec(stat);
        if (m && Number(m[3]) === child.pid && m[2].startsWith('node')) found.push(Number(m[1]));
      }
      return found;
    };
    expect(await workers(), 'server worker processes of odx serve --workers 2').to.have.length(2);
    // postmaster.pid's fourth line is the port the embedded cluster listens on
    const pgPort = (await fs.readFile(path.join(home, 'pgdata', 'postmaster.pid'), 'utf8')).split('\n')[3];
    const superuser = `postgres://odx:${encodeURIComponent((await fs.readFile(path.join(home, 'pg-password'), 'utf8')).trim())}@127.0.0.1:${pgPort}/odx`;
    const knex = createKnex(superuser, { min: 0, max: 1 });
    try {
      // a burst of requests on both workers: each may hold 2 + 1 + 1 + the change feed + the chainer
      let most = 0;
      let busy = true;
      const sample = (async () => {
        while (busy) {
          const [{ n }] = (await knex.raw(`select count(*)::int as n from pg_stat_activity where usename = 'odx_app'`)).rows;
          most = Math.max(most, n);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const answers = await Promise.all(
        Array.from({ length: 80 }, (_, i) => fetch(`${base}${['/api/v1/datasets?limit=5', '/readyz', '/api/3/action/package_search?q=x', '/catalog.jsonld'][i % 4]}`).then((r) => r.arrayBuffer().then(() => r.status))),
      );
      busy = false;
      await sample;
      expect(answers.filter((s) => s >= 500), 'server errors in the burst').to.deep.equal([]);
      expect(most, 'connections of the application role at most').to.be.within(1, 2 * 6);
      const slots = (await knex.raw(JOB_SLOTS)).rows.filter((j: { name: string }) => ['audit.checkpoint', 'indicators.snapshot'].includes(j.name));
      expect(slots.map((j: { name: string }) => j.name)).to.include.members(['audit.checkpoint', 'indicators.snapshot']);
      for (const j of slots) expect(j.runs, `${j.name} in the period from ${j.slot}`).to.equal(1);
    } finally {
      await knex.destroy();
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited, 'exit code after SIGTERM').to.equal(0);
  });
});
