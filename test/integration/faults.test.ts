import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { EmbeddedPostgres } from '../../server/src/db/embedded.ts';
import { ODX_BIN, odx } from '../helpers/cli.ts';
import { freePort } from '../helpers/cluster.ts';
import { eventually } from '../helpers/wait.ts';

/**
 * Faults a city's installation meets: its PostgreSQL stopped and started under load, its database
 * sessions terminated mid-request, its server killed with SIGKILL in the middle of decisions. The
 * real `odx serve` runs as a child process on a PostgreSQL of this test's own, with the demo city.
 */

interface Outcome {
  kind: string;
  status: number | 'no answer';
  retryAfter: string | null;
  at: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('faults: PostgreSQL stopped and started under load, sessions terminated, the server killed', function () {
  this.timeout(600_000);
  let dir: string;
  let cluster: EmbeddedPostgres;
  let databaseUrl: string;
  let port: number;
  let base: string;
  let server: ChildProcess;
  let admin: Record<string, string>;
  let dataset: string;
  const env = () => ({ DATABASE_URL: databaseUrl, ODX_HOME: path.join(dir, 'home'), ODX_PORT: String(port), ODX_LOG_LEVEL: 'error', ODX_RATE_LIMIT_ANONYMOUS: '0', ODX_RATE_LIMIT_KEY: '0' });
  /** What the server logged at level error: a 500's cause, for the assertion's message. */
  const serverErrors: string[] = [];

  function serve(): ChildProcess {
    const child = spawn(process.execPath, [ODX_BIN, 'serve', '--demo'], { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (d: Buffer) => serverErrors.push(...String(d).split('\n').filter((l) => l.includes('"request failed"'))));
    return child;
  }

  const ready = async () => (await fetch(`${base}/readyz`).then((r) => r.status, () => 0)) === 200;

  /** One request, answered or not within 20 s: a request that hangs is an outcome too. */
  async function call(kind: string, pathAndQuery: string, init: RequestInit = {}): Promise<Outcome> {
    try {
      const res = await fetch(`${base}${pathAndQuery}`, { ...init, signal: AbortSignal.timeout(20_000) });
      await res.arrayBuffer();
      return { kind, status: res.status, retryAfter: res.headers.get('retry-after'), at: Date.now() };
    } catch {
      return { kind, status: 'no answer', retryAfter: null, at: Date.now() };
    }
  }

  async function tokenFor(login: string): Promise<Record<string, string>> {
    const made = await odx(['token', 'create', '--login', login, '--days', '30'], env());
    expect(made.code, made.stderr).to.equal(0);
    const secret = /odx_[A-Za-z0-9_-]+/.exec(made.stdout)?.[0];
    expect(secret, made.stdout).to.be.a('string');
    return { Authorization: `Bearer ${secret}` };
  }

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-faults-'));
    await fs.chmod(dir, 0o755);
    cluster = new EmbeddedPostgres({ dataDir: path.join(dir, 'pgdata'), port: await freePort(), settings: { fsync: 'off', synchronous_commit: 'off' } });
    databaseUrl = await cluster.start('odx');
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = serve();
    expect(await eventually(ready, 180_000), 'odx serve --demo became ready').to.equal(true);
    admin = { Authorization: `Bearer ${(await fs.readFile(path.join(dir, 'home', 'admin-token'), 'utf8')).trim()}` };
    const datasets = await (await fetch(`${base}/api/v1/datasets?limit=1`)).json();
    dataset = encodeURIComponent(datasets.items[0].code);
  });

  after(async () => {
    server?.kill('SIGKILL');
    await cluster?.stop('fast').catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After while PostgreSQL is down, leaves no request hanging, serves again once it is back, and keeps exactly the changes it confirmed', async () => {
    const outcomes: Outcome[] = [];
    const confirmed: string[] = [];
    const tried: string[] = [];
    let running = true;
    const reads = async (kind: string, p: string) => {
      while (running) outcomes.push(await call(kind, p));
    };
    const writes = async () => {
      for (let i = 0; running; i++) {
        const name = `fault-${i}`;
        tried.push(name);
        const o = await call('write', '/api/v1/tokens', { method: 'POST', headers: { ...admin, 'Content-Type': 'application/json' }, body: JSON.stringify({ name, expiresInDays: 1 }) });
        outcomes.push(o);
        if (o.status === 201) confirmed.push(name);
        await sleep(20);
      }
    };
    const load = Promise.all([reads('rows', `/api/v1/datasets/${dataset}/rows?limit=5`), reads('rows', `/api/v1/datasets/${dataset}/rows?limit=5`), reads('ready', '/readyz'), writes()]);
    await sleep(1500);
    const stoppedAt = Date.now();
    await cluster.stop('fast');
    await sleep(3000);
    const startedAt = Date.now();
    await cluster.start('odx');
    expect(await eventually(ready, 60_000), 'ready again after PostgreSQL came back').to.equal(true);
    const readyAt = Date.now();
    await sleep(2000);
    running = false;
    await load;

    expect(outcomes.filter((o) => o.status === 'no answer'), 'requests that got no answer within 20 s').to.deep.equal([]);
    expect([...new Set(outcomes.map((o) => o.status))].filter((s) => ![200, 201, 503].includes(s as number)), `statuses other than success or 503; the server logged: ${serverErrors.slice(-3).join('\n')}`).to.deep.equal([]);
    const down = outcomes.filter((o) => o.at > stoppedAt + 200 && o.at < startedAt);
    expect(down.filter((o) => o.kind === 'ready').map((o) => o.status), 'readiness while down').to.include(503);
    expect(down.filter((o) => o.kind === 'rows').map((o) => o.status), 'data requests while down').to.include(503);
    expect(outcomes.filter((o) => o.status === 503 && o.kind !== 'ready' && !o.retryAfter), '503s without Retry-After').to.deep.equal([]);
    const after = outcomes.filter((o) => o.at > readyAt + 500);
    expect(after.length).to.be.greaterThan(0);
    expect(after.filter((o) => o.status !== 200 && o.status !== 201), 'answers once PostgreSQL is back').to.deep.equal([]);

    const listed = await (await fetch(`${base}/api/v1/tokens`, { headers: admin })).json();
    const kept = listed.items.map((t: { name: string }) => t.name).filter((n: string) => n.startsWith('fault-'));
    expect(confirmed.length, 'writes confirmed before and after the outage').to.be.greaterThan(2);
    expect(kept.sort(), 'the tokens kept are exactly those whose creation was confirmed').to.deep.equal([...confirmed].sort());
  });

  it('answers every request when its database sessions are terminated mid-way, and serves again at once', async () => {
    const admin0 = new pg.Client({ connectionString: databaseUrl });
    await admin0.connect();
    try {
      const outcomes: Outcome[] = [];
      let running = true;
      const reads = async () => {
        while (running) outcomes.push(await call('rows', `/api/v1/datasets/${dataset}/rows?limit=50`), await call('me', '/api/v1/me', { headers: admin }));
      };
      const load = Promise.all([reads(), reads(), reads()]);
      await sleep(500);
      for (let i = 0; i < 5; i++) {
        const killed = await admin0.query(`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`);
        expect(killed.rows[0].n, 'sessions terminated').to.be.greaterThan(0);
        await sleep(300);
      }
      const endedAt = Date.now();
      await sleep(1500);
      running = false;
      await load;
      expect(outcomes.filter((o) => o.status === 'no answer')).to.deep.equal([]);
      expect([...new Set(outcomes.map((o) => o.status))].filter((s) => ![200, 503].includes(s as number)), `statuses other than success or 503; the server logged: ${serverErrors.slice(-3).join('\n')}`).to.deep.equal([]);
      const after = outcomes.filter((o) => o.at > endedAt + 500);
      expect(after.length).to.be.greaterThan(0);
      expect(after.filter((o) => o.status !== 200), 'answers after the terminations').to.deep.equal([]);
    } finally {
      await admin0.end();
    }
  });

  it('keeps every decision it confirmed, and a verifiable audit chain, when killed with SIGKILL in the middle of decisions', async () => {
    const authority = await tokenFor('sjj.authority');
    const grants = (await (await fetch(`${base}/api/v1/grants?status=active&limit=100`, { headers: authority })).json()).items as { id: number }[];
    expect(grants.length, 'the demo has active grants').to.be.greaterThan(0);
    const confirmed = new Map<number, string>();
    let running = true;
    const toggle = async (id: number) => {
      for (let i = 0; running; i++) {
        const step = i % 2 === 0 ? 'suspend' : 'resume';
        const o = await call(step, `/api/v1/grants/${id}/${step}`, { method: 'POST', headers: { ...authority, 'Content-Type': 'application/json' }, body: JSON.stringify({ reason: '故障演练' }) });
        if (o.status === 200) confirmed.set(id, step === 'suspend' ? 'suspended' : 'active');
        else break;
      }
    };
    const load = Promise.all(grants.map((g) => toggle(g.id)));
    await sleep(1500);
    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));
    running = false;
    await load;
    expect(confirmed.size, 'decisions were confirmed before the kill').to.be.greaterThan(0);

    server = serve();
    expect(await eventually(ready, 180_000), 'ready after the restart').to.equal(true);
    for (const [id, status] of confirmed) {
      const now = await (await fetch(`${base}/api/v1/grants/${id}`, { headers: authority })).json();
      // the last confirmed decision is kept; one more may have committed as the process died
      const next = status === 'active' ? 'suspended' : 'active';
      expect([status, next], `grant ${id}`).to.include(now.status);
    }
    const verified = await odx(['audit', 'verify'], env());
    expect(verified.code, verified.stdout + verified.stderr).to.equal(0);
  });
});
