import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { chainPending } from '../../server/src/audit/chain.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { verifyChain } from '../../server/src/audit/verify.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createKnex, openDatabase } from '../../server/src/db/connect.ts';
import { EmbeddedPostgres } from '../../server/src/db/embedded.ts';
import { migrateAsOwner, migrateLatest } from '../../server/src/db/migrate.ts';
import { migrations } from '../../server/src/db/migrations/index.ts';
import { connectsPrivileged } from '../../server/src/db/roles.ts';
import { TEST_ACTOR } from '../helpers/app.ts';
import { freePort } from '../helpers/cluster.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';

async function record(knex: Knex, n: number) {
  await runCommand(knex, { actor: TEST_ACTOR }, async (ctx) => {
    for (let i = 0; i < n; i++) ctx.audit({ action: 'test.event', targetType: 'thing', targetId: i, detail: { i } });
  });
}

async function refused(knex: Knex, sql: string, bindings: readonly Knex.RawBinding[] = []): Promise<string> {
  const err = await knex.raw(sql, bindings).then(() => null, (e: Error & { code?: string }) => e);
  expect(err, `${sql} was allowed`).to.be.instanceOf(Error);
  return `${err!.code} ${err!.message}`;
}

/** The attack of issue 14, defect 7, as whoever holds the application's credentials would try it. */
async function expectHistoryCannotBeRewritten(app: Knex) {
  await record(app, 5);
  await chainPending(app);
  const head = await app('odx.audit_head').first();
  expect(head.seq).to.be.at.least(5);
  expect(await connectsPrivileged(app), 'the application is neither superuser nor owner').to.equal(false);
  for (const sql of [
    'alter table odx.audit_events disable trigger audit_events_append_only',
    'alter table odx.audit_events disable trigger all',
    'alter table odx.audit_head disable trigger audit_head_forward',
    'alter table odx.audit_pending disable trigger audit_pending_guard',
  ]) expect(await refused(app, sql), sql).to.match(/^42501 .*must be (the )?owner/);
  for (const sql of [
    `update odx.audit_events set detail = '{"forged": true}' where seq = 2`,
    'delete from odx.audit_events where seq = 2',
    'truncate odx.audit_events',
    `insert into odx.audit_events (seq, at, actor, action, detail, prev_hash, hash) values (${head.seq + 1}, now(), 'x', 'x', '{}', '\\x00', '\\x00')`,
    `update odx.audit_head set seq = ${head.seq + 1}, hash = '\\x00'`,
    'select seq from odx.audit_head for update',
    'update odx.audit_pending set action = $$x$$',
    `create or replace function odx.refuse_audit_rewrite() returns trigger language plpgsql as $$ begin return new; end $$`,
    'create table odx.intruder (id int)',
    // the job queue's tables and queues are the owner's (migration 022); the application only works its rows
    `select pgboss.create_queue('intruder', '{"policy":"standard"}')`,
    'create table pgboss.intruder (id int)',
    'drop table pgboss.job',
    'create role intruder',
    'create database intruder',
    'set session_replication_role = replica',
  ]) expect(await refused(app, sql), sql).to.match(/^42501 /);
  // the chainer's marker does not open the pending events to it: it holds no DELETE at all
  await record(app, 1);
  const dropPending = await app.transaction(async (trx) => {
    await trx.raw(`set local odx.chaining = 'on'`);
    return trx.raw('delete from odx.audit_pending').then(() => null, (e: Error & { code?: string }) => e);
  });
  expect(dropPending?.code).to.equal('42501');
  // the one way into the chain appends after the head as it stands, and only pending events
  const pending = (await app('odx.audit_pending').select('id')).map((r: { id: number }) => r.id);
  expect(await refused(app, 'select odx.audit_chain(?, ?::bigint[], ?::text[])', [head.seq - 3, pending, ['00'.repeat(32)]])).to.match(/another chainer moved it/);
  expect(await refused(app, 'select odx.audit_chain(?, ?::bigint[], ?::text[])', [head.seq, [2_000_000_000], ['00'.repeat(32)]])).to.match(/moved 0 of 1/);
  expect((await app('odx.audit_head').first()).seq).to.equal(head.seq);
  await chainPending(app);
  expect(await verifyChain(app)).to.include({ ok: true, headSeq: head.seq + 1 });
}

