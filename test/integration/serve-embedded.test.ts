import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { freePort } from '../helpers/cluster.ts';
import { ODX_BIN } from '../helpers/cli.ts';

async function waitReady(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) return;
    if (Date.now() > until) throw new Error(`${url}/readyz was not 200 within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function serve(home: string, port: number, pgPort: number): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, ODX_HOME: home, ODX_PORT: String(port), ODX_PG_PORT: String(pgPort), ODX_LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  return spawn(process.execPath, [ODX_BIN, 'serve', '--demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('odx serve --demo on the embedded PostgreSQL', function () {
  this.timeout(120_000);
  let home: string;
  before(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-serve-'));
    await fs.chmod(home, 0o755);
  });
  after(() => fs.rm(home, { recursive: true, force: true }));

  it('starts with no DATABASE_URL, serves the demo, stops PostgreSQL cleanly, and reuses the data on the next start', async () => {
    const [port, pgPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${port}`;
    let child = serve(home, port, pgPort);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    await waitReady(url, 60_000);
    expect(out).to.contain(`admin token:   ${path.join(home, 'admin-token')}`);
    const tokenFile = path.join(home, 'admin-token');
    expect((await fs.stat(tokenFile)).mode & 0o777).to.equal(0o600);
    // the banner names the file of demo passwords, and prints none of them
    const accountsFile = path.join(home, 'demo-accounts.txt');
    expect(out).to.contain(`sign-in:       ${accountsFile} (mode 0600`);
    const passwords = (await fs.readFile(accountsFile, 'utf8')).split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t')[3]);
    expect(passwords.length).to.be.greaterThan(10);
    for (const p of passwords) expect(out).not.to.contain(p);
    const token = (await fs.readFile(tokenFile, 'utf8')).trim();
    const me = await (await fetch(`${url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } })).json();
    expect(me.roles).to.deep.equal(['admin']);
    const departments = (await (await fetch(`${url}/api/v1/departments`)).json()).items;
    expect(departments.map((d: { name: string }) => d.name)).to.include('滨海市市场监督管理局');

    const stopping = exited(child);
    child.kill('SIGTERM');
    expect(await stopping).to.equal(0);
    const pidGone = await fs.access(path.join(home, 'pgdata', 'postmaster.pid')).then(() => false, () => true);
    expect(pidGone, 'embedded PostgreSQL stopped').to.equal(true);

    child = serve(home, port, pgPort);
    await waitReady(url, 60_000);
    const again = (await (await fetch(`${url}/api/v1/departments`)).json()).items;
    expect(again).to.have.length(departments.length);
    const still = await fetch(`${url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(still.status).to.equal(200);
    const stopped = exited(child);
    child.kill('SIGINT');
    expect(await stopped).to.equal(0);
  });
});
