import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { odx } from '../helpers/cli.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';

describe('odx command line', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let home: string;
  let env: Record<string, string>;
  before(async () => {
    db = await freshDatabase();
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-cli-'));
    // as an operator runs it: the application's role, and the schema owner's for `odx migrate` (which records the installation's suite)
    env = { DATABASE_URL: db.url, ODX_MIGRATE_URL: db.ownerUrl, ODX_HOME: home };
  });
  after(async () => {
    await db.drop();
    await fs.rm(home, { recursive: true, force: true });
  });

  it('prints help for every command', async () => {
    const top = await odx(['--help'], env);
    expect(top.code).to.equal(0);
    for (const c of ['serve', 'migrate', 'department', 'user', 'token', 'audit']) expect(top.stdout).to.contain(c);
    const sub = await odx(['token', 'create', '--help'], env);
    expect(sub.stdout).to.contain('--login').and.contain('--scopes');
  });

  it('adds departments and accounts, creates, lists and revokes tokens — all audited and verifiable', async () => {
    expect((await odx(['migrate'], env)).stdout).to.contain('current');
    const city = await odx(['department', 'add', '--name', '滨海市人民政府', '--uscc', '11350200003600018T', '--region', '350200', '--kind', 'city'], env);
    expect(city.code, city.stderr).to.equal(0);
    const bureau = await odx(['department', 'add', '--name', '滨海市交通运输局', '--uscc', '11350200003602108X', '--region', '350200', '--parent', '11350200003600018T'], env);
    expect(bureau.code, bureau.stderr).to.equal(0);
    const listed = await odx(['department', 'list'], env);
    expect(listed.stdout).to.contain('滨海市交通运输局');
    const user = await odx(['user', 'add', '--login', 'jt.registrar', '--name', '交通填报员', '--department', '11350200003602108X', '--roles', 'registrar'], env);
    expect(user.code, user.stderr).to.equal(0);
    const tok = await odx(['token', 'create', '--login', 'jt.registrar', '--days', '30', '--scopes', 'read'], env);
    expect(tok.code, tok.stderr).to.equal(0);
    const secret = tok.stdout.trim();
    expect(secret).to.match(/^odx_\w{32}$/);
    const list = await odx(['token', 'list'], env);
    expect(list.stdout).to.contain('jt.registrar').and.not.contain(secret);
    const id = (await db.knex('odx.tokens').first('id')).id;
    expect((await odx(['token', 'revoke', String(id)], env)).stdout).to.contain('revoked');
    const actions = (await db.knex('odx.audit_events').orderBy('seq').select('action', 'actor')).map((e: { action: string }) => e.action);
    expect(actions).to.deep.equal(['department.create', 'department.create', 'principal.create', 'token.create', 'token.revoke']);
    const verify = await odx(['audit', 'verify'], env);
    expect(verify.code).to.equal(0);
    expect(verify.stdout).to.contain('intact: 5 events');
  });

  it('rejects bad input naming the problem, and changes nothing', async () => {
    const before = await db.knex('odx.departments').count<{ count: number }[]>('* as c');
    const bad = await odx(['department', 'add', '--name', '坏局', '--uscc', '11350200003602108Y', '--region', '350200'], env);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('uscc').and.contain('统一社会信用代码');
    const dup = await odx(['department', 'add', '--name', '重复', '--uscc', '11350200003600018T', '--region', '350200'], env);
    expect(dup.code).to.equal(2);
    expect(dup.stderr).to.contain('already exists');
    expect(await db.knex('odx.departments').count<{ count: number }[]>('* as c')).to.deep.equal(before);
  });

  it('exits non-zero naming the first bad seq when the audit chain was rewritten', async () => {
    await db.superuser.transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx.raw(`update odx.audit_events set actor = 'cli:intruder' where seq = 3`);
    });
    const verify = await odx(['audit', 'verify'], env);
    expect(verify.code).to.equal(1);
    expect(verify.stderr).to.contain('BROKEN at seq 3');
  });

  it('says clearly when the database is unreachable', async () => {
    const res = await odx(['department', 'list'], { DATABASE_URL: 'postgres://odx@127.0.0.1:1/odx', ODX_HOME: home });
    expect(res.code).to.equal(2);
    expect(res.stderr).to.match(/cannot reach PostgreSQL at postgres:\/\/odx@127\.0\.0\.1:1\/odx/);
  });

  it('refuses a database whose schema is newer than the code', async () => {
    const other = await freshDatabase();
    try {
      await other.owner('odx.knex_migrations').insert({ name: '999_from_the_future', batch: 99, migration_time: new Date() });
      for (const args of [['department', 'list'], ['migrate']]) {
        const res = await odx(args, { DATABASE_URL: other.url, ODX_HOME: home });
        expect(res.code, args.join(' ')).to.equal(2);
        expect(res.stderr).to.contain('newer than this ODX').and.contain('999_from_the_future');
      }
    } finally {
      await other.drop();
    }
  });
});