describe('least-privilege database roles (issue 14, defect 7)', () => {
  let db: TestDatabase;
  beforeEach(async () => (db = await freshDatabase()));
  afterEach(() => db.drop());

  it('the application role cannot disable triggers, rewrite or delete chained events, move the head or leave replica mode off', async () => {
    await expectHistoryCannotBeRewritten(db.knex);
  });

  it('the owner role is still held to the append-only triggers, and a superuser is what the hash chain is for', async () => {
    await record(db.knex, 3);
    await chainPending(db.knex);
    for (const sql of ['update odx.audit_events set action = $$x$$', 'delete from odx.audit_events', 'update odx.audit_head set seq = 0', 'delete from odx.audit_pending']) {
      expect(await refused(db.owner, sql), sql).to.match(/append-only|only moves forward/);
    }
    expect(await refused(db.owner, 'set session_replication_role = replica')).to.match(/^42501 /);
  });

  it('the application still creates, loads, analyses and drops the tables of its versions', async () => {
    await db.knex.raw('create table data.r1_v1 (n int)');
    await db.knex.raw('analyze data.r1_v1');
    await db.knex.raw('drop table data.r1_v1');
  });
});

describe('an embedded installation made before the roles existed, upgraded', function () {
  this.timeout(120_000);
  let home: string;
  before(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-roles-'));
    await fs.chmod(home, 0o755);
  });
  after(() => fs.rm(home, { recursive: true, force: true }));

  it('hands the schema to the owner and the version tables to the application, and the application can no longer rewrite history', async () => {
    const config = loadConfig({ ODX_HOME: home, ODX_PG_PORT: String(await freePort()), ODX_LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
    const embedded = new EmbeddedPostgres({ dataDir: path.join(home, 'pgdata'), port: config.embeddedPgPort, settings: { fsync: 'off' } });
    const superuserUrl = await embedded.start();
    try {
      // as ODX ran until now: everything made and used by the bootstrap superuser, no roles, no odx.audit_chain
      const old = createKnex(superuserUrl);
      try {
        await migrateLatest(old);
        // the job queue (022) came after the roles, so such an installation has odx.jobs instead
        await migrations.find((m) => m.name === '022_job_queue')!.down(old);
        await migrations.find((m) => m.name === '011_least_privilege')!.down(old);
        await old.raw(`delete from odx.knex_migrations where name in ('011_least_privilege', '022_job_queue')`);
        await old.raw('drop owned by odx_app; drop role odx_app');
        await old.raw('create table data.r9_v1 (n int); insert into data.r9_v1 values (1)');
        await record(old, 2);
        expect(await connectsPrivileged(old)).to.equal(true);
      } finally {
        await old.destroy();
      }
      const db = await openDatabase(config);
      try {
        expect(new URL(db.url).username).to.equal('odx_app');
        expect(new URL(db.ownerUrl).username).to.equal('odx_owner');
        expect(await migrateAsOwner(db)).to.deep.equal(['011_least_privilege', '022_job_queue']);
        const owners = await db.knex.raw(`select c.relname, pg_get_userbyid(c.relowner) as owner from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where (n.nspname, c.relname) in (('odx', 'audit_events'), ('odx', 'principals'), ('data', 'r9_v1'))`);
        expect(Object.fromEntries(owners.rows.map((r: { relname: string; owner: string }) => [r.relname, r.owner]))).to.deep.equal({ audit_events: 'odx_owner', principals: 'odx_owner', r9_v1: 'odx_app' });
        await expectHistoryCannotBeRewritten(db.knex);
        await db.knex.raw('drop table data.r9_v1');
        for (const f of ['pg-owner-password', 'pg-app-password']) expect((await fs.stat(path.join(home, f))).mode & 0o777, f).to.equal(0o600);
      } finally {
        await db.close();
      }
    } finally {
      await embedded.stop();
    }
  });
});
