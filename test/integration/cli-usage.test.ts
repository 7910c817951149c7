/**
 * The command line outside an installation and on bad usage: only `serve` and `migrate` create
 * an embedded cluster — other commands say where they looked and how to point them, and exit 2;
 * bad usage (a missing argument, an unknown option, a bad option value) exits 2 as the README says.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { odx } from '../helpers/cli.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';

describe('odx: no second installation, exit codes of bad usage', function () {
  this.timeout(120_000);
  let home: string;
  let db: TestDatabase;
  const outside = () => ({ ODX_HOME: home, DATABASE_URL: undefined });

  before(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-nohome-'));
    db = await freshDatabase();
  });
  after(async () => {
    await db.drop();
    await fs.rm(home, { recursive: true, force: true });
  });

  it('audit verify outside the server’s ODX_HOME: exit 2, says where it looked and how to point it, creates nothing', async () => {
    const r = await odx(['audit', 'verify'], outside());
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.contain(path.join(home, 'pgdata')).and.to.contain('ODX_HOME').and.to.contain('DATABASE_URL');
    expect(r.stderr).to.not.contain('odx migrate');
    expect(await fs.readdir(home)).to.deep.equal([]);
  });

  it('bad usage exits 2: a missing argument, an unknown option, a bad option value', async () => {
    const env = { DATABASE_URL: db.url, ODX_HOME: home };
    const missing = await odx(['token', 'revoke'], env);
    expect(missing.code, 'missing argument').to.equal(2);
    expect(missing.stderr).to.match(/missing required argument/);
    const unknown = await odx(['audit', 'verify', '--bogus'], env);
    expect(unknown.code, 'unknown option').to.equal(2);
    expect(unknown.stderr).to.match(/unknown option/);
    const badValue = await odx(['serve', '--port', 'abc'], env);
    expect(badValue.code, 'bad option value').to.equal(2);
    expect(badValue.stderr).to.match(/positive whole number/);
  });

  it('a database that does not answer exits 2', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const r = await odx(['audit', 'verify'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/odx`, ODX_HOME: home });
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.match(/cannot reach PostgreSQL/);
  });
});
