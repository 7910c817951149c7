import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { closeServices, createApp } from '../../server/src/app.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { HeadSigner } from '../../server/src/audit/signing.ts';
import { loadConfig } from '../../server/src/config.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { createLogger } from '../../server/src/http/observability.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { licenceCsv, loadCsv, publishedResource } from '../helpers/census.ts';
import { odx } from '../helpers/cli.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';

/** What a user would compare between two installations: every row of every table that is theirs. */
async function contents(db: TestDatabase) {
  const tables = (await db.knex.raw(`select n.nspname || '.' || c.relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('odx', 'data') and c.relkind = 'r' and c.relname not like 'knex_migrations%' order by 1`)).rows.map((r: { t: string }) => r.t);
  const out: Record<string, string[]> = {};
  for (const t of tables) out[t] = (await db.knex.raw(`select t::text as r from ${t} t order by 1`)).rows.map((r: { r: string }) => r.r);
  return out;
}

describe('odx backup and odx restore', function () {
  this.timeout(180_000);
  let t: TestApp;
  let target: TestDatabase;
  let home: string;
  before(async () => {
    t = await testApp();
    target = await freshDatabase();
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-restore-'));
  });
  after(async () => {
    await t.close();
    await target.drop();
    await fs.rm(home, { recursive: true, force: true });
  });

  it('round-trips an installation: every row, the loaded data, the tokens, the chain and the signing key, verified against the signed head', async () => {
    const licence = await publishedResource(t.knex, t.deptA.uscc);
    await loadCsv(t.knex, licence.id, licenceCsv(1, 50));
    await request(t.app).post('/api/v1/audit/checkpoints').set(t.auth('authority')).expect(201);
    await chainPending(t.knex);
    const file = path.join(t.home, 'odx.backup');
    const made = await odx(['backup', file], { DATABASE_URL: t.db.url, ODX_HOME: t.home });
    expect(made.code, made.stderr).to.equal(0);
    expect(made.stdout).to.match(/^backup written to .*: \d+ tables, audit head seq \d+ signed at /);
    expect((await fs.stat(file)).mode & 0o777, 'the backup holds the signing key').to.equal(0o600);
    const before = await contents(t.db);
    expect(before[`data.r${licence.id}_v1`]).to.have.length(50);

    const restored = await odx(['restore', file], { DATABASE_URL: target.url, ODX_MIGRATE_URL: target.ownerUrl, ODX_HOME: home });
    expect(restored.code, restored.stderr).to.equal(0);
    expect(restored.stdout).to.match(/audit chain intact: \d+ events; it holds the backup's signed head at seq \d+/);
    const after = await contents(target);
    expect(Object.keys(after)).to.deep.equal(Object.keys(before));
    for (const table of Object.keys(before)) expect(after[table], table).to.deep.equal(before[table]);
    expect(await fs.readFile(path.join(home, 'audit-ed25519.pem'), 'utf8')).to.equal(await fs.readFile(path.join(t.home, 'audit-ed25519.pem'), 'utf8'));

    // the restored installation works: a token made before the backup signs in, new rows get new ids
    const config = loadConfig({ ODX_HOME: home, ODX_LOG_LEVEL: 'silent', ODX_RATE_LIMIT_ANONYMOUS: '0', ODX_RATE_LIMIT_KEY: '0' } as NodeJS.ProcessEnv);
    const app = createApp({ knex: target.knex, config, log: createLogger('silent'), signer: await HeadSigner.load(home) });
    try {
      expect((await request(app.app).get('/api/v1/me').set(t.auth('registrar')).expect(200)).body.login).to.equal('a.registrar');
      const dept = await request(app.app).post('/api/v1/departments').set(t.auth('admin')).send({ name: '恢复后新局', uscc: withUsccCheck('11350200MB0A31777'), regionCode: '350200', kind: 'bureau' }).expect(201);
      expect(dept.body.id).to.be.greaterThan(t.deptB.id);
    } finally {
      await closeServices(app.services);
    }

    // a second restore finds the installation in use and changes nothing
    const again = await odx(['restore', file], { DATABASE_URL: target.url, ODX_MIGRATE_URL: target.ownerUrl, ODX_HOME: home });
    expect(again.code).to.equal(2);
    expect(again.stderr).to.contain('the installation is not empty');
  });
});
