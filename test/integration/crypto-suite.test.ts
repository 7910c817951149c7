import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { sm2 } from 'sm-crypto-v2';
import { chainPending, hashedContent, rowToEvent } from '../../server/src/audit/chain.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { verifySignedHead } from '../../server/src/audit/signing.ts';
import { verifyChain } from '../../server/src/audit/verify.ts';
import { CryptoSuiteMismatchError, settleCryptoSuite } from '../../server/src/db/crypto-suite.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { setPassword, testApp, TEST_ACTOR, type TestApp } from '../helpers/app.ts';
import { ODX_BIN, odx } from '../helpers/cli.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';

const sm3 = (...parts: (Buffer | string)[]) => parts.reduce((h, p) => h.update(p), createHash('sm3')).digest();
const sha256 = (...parts: (Buffer | string)[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();

/** r ‖ s in hex from a DER signature, read here rather than by the code under test. */
function rawSignature(der: Buffer): string {
  expect(der[0]).to.equal(0x30);
  const rLen = der[3];
  const r = der.subarray(4, 4 + rLen);
  const s = der.subarray(4 + rLen + 2);
  const hex = (b: Buffer) => BigInt('0x' + b.toString('hex')).toString(16).padStart(64, '0');
  return hex(r) + hex(s);
}

/** The uncompressed public point of an SPKI PEM on the SM2 curve: its last 65 bytes. */
const publicPoint = (pem: string) => Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64').subarray(-65).toString('hex');

const dbEnv = (db: TestDatabase, home: string, crypto?: string) => ({ DATABASE_URL: db.url, ODX_MIGRATE_URL: db.ownerUrl, ODX_HOME: home, ODX_CRYPTO: crypto, ODX_LOG_LEVEL: 'silent' });

/** `odx serve` as an operator starts it; a server that does not stop by itself is killed and reported. */
function serve(env: Record<string, string | undefined>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ODX_BIN, 'serve'], { env: { ...process.env, ODX_PORT: '0', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('the 国密 suite (ODX_CRYPTO=gm): an installation created with it', function () {
  this.timeout(300_000);
  let t: TestApp;
  before(async () => {
    t = await testApp({ env: { ODX_CRYPTO: 'gm' } });
    // a state change through the API, so the chain holds events of every kind of path
    await request(t.app).post('/api/v1/departments').set(t.auth('admin')).send({ name: '国密测试局', uscc: withUsccCheck('11350200MB0A39999'), regionCode: '350200', kind: 'bureau' }).expect(201);
    await chainPending(t.knex);
  });
  after(() => t.close());

  it('records the suite, which the application may read but no one may change', async () => {
    expect(await t.knex('odx.crypto_suite').pluck('suite')).to.deep.equal(['gm']);
    for (const sql of [`update odx.crypto_suite set suite = 'intl'`, 'delete from odx.crypto_suite', `insert into odx.crypto_suite (one, suite) values (false, 'intl')`]) {
      const err = await t.knex.raw(sql).then(() => null, (e: Error & { code?: string }) => e);
      expect(err?.code, `the application: ${sql}`).to.equal('42501');
    }
    const err = await t.db.owner.raw(`update odx.crypto_suite set suite = 'intl'`).then(() => null, (e: Error) => e);
    expect(err?.message, 'the schema owner too').to.match(/fixed when it is created/);
  });

  it('hashes the audit chain with SM3, and the chain verifies', async () => {
    const rows = await t.knex('odx.audit_events').orderBy('seq');
    expect(rows.length).to.be.greaterThan(10);
    let prev = Buffer.alloc(32);
    for (const row of rows) {
      const content = hashedContent(rowToEvent(row));
      expect(row.prev_hash.equals(prev), `prev_hash of ${row.seq}`).to.equal(true);
      expect(row.hash.equals(sm3(prev, content)), `SM3 hash of ${row.seq}`).to.equal(true);
      expect(row.hash.equals(sha256(prev, content))).to.equal(false);
      prev = row.hash;
    }
    expect(await verifyChain(t.knex)).to.deep.equal({ ok: true, hashAlgorithm: 'SM3', checked: rows.length, headSeq: rows.at(-1).seq });
    const cli = await odx(['audit', 'verify', '--quiet'], dbEnv(t.db, t.home, 'gm'));
    expect(cli.code, cli.stderr).to.equal(0);
    expect(cli.stdout).to.contain(`audit chain intact: ${rows.length} events`).and.contain('(SM3 hash chain)');
  });

  it('signs the head and checkpoints with SM2 (GB/T 32918, user ID 1234567812345678) under a key of its own', async () => {
    const head = (await request(t.app).get('/api/v1/audit/head').set(t.auth('registrar')).expect(200)).body;
    const chainHead = await t.knex('odx.audit_head').first();
    expect(head).to.include({ algorithm: 'SM2', hashAlgorithm: 'SM3', seq: chainHead.seq, hash: chainHead.hash.toString('hex') });
    expect(head.publicKey).to.match(/^-----BEGIN PUBLIC KEY-----/);
    // checked with the SM2 library directly, not through ODX's verification
    const signature = rawSignature(Buffer.from(head.signature, 'base64'));
    expect(sm2.doVerifySignature(head.message, signature, publicPoint(head.publicKey), { hash: true, userId: '1234567812345678' })).to.equal(true);
    expect(sm2.doVerifySignature(head.message.replace(/"seq":\d+/, '"seq":1'), signature, publicPoint(head.publicKey), { hash: true, userId: '1234567812345678' })).to.equal(false);
    expect(verifySignedHead(head)).to.equal(true);
    expect(verifySignedHead({ ...head, message: head.message.replace(/"seq":\d+/, '"seq":1') })).to.equal(false);

    const key = await fs.stat(path.join(t.home, 'audit-sm2.pem'));
    expect(key.mode & 0o777).to.equal(0o600);
    expect(await fs.stat(path.join(t.home, 'audit-ed25519.pem')).catch(() => null), 'no Ed25519 key').to.equal(null);

    const checkpoint = (await request(t.app).post('/api/v1/audit/checkpoints').set(t.auth('authority')).expect(201)).body;
    expect(checkpoint).to.include({ algorithm: 'SM2', hashAlgorithm: 'SM3', publicKey: head.publicKey });
    const listed = (await request(t.app).get('/api/v1/audit/checkpoints').expect(200)).body.items[0];
    expect(listed).to.deep.equal(checkpoint);
    const kept = path.join(t.home, 'kept.json');
    await fs.writeFile(kept, JSON.stringify([head, checkpoint]));
    const cli = await odx(['audit', 'verify', '--quiet', '--against', kept], dbEnv(t.db, t.home, 'gm'));
    expect(cli.code, cli.stderr).to.equal(0);
    expect(cli.stdout).to.contain(`kept head at seq ${head.seq}: matches`).and.contain(`kept head at seq ${checkpoint.seq}: matches`);
  });

  it('stores token and session secrets as SM3, and both sign in', async () => {
    const token = (await request(t.app).post('/api/v1/tokens').set(t.auth('registrar')).send({ name: '国密脚本', scopes: ['read'], expiresInDays: 7 }).expect(201)).body;
    const row = await t.knex('odx.tokens').where({ id: token.id }).first();
    expect(row.hash.equals(sm3(token.secret))).to.equal(true);
    expect((await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${token.secret}`).expect(200)).body.login).to.equal('a.registrar');
    // the fixtures' tokens were made in this installation too
    await request(t.app).get('/api/v1/me').set(t.auth('admin')).expect(200);

    await setPassword(t.knex, t.principals.officer.id, 'Guomi-Sm3-2026');
    const signedIn = await request(t.app).post('/api/v1/auth/sign-in').send({ login: 'a.officer', password: 'Guomi-Sm3-2026' }).expect(200);
    const cookie = ([] as string[]).concat(signedIn.headers['set-cookie'] ?? []).find((c) => c.startsWith('odx_session='))!.split(';')[0];
    expect((await request(t.app).get('/api/v1/me').set('Cookie', cookie).expect(200)).body.login).to.equal('a.officer');
    const session = await t.knex('odx.sessions').where({ id: signedIn.body.sessionId }).first();
    expect(session.hash.equals(sm3(cookie.split('=')[1]))).to.equal(true);
  });

  it('backs up with its SM2 key, and restores as a 国密 installation that verifies against the backup’s SM2-signed head', async () => {
    const target = await freshDatabase();
    const home = await fs.mkdtemp(path.join(t.home, 'restored-'));
    try {
      const file = path.join(t.home, 'gm.odxbak');
      const made = await odx(['backup', file], dbEnv(t.db, t.home, 'gm'));
      expect(made.code, made.stderr).to.equal(0);
      // restored by an operator who has not set ODX_CRYPTO: the installation is the backup's, and they are told how to start it
      const restored = await odx(['restore', file], dbEnv(target, home, undefined));
      expect(restored.code, restored.stderr).to.equal(0);
      expect(restored.stdout).to.match(/audit chain intact: \d+ events; it holds the backup's signed head/).and.contain('start it with ODX_CRYPTO=gm');
      expect(await fs.readFile(path.join(home, 'audit-sm2.pem'), 'utf8')).to.equal(await fs.readFile(path.join(t.home, 'audit-sm2.pem'), 'utf8'));
      expect(await target.knex('odx.crypto_suite').pluck('suite')).to.deep.equal(['gm']);
      const verified = await odx(['audit', 'verify', '--quiet'], dbEnv(target, home, 'gm'));
      expect(verified.code, verified.stderr).to.equal(0);
      expect(verified.stdout).to.contain('(SM3 hash chain)');
    } finally {
      await target.drop();
    }
  });

  it('catches an event rewritten behind the triggers, in the API’s verification and the CLI’s', async () => {
    await chainPending(t.knex);
    const seq = 3;
    await t.db.superuser.transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx.raw(`update odx.audit_events set detail = '{"forged": true}' where seq = ?`, [seq]);
    });
    const result = await verifyChain(t.knex);
    expect(result).to.include({ ok: false, hashAlgorithm: 'SM3', firstBadSeq: seq });
    expect(result.problem).to.match(/hash does not match the event content \(SM3\)/);
    const cli = await odx(['audit', 'verify', '--quiet'], dbEnv(t.db, t.home, 'gm'));
    expect(cli.code).to.equal(1);
    expect(cli.stderr).to.contain(`BROKEN at seq ${seq}`);
  });
});

describe('an installation’s cryptographic suite cannot be switched', function () {
  this.timeout(300_000);
  let intl: TestApp;
  let gm: TestApp;
  before(async () => {
    intl = await testApp();
    gm = await testApp({ env: { ODX_CRYPTO: 'gm' } });
  });
  after(async () => {
    await intl.close();
    await gm.close();
  });

  const saysWhy = (text: string, recorded: string, configured: string) => {
    expect(text).to.contain(`ODX_CRYPTO 为 ${configured}`).and.contain('不能更换');
    expect(text).to.contain(`ODX_CRYPTO is ${configured}`).and.contain(`Set ODX_CRYPTO=${recorded}`);
  };

  it('refuses to start a server under another ODX_CRYPTO, saying why in Chinese and English', async () => {
    const started = await serve(dbEnv(intl.db, intl.home, 'gm'));
    expect(started.code, started.stderr).to.equal(2);
    saysWhy(started.stderr, 'intl', 'gm');
    expect(started.stderr).to.contain('国际算法（SHA-256、Ed25519）');
    const back = await serve(dbEnv(gm.db, gm.home, 'intl'));
    expect(back.code, back.stderr).to.equal(2);
    saysWhy(back.stderr, 'gm', 'intl');
    expect(back.stderr).to.contain('国密算法（SM3、SM2）');
    // nothing was hashed or signed in the other suite meanwhile
    expect(await intl.knex('odx.crypto_suite').pluck('suite')).to.deep.equal(['intl']);
    expect(await fs.stat(path.join(intl.home, 'audit-sm2.pem')).catch(() => null)).to.equal(null);
  });

  it('refuses the CLI’s commands under another ODX_CRYPTO, odx migrate included', async () => {
    for (const args of [['migrate'], ['audit', 'verify', '--quiet'], ['token', 'list']]) {
      const run = await odx(args, dbEnv(gm.db, gm.home, undefined));
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).to.equal(2);
      saysWhy(run.stderr, 'gm', 'intl');
    }
    const run = await odx(['audit', 'verify', '--quiet'], dbEnv(intl.db, intl.home, 'gm'));
    expect(run.code, run.stderr).to.equal(2);
    saysWhy(run.stderr, 'intl', 'gm');
  });

  it('keeps an installation used before suites were recorded on SHA-256 and Ed25519', async () => {
    const db = await freshDatabase();
    try {
      await runCommand(db.knex, { actor: TEST_ACTOR }, async (ctx) => ctx.audit({ action: 'test.event' }));
      const err = await settleCryptoSuite(db, 'gm').then(() => null, (e: Error) => e);
      expect(err).to.be.instanceOf(CryptoSuiteMismatchError);
      expect(err!.message).to.contain('在记录算法套件之前已用').and.contain('before suites were recorded');
      expect(await db.knex('odx.crypto_suite').pluck('suite')).to.deep.equal(['intl']);
      expect((await settleCryptoSuite(db, 'intl')).name).to.equal('intl');
    } finally {
      await db.drop();
    }
  });
});
