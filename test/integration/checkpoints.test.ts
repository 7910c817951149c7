import fs from 'node:fs/promises';
import path from 'node:path';
import { generateKeyPairSync, sign } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import request from 'supertest';
import { chainHash, chainPending, hashedContent, rowToEvent } from '../../server/src/audit/chain.ts';
import { dailyCheckpoint } from '../../server/src/audit/checkpoints.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { HeadSigner, verifySignedHead, type SignedHead } from '../../server/src/audit/signing.ts';
import { parseKeptHeads, verifyAgainst, verifyChain } from '../../server/src/audit/verify.ts';
import { canonicalJson } from '../../server/src/lib/canonical-json.ts';
import { SUITES } from '../../server/src/lib/crypto-suite.ts';
import { testApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts';
import { odx } from '../helpers/cli.ts';

async function record(t: TestApp, n: number) {
  await runCommand(t.knex, { actor: TEST_ACTOR }, async (ctx) => {
    for (let i = 0; i < n; i++) ctx.audit({ action: 'test.event', targetType: 'thing', targetId: i, detail: { i } });
  });
  await chainPending(t.knex);
}

/**
 * The attack a kept head exists for: someone with more than the application's rights rewrites
 * an event, recomputes every hash after it and moves the head, so the chain verifies on its own.
 */
async function rewriteAndRehash(superuser: Knex, seq: number) {
  await superuser.transaction(async (trx) => {
    await trx.raw('set local session_replication_role = replica');
    await trx.raw(`update odx.audit_events set detail = '{"forged": true}' where seq = ?`, [seq]);
    let prev: Buffer = (await trx('odx.audit_events').where({ seq: seq - 1 }).first('hash')).hash;
    for (const row of await trx('odx.audit_events').where('seq', '>=', seq).orderBy('seq')) {
      const hash = chainHash(prev, hashedContent(rowToEvent(row)), SUITES.intl);
      await trx('odx.audit_events').where({ seq: row.seq }).update({ prev_hash: prev, hash });
      prev = hash;
    }
    await trx('odx.audit_head').update({ hash: prev });
  });
}

/** The other attack: the newest events removed and the head moved back. */
async function cutChain(superuser: Knex, keep: number) {
  await superuser.transaction(async (trx) => {
    await trx.raw('set local session_replication_role = replica');
    await trx('odx.audit_events').where('seq', '>', keep).del();
    const last = await trx('odx.audit_events').where({ seq: keep }).first('hash');
    await trx('odx.audit_head').update({ seq: keep, hash: last.hash });
  });
}

describe('signed audit checkpoints and verification against kept heads', function () {
  this.timeout(120_000);
  let t: TestApp;
  beforeEach(async () => (t = await testApp()));
  afterEach(() => t.close());

  it('publishes checkpoints to anyone; only the authority and admins make one on demand, and that is audited', async () => {
    await record(t, 4);
    for (const role of ['registrar', 'officer', 'consumer'] as const) await request(t.app).post('/api/v1/audit/checkpoints').set(t.auth(role)).expect(403);
    await request(t.app).post('/api/v1/audit/checkpoints').expect(401);
    const made = await request(t.app).post('/api/v1/audit/checkpoints').set(t.auth('authority')).expect(201);
    const head = await t.knex('odx.audit_head').first();
    expect(made.body).to.include({ reason: 'on demand', algorithm: 'Ed25519' });
    expect(made.body.seq).to.be.at.most(head.seq);
    expect(verifySignedHead(made.body)).to.equal(true);
    const listed = await request(t.app).get('/api/v1/audit/checkpoints').expect(200);
    expect(listed.body.items).to.have.length(1);
    expect(listed.body.items[0]).to.deep.equal(made.body);
    expect(listed.body.next).to.equal(null);
    await chainPending(t.knex);
    const event = await t.knex('odx.audit_events').where({ action: 'audit.checkpoint' }).first();
    expect(event).to.include({ actor: 'principal:a.authority', target_id: String(made.body.seq) });
    expect(event.detail).to.deep.include({ seq: made.body.seq, hash: made.body.hash, reason: 'on demand' });
    // the application may add checkpoints but never change one
    const err = await t.knex.raw('update odx.audit_checkpoints set seq = 0').catch((e: Error & { code?: string }) => e);
    expect((err as { code?: string }).code).to.equal('42501');
  });

  it('makes a daily checkpoint once a day however often it is asked', async () => {
    await record(t, 2);
    const first = await dailyCheckpoint(t.knex, t.services.signer);
    expect(first).to.include({ reason: 'daily' });
    expect(await dailyCheckpoint(t.knex, t.services.signer)).to.equal(null);
    const [a, b] = await Promise.all([dailyCheckpoint(t.knex, t.services.signer), dailyCheckpoint(t.knex, t.services.signer)]);
    expect([a, b]).to.deep.equal([null, null]);
    expect((await request(t.app).get('/api/v1/audit/checkpoints').query({ limit: 10 }).expect(200)).body.items).to.have.length(1);
  });

  it('pages checkpoints newest first', async () => {
    for (let i = 0; i < 3; i++) await request(t.app).post('/api/v1/audit/checkpoints').set(t.auth('admin')).expect(201);
    const page1 = await request(t.app).get('/api/v1/audit/checkpoints').query({ limit: 2 }).expect(200);
    expect(page1.body.items.map((c: { id: number }) => c.id)).to.deep.equal([3, 2]);
    const page2 = await request(t.app).get('/api/v1/audit/checkpoints').query({ limit: 2, cursor: page1.body.next }).expect(200);
    expect(page2.body.items.map((c: { id: number }) => c.id)).to.deep.equal([1]);
    expect(page2.body.next).to.equal(null);
  });

  it('catches a rewrite with recomputed hashes that the chain alone cannot show, naming the foreign seq and where the rewrite lies', async () => {
    await record(t, 5);
    const early = (await request(t.app).post('/api/v1/audit/checkpoints').set(t.auth('authority')).expect(201)).body as SignedHead;
    await record(t, 10);
    const late = (await request(t.app).get('/api/v1/audit/head').set(t.auth('registrar')).expect(200)).body as SignedHead;
    const key = await HeadSigner.publicKeyIn(t.home);
    expect(await verifyAgainst(t.knex, [late, early], key)).to.deep.equal([{ seq: early.seq, ok: true }, { seq: late.seq, ok: true }]);

    const target = early.seq + 3;
    await rewriteAndRehash(t.db.superuser, target);
    expect((await verifyChain(t.knex)).ok, 'the rehashed chain verifies on its own').to.equal(true);
    const checks = await verifyAgainst(t.knex, [early, late], key);
    expect(checks[0]).to.deep.equal({ seq: early.seq, ok: true });
    expect(checks[1].ok).to.equal(false);
    expect(checks[1].problem).to.match(new RegExp(`^foreign seq ${late.seq}: .*rewritten after seq ${early.seq} .*and at or before seq ${late.seq}$`));
  });

  it('names a gap when the chain was cut back behind a kept head', async () => {
    await record(t, 8);
    const kept = (await request(t.app).get('/api/v1/audit/head').set(t.auth('registrar')).expect(200)).body as SignedHead;
    await cutChain(t.db.superuser, kept.seq - 3);
    expect((await verifyChain(t.knex)).ok).to.equal(true);
    const [check] = await verifyAgainst(t.knex, [kept]);
    expect(check.problem).to.equal(`gap: the chain ends at seq ${kept.seq - 3} but a head was signed at seq ${kept.seq}: events ${kept.seq - 2}–${kept.seq} are missing`);
  });

  it('refuses a kept head that was edited, or signed by another key', async () => {
    await record(t, 3);
    const kept = (await request(t.app).get('/api/v1/audit/head').set(t.auth('registrar')).expect(200)).body as SignedHead;
    const key = await HeadSigner.publicKeyIn(t.home);
    const [edited] = await verifyAgainst(t.knex, [{ ...kept, seq: kept.seq - 1 }], key);
    expect(edited.problem).to.match(/no valid signature/);
    const other = generateKeyPairSync('ed25519');
    const message = canonicalJson({ seq: kept.seq, hash: kept.hash, signedAt: kept.signedAt });
    const forged = { ...kept, message, signature: sign(null, Buffer.from(message), other.privateKey).toString('base64'), publicKey: other.publicKey.export({ type: 'spki', format: 'pem' }).toString() };
    expect(verifySignedHead(forged)).to.equal(true);
    const [foreignKey] = await verifyAgainst(t.knex, [forged], key);
    expect(foreignKey.problem).to.equal(`the kept head at seq ${kept.seq} was signed by another key than this installation's`);
  });

  it('reads a kept head, a list, or a checkpoints page, and says what is wrong with anything else', () => {
    const h = { seq: 1, hash: 'ab', signedAt: 'x', message: 'm', signature: 's', publicKey: 'k', algorithm: 'Ed25519' };
    expect(parseKeptHeads(JSON.stringify(h))).to.have.length(1);
    expect(parseKeptHeads(JSON.stringify([h, h]))).to.have.length(2);
    expect(parseKeptHeads(JSON.stringify({ items: [h], next: null }))).to.have.length(1);
    expect(() => parseKeptHeads('{"seq": 1}')).to.throw('entry 0 is not a signed head (missing hash, signedAt, message, signature, publicKey)');
    expect(() => parseKeptHeads('nope')).to.throw(/^not JSON/);
    expect(() => parseKeptHeads('[]')).to.throw('no signed head in it');
  });

  it('odx audit verify --against exits 0 on a match, 1 naming the foreign seq, 2 on a file that is no head', async () => {
    await record(t, 6);
    const kept = (await request(t.app).get('/api/v1/audit/head').set(t.auth('registrar')).expect(200)).body as SignedHead;
    const file = path.join(t.home, 'head.json');
    await fs.writeFile(file, JSON.stringify(kept));
    const env = { DATABASE_URL: t.db.url, ODX_HOME: t.home };
    const good = await odx(['audit', 'verify', '--quiet', '--against', file], env);
    expect(good.code, good.stderr).to.equal(0);
    expect(good.stdout).to.contain(`kept head at seq ${kept.seq}: matches`);
    await rewriteAndRehash(t.db.superuser, 2);
    const bad = await odx(['audit', 'verify', '--quiet', '--against', file], env);
    expect(bad.code).to.equal(1);
    expect(bad.stdout).to.contain('audit chain intact');
    expect(bad.stderr).to.contain(`foreign seq ${kept.seq}`);
    await fs.writeFile(file, '{"seq": 3}');
    const unusable = await odx(['audit', 'verify', '--against', file], env);
    expect(unusable.code).to.equal(2);
    expect(unusable.stderr).to.contain('is not a signed head');
  });
});
