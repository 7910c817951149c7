import { expect } from 'chai';
import request from 'supertest';
import { chainPending } from '../../server/src/audit/chain.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { verifySignedHead } from '../../server/src/audit/signing.ts';
import { verifyChain } from '../../server/src/audit/verify.ts';
import { testApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts';
import { everyOf } from '../helpers/every.ts';

async function record(t: TestApp, n: number, action = 'test.event') {
  await runCommand(t.knex, { actor: TEST_ACTOR }, async (ctx) => {
    for (let i = 0; i < n; i++) ctx.audit({ action, targetType: 'thing', targetId: i, detail: { i, note: '审计' } });
  });
}

async function recordAndChain(t: TestApp, n: number, action = 'test.event') {
  await record(t, n, action);
  await chainPending(t.knex);
}

describe('audit log', () => {
  let t: TestApp;
  beforeEach(async () => (t = await testApp()));
  afterEach(() => t.close());

  it('records a change and its event in one transaction: a failing command leaves neither', async () => {
    await chainPending(t.knex);
    const before = (await t.knex('odx.audit_head').first()).seq;
    const failing = runCommand(t.knex, { actor: TEST_ACTOR }, async (ctx) => {
      await ctx.trx('odx.departments').insert({ name: '回滚局', uscc: '11350200MB0A31999X', region_code: '350200', kind: 'bureau' });
      ctx.audit({ action: 'department.create' });
      throw new Error('boom');
    });
    expect(((await failing.catch((e: Error) => e)) as Error).message).to.equal('boom');
    expect(await t.knex('odx.audit_pending').first()).to.equal(undefined);
    await chainPending(t.knex);
    expect((await t.knex('odx.audit_head').first()).seq).to.equal(before);
    expect(await t.knex('odx.departments').where({ name: '回滚局' }).first()).to.equal(undefined);
  });

  it('records a command with more events than one statement can carry (bulk imports)', async () => {
    await chainPending(t.knex);
    const before = (await t.knex('odx.audit_head').first()).seq;
    await recordAndChain(t, 12_000, 'bulk.event');
    expect((await t.knex('odx.audit_head').first()).seq).to.equal(before + 12_000);
    expect((await verifyChain(t.knex)).ok).to.equal(true);
  });

  it('refuses a command that changes state without an audit event', async () => {
    const err = await runCommand(t.knex, { actor: TEST_ACTOR }, async (ctx) => {
      await ctx.trx('odx.departments').insert({ name: '无审计局', uscc: '11350200MB0A31888X', region_code: '350200', kind: 'bureau' });
    }).catch((e: Error) => e);
    expect(err).to.be.instanceOf(Error).with.property('message').that.matches(/without recording an audit event/);
    expect(await t.knex('odx.departments').where({ name: '无审计局' }).first()).to.equal(undefined);
  });

  it('is refused UPDATE, DELETE and TRUNCATE by the database itself, for chained and pending events, even to the schema owner', async () => {
    await recordAndChain(t, 1);
    await record(t, 1);
    for (const sql of [
      'update odx.audit_events set action = $$x$$', 'delete from odx.audit_events', 'truncate odx.audit_events',
      'delete from odx.audit_head', 'update odx.audit_head set seq = 0',
      'update odx.audit_pending set action = $$x$$', 'delete from odx.audit_pending', 'truncate odx.audit_pending',
    ]) {
      // the application role holds none of these privileges (db-roles.test.ts); the triggers stop the owner too
      const err = await t.db.owner.raw(sql).catch((e: Error) => e);
      expect(err, sql).to.be.instanceOf(Error);
      expect((err as Error).message, sql).to.match(/append-only|only moves forward/);
    }
  });

  it('keeps one linear chain under 8 concurrent writers and 3 concurrent chainers', async () => {
    await chainPending(t.knex);
    const head0 = (await t.knex('odx.audit_head').first()).seq;
    let writing = true;
    const chainers = Array.from({ length: 3 }, async () => {
      while (writing) await chainPending(t.knex, { wait: false });
    });
    await Promise.all(Array.from({ length: 8 }, (_, w) => (async () => {
      for (let i = 0; i < 25; i++) await record(t, 1 + (i % 3), `writer.${w}`);
    })()));
    writing = false;
    await Promise.all(chainers);
    await chainPending(t.knex);
    const rows = await t.knex('odx.audit_events').where('seq', '>', head0).orderBy('seq').select('seq');
    const perWriter = Array.from({ length: 25 }, (_, i) => 1 + (i % 3)).reduce((a, b) => a + b, 0);
    expect(rows.length).to.equal(8 * perWriter);
    rows.forEach((r: { seq: number }, i: number) => expect(r.seq).to.equal(head0 + i + 1));
    const result = await verifyChain(t.knex);
    expect(result).to.include({ ok: true, checked: head0 + rows.length });
  });

  it('catches a row rewritten behind the trigger and names the first bad seq', async () => {
    await recordAndChain(t, 20);
    expect((await verifyChain(t.knex)).ok).to.equal(true);
    const target = (await t.knex('odx.audit_events').where({ action: 'test.event' }).orderBy('seq').offset(7).first()).seq;
    // a superuser can bypass triggers as a replica would; this is the attack the hash chain exists for
    await t.db.superuser.transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx.raw(`update odx.audit_events set detail = '{"i": 7, "note": "篡改"}' where seq = ?`, [target]);
    });
    const result = await verifyChain(t.knex);
    expect(result.ok).to.equal(false);
    expect(result.firstBadSeq).to.equal(target);
    expect(result.problem).to.match(/hash does not match/);
  });

  it('catches a deleted event', async () => {
    await recordAndChain(t, 10);
    const seqs = (await t.knex('odx.audit_events').orderBy('seq').select('seq')).map((r: { seq: number }) => r.seq);
    const victim = seqs[seqs.length - 4];
    await t.db.superuser.transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx.raw('delete from odx.audit_events where seq = ?', [victim]);
    });
    const result = await verifyChain(t.knex);
    expect(result).to.include({ ok: false, firstBadSeq: victim });
  });

  it('serves a signed head whose Ed25519 signature verifies and matches the chain', async () => {
    await record(t, 3);
    const res = await request(t.app).get('/api/v1/audit/head').set(t.auth('registrar')).expect(200);
    const head = await t.knex('odx.audit_head').first();
    expect(await t.knex('odx.audit_pending').first(), 'the head endpoint chains pending events first').to.equal(undefined);
    expect(res.body).to.include({ seq: head.seq, hash: head.hash.toString('hex'), algorithm: 'Ed25519' });
    expect(verifySignedHead(res.body)).to.equal(true);
    expect(verifySignedHead({ ...res.body, message: res.body.message.replace(/"seq":\d+/, '"seq":1') })).to.equal(false);
  });

  it('lets the authority filter by actor, department, target, action and time with keyset paging', async () => {
    const start = new Date(Date.now() - 1000);
    await request(t.app).post('/api/v1/tokens').set(t.auth('registrar')).send({ name: 'for audit', expiresInDays: 10 }).expect(201);
    await record(t, 7, 'page.event');
    const byActorId = await request(t.app).get('/api/v1/audit').query({ actorId: t.principals.registrar.id }).set(t.auth('authority')).expect(200);
    expect(byActorId.body.items.map((e: { action: string; actorId: number }) => [e.action, e.actorId])).to.deep.include(['token.create', t.principals.registrar.id]);
    expect(everyOf(byActorId.body.items, (e: { actorId: number }) => e.actorId === t.principals.registrar.id)).to.equal(true);
    const inWindow = await request(t.app).get('/api/v1/audit').query({ action: 'page.event', from: start.toISOString(), to: new Date(Date.now() + 1000).toISOString() }).set(t.auth('authority')).expect(200);
    expect(inWindow.body.items).to.have.length(7);
    const before = await request(t.app).get('/api/v1/audit').query({ action: 'page.event', to: start.toISOString() }).set(t.auth('authority')).expect(200);
    expect(before.body.items).to.deep.equal([]);
    const byActor = await request(t.app).get('/api/v1/audit').query({ actor: 'principal:a.registrar' }).set(t.auth('authority')).expect(200);
    expect(byActor.body.items).to.have.length(1);
    expect(byActor.body.items[0]).to.include({ action: 'token.create', departmentId: t.deptA.id, actorId: t.principals.registrar.id });
    const byDept = await request(t.app).get('/api/v1/audit').query({ departmentId: t.deptA.id, action: 'token.create' }).set(t.auth('authority')).expect(200);
    expect(byDept.body.items.map((e: { departmentId: number }) => e.departmentId)).to.satisfy((d: number[]) => d.length > 0 && d.every((x) => x === t.deptA.id));
    const byTarget = await request(t.app).get('/api/v1/audit').query({ targetType: 'thing', targetId: '3' }).set(t.auth('authority')).expect(200);
    expect(byTarget.body.items).to.have.length(1);
    const seen: number[] = [];
    let cursor: number | null | undefined;
    do {
      const page = await request(t.app).get('/api/v1/audit').query({ action: 'page.event', limit: 3, ...(cursor ? { cursor } : {}) }).set(t.auth('authority')).expect(200);
      seen.push(...page.body.items.map((e: { seq: number }) => e.seq));
      cursor = page.body.next;
    } while (cursor);
    expect(seen).to.have.length(7);
    expect([...seen].sort((a, b) => b - a)).to.deep.equal(seen);
    const future = await request(t.app).get('/api/v1/audit').query({ from: new Date(Date.now() + 60_000).toISOString() }).set(t.auth('authority')).expect(200);
    expect(future.body.items).to.deep.equal([]);
    const bad = await request(t.app).get('/api/v1/audit').query({ limit: 'lots' }).set(t.auth('authority')).expect(400);
    expect(bad.body.error.details[0].path).to.equal('/limit');
  });
});
