import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import requestEn from '../helpers/request-en.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { documentCreator } from '../../server/src/census/documents/commands.ts';
import { TEST_ACTOR, testApp, type TestApp } from '../helpers/app.ts';
import { resourceDoc, systemDoc } from '../helpers/census.ts';
import { opensslCommands } from '../../web/src/features/audit/offline.ts';

async function record(t: TestApp, n: number) {
  await runCommand(t.knex, { actor: TEST_ACTOR }, async (ctx) => {
    for (let i = 0; i < n; i++) ctx.audit({ action: 'test.event', targetType: 'thing', targetId: i, detail: { i } });
  });
  await chainPending(t.knex);
}

/**
 * What the authority's console pages call beyond what the API had: the chain verified in steps
 * with progress, the key id of a signed head, audit search by login, the ledger filtered and paged.
 */
describe('the authority’s console routes: audit verify in steps, key id, ledger filters and paging', function () {
  this.timeout(120_000);
  let t: TestApp;
  before(async () => (t = await testApp()));
  after(() => t.close());

  /** Walks a verification to its end as the page does, step after step. */
  async function verifyAll(from: 'genesis' | 'checkpoint', limit: number) {
    const steps = [];
    let res = await request(t.app).post('/api/v1/audit/verify').set(t.auth('authority')).send({ from, limit }).expect(200);
    steps.push(res.body);
    while (res.body.state === 'running') {
      res = await request(t.app).post('/api/v1/audit/verify').set(t.auth('authority')).send({ after: res.body.verifiedTo, hash: res.body.hash, limit }).expect(200);
      steps.push(res.body);
    }
    return steps;
  }

  it('verifies the whole chain in steps of at most `limit` events and says it is intact', async () => {
    await record(t, 30);
    const head = await t.knex('odx.audit_head').first('seq', 'hash');
    const steps = await verifyAll('genesis', 7);
    expect(steps[0].start).to.deep.equal({ kind: 'genesis', seq: 0, checkpointId: null, signedAt: null });
    expect(steps.length).to.equal(Math.ceil(head.seq / 7));
    for (const s of steps.slice(0, -1)) expect(s).to.include({ state: 'running', checked: 7, firstBadSeq: null });
    const last = steps.at(-1);
    expect(last).to.include({ state: 'intact', verifiedTo: head.seq, headSeq: head.seq, hash: head.hash.toString('hex'), problem: null, hashAlgorithm: 'SHA-256' });
    expect(steps.reduce((n, s) => n + s.checked, 0)).to.equal(head.seq);
  });

  it('from the newest signed checkpoint, recomputes only the events after it and says so', async () => {
    const cp = await request(t.app).post('/api/v1/audit/checkpoints').set(t.auth('authority')).expect(201);
    await record(t, 5);
    const steps = await verifyAll('checkpoint', 1000);
    expect(steps).to.have.length(1);
    expect(steps[0].start).to.deep.include({ kind: 'checkpoint', seq: cp.body.seq, checkpointId: cp.body.id, signedAt: cp.body.signedAt });
    const head = await t.knex('odx.audit_head').first('seq');
    // the checkpoint's own audit event and the five after it
    expect(steps[0]).to.include({ state: 'intact', checked: head.seq - cp.body.seq, verifiedTo: head.seq });
  });

  it('names the first broken seq of a rewritten event, in whichever step reaches it', async () => {
    await record(t, 12);
    const target = (await t.knex('odx.audit_events').where({ action: 'test.event' }).orderBy('seq', 'desc').offset(4).first('seq')).seq;
    await t.db.superuser.transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx.raw(`update odx.audit_events set detail = '{"i": 99}' where seq = ?`, [target]);
    });
    const steps = await verifyAll('genesis', 10);
    const last = steps.at(-1);
    expect(last).to.include({ state: 'broken', firstBadSeq: target, problem: 'hash', verifiedTo: target - 1 });
    expect(last.detail).to.match(/hash does not match/);
    // the checkpoint made before the rewrite still holds at its seq: a verification from it finds the rewrite after it
    const fromCp = await verifyAll('checkpoint', 1000);
    expect(fromCp.at(-1)).to.include({ state: 'broken', firstBadSeq: target });
    await t.db.superuser.transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx.raw(`update odx.audit_events set detail = '{"i": 7}' where seq = ?`, [target]);
    });
    expect((await verifyAll('genesis', 100000)).at(-1).state).to.equal('intact');
  });

  it('refuses a body that is neither a start nor a next step with 400 in both languages, and anyone but the authority and admins with 403', async () => {
    const zh = await request(t.app).post('/api/v1/audit/verify').set(t.auth('authority')).send({}).expect(400);
    expect(zh.body.error.message).to.equal('请求体无效');
    expect(zh.body.error.details[0]).to.include({ in: 'body', path: '/from' });
    expect(zh.body.error.details[0].message).to.contain('二者取其一');
    const half = await request(t.app).post('/api/v1/audit/verify').set(t.auth('authority')).send({ after: 3 }).expect(400);
    expect(half.body.error.details.map((d: { path: string }) => d.path)).to.deep.equal(['/hash']);
    const en = await requestEn(t.app).post('/api/v1/audit/verify').set(t.auth('authority')).send({ from: 'genesis', after: 1, hash: '00' }).expect(400);
    expect(en.body.error.message).to.equal('invalid body');
    expect(en.body.error.details.map((d: { path: string }) => d.path)).to.include.members(['/from', '/hash']);
    await request(t.app).post('/api/v1/audit/verify').set(t.auth('authority')).send({ from: 'everything' }).expect(400);
    await request(t.app).post('/api/v1/audit/verify').set(t.auth('authority')).send({ from: 'genesis', limit: 0 }).expect(400);
    for (const role of ['officer', 'registrar', 'consumer', 'developer'] as const) await request(t.app).post('/api/v1/audit/verify').set(t.auth(role)).send({ from: 'genesis' }).expect(403);
    await request(t.app).post('/api/v1/audit/verify').send({ from: 'genesis' }).expect(401);
    await request(t.app).post('/api/v1/audit/verify').set(t.auth('admin')).send({ from: 'genesis', limit: 1 }).expect(200);
  });

  it('names the signing key of a head and of a checkpoint by the SHA-256 of its DER, as openssl prints it', async () => {
    const head = await request(t.app).get('/api/v1/audit/head').set(t.auth('authority')).expect(200);
    const der = createPublicKey(head.body.publicKey).export({ type: 'spki', format: 'der' });
    expect(head.body.keyId).to.equal(createHash('sha256').update(der).digest('hex'));
    const cps = await request(t.app).get('/api/v1/audit/checkpoints').expect(200);
    expect(cps.body.items[0].keyId).to.equal(head.body.keyId);
  });

  it('verifies a saved head with the OpenSSL 3 commands the page shows (needs openssl and jq, as the guide does)', async () => {
    await offlineCheck(t);
  });

  it('the same commands verify an SM2 head of the 国密 suite', async () => {
    const gm = await testApp({ env: { ODX_CRYPTO: 'gm' } });
    try {
      const head = await offlineCheck(gm);
      expect(head.algorithm).to.equal('SM2');
    } finally {
      await gm.close();
    }
  });

  async function offlineCheck(t: TestApp) {
    const head = await request(t.app).get('/api/v1/audit/head').set(t.auth('authority')).expect(200);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-offline-'));
    await fs.writeFile(path.join(dir, 'head.json'), JSON.stringify(head.body, null, 2));
    const out = execFileSync('bash', ['-eo', 'pipefail', '-c', opensslCommands(head.body)], { cwd: dir, encoding: 'utf8' });
    expect(out).to.contain(`= ${head.body.keyId}`).and.contain('Signature Verified Successfully');
    // a head edited after signing does not verify
    await fs.writeFile(path.join(dir, 'head.json'), JSON.stringify({ ...head.body, message: head.body.message.replace(`"seq":${head.body.seq}`, `"seq":${head.body.seq + 1}`) }));
    expect(() => execFileSync('bash', ['-eo', 'pipefail', '-c', opensslCommands(head.body)], { cwd: dir, encoding: 'utf8', stdio: 'pipe' })).to.throw();
    await fs.rm(dir, { recursive: true });
    return head.body as { algorithm: string };
  }

  it('finds a person’s events by their login alone', async () => {
    await request(t.app).post('/api/v1/audit/checkpoints').set(t.auth('authority')).expect(201);
    const login = (await t.knex('odx.principals').where({ id: t.principals.authority.id }).first('login')).login;
    const res = await request(t.app).get('/api/v1/audit').query({ actor: login, action: 'audit.checkpoint' }).set(t.auth('authority')).expect(200);
    expect(res.body.items.length).to.be.greaterThan(0);
    for (const e of res.body.items) expect(e.actor).to.equal(`principal:${login}`);
    const kind = await request(t.app).get('/api/v1/audit').query({ action: 'audit.*' }).set(t.auth('authority')).expect(200);
    expect(kind.body.items.length).to.be.greaterThan(0);
    for (const e of kind.body.items) expect(e.action).to.match(/^audit\./);
    // a literal % is not a wildcard
    expect((await request(t.app).get('/api/v1/audit').query({ action: '%*' }).set(t.auth('authority')).expect(200)).body.items).to.deep.equal([]);
  });

  describe('the ledger filtered and paged', () => {
    const ids: number[] = [];
    before(async () => {
      await runCommand(t.knex, { actor: TEST_ACTOR }, async (ctx) => {
        await documentCreator(ctx, 'system', systemDoc(t.deptA.uscc, { name: '台账测试系统' }));
        for (let i = 0; i < 5; i++) ids.push((await documentCreator(ctx, 'resource', resourceDoc(t.deptA.uscc, { name: `台账测试资源${i}`, category: '202', domain: 'health' }))).id);
        ids.push((await documentCreator(ctx, 'resource', resourceDoc(t.deptB.uscc, { name: '台账测试资源乙', shareType: 'conditional', shareCondition: '仅限监管', openType: 'closed' }))).id);
      });
    });
    const ledger = (query: Record<string, string | number>, role: 'authority' | 'officer' = 'authority') => request(t.app).get('/api/v1/census/ledger').query(query).set(t.auth(role));

    it('pages one list by keyset with the filtered total', async () => {
      const seen: number[] = [];
      let page = await ledger({ list: 'resources', q: '台账测试', limit: 2 }).expect(200);
      expect(page.body.counts.resources).to.equal(6);
      for (;;) {
        expect(page.body.resources.length).to.be.at.most(2);
        seen.push(...page.body.resources.map((r: { id: number }) => r.id));
        if (page.body.next === null) break;
        page = await ledger({ list: 'resources', q: '台账测试', limit: 2, after: page.body.next }).expect(200);
        expect(page.body.counts.resources).to.equal(6);
      }
      expect(seen).to.deep.equal(ids);
    });

    it('filters resources by class (and the classes under it), share and open type, domain, status; scoped as before', async () => {
      const health = await ledger({ list: 'resources', category: '2', domain: 'health', q: '台账测试' }).expect(200);
      expect(health.body.resources.map((r: { id: number }) => r.id)).to.deep.equal(ids.slice(0, 5));
      const closed = await ledger({ list: 'resources', shareType: 'conditional', openType: 'closed', q: '台账测试' }).expect(200);
      expect(closed.body.resources.map((r: { name: string }) => r.name)).to.deep.equal(['台账测试资源乙']);
      const drafts = await ledger({ list: 'resources', status: 'published', q: '台账测试' }).expect(200);
      expect(drafts.body.counts.resources).to.equal(0);
      const officerB = await ledger({ list: 'resources', q: '台账测试' }, 'officer').expect(200);
      expect(officerB.body.resources.every((r: { departmentId: number }) => r.departmentId === t.deptA.id)).to.equal(true);
      expect(officerB.body.counts.resources).to.equal(5);
    });

    it('exports what the filters find, the list in the file name', async () => {
      const res = await ledger({ list: 'resources', format: 'csv', shareType: 'conditional', q: '台账测试' }).buffer(true).expect(200);
      // the city's date (UTC+8), not UTC's: an export made at 07:00 in 滨海 carries that day
      const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
      expect(decodeURIComponent(res.headers['content-disposition'])).to.contain(`一本账-数据清单-${today}.csv`);
      expect(res.text).to.contain('台账测试资源乙').and.not.contain('台账测试资源0');
    });

    it('refuses filters and paging that do not fit with 400 naming the parameter, in both languages', async () => {
      const a = await ledger({ shareType: 'conditional' }).expect(400);
      expect(a.body.error.details[0]).to.include({ in: 'query', path: '/list' });
      expect(a.body.error.details[0].message).to.contain('数据清单');
      const b = await requestEn(t.app).get('/api/v1/census/ledger').query({ limit: 10 }).set(t.auth('authority')).expect(400);
      expect(b.body.error.details[0]).to.include({ path: '/limit' });
      expect(b.body.error.details[0].message).to.contain('paging is for the JSON of one list');
      await ledger({ list: 'resources', limit: 10, format: 'csv' }).expect(400);
      await ledger({ list: 'resources', after: 3 }).expect(400);
      await ledger({ list: 'resources', category: 'x1' }).expect(400);
      await ledger({ list: 'resources', domain: "health' or 1=1" }).expect(400);
    });
  });
});

describe('extending the classification tree: what a person gets wrong is said in both languages', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => (t = await testApp()));
  after(() => t.close());
  const add = (body: object) => request(t.app).post('/api/v1/classifications').set(t.auth('authority')).send(body);

  it('adds a class under its parent, and refuses a taken code with 409 naming the class that has it', async () => {
    await add({ code: '10277', name: '测试目', parentCode: '102' }).expect(201);
    const again = await add({ code: '10277', name: '另一个', parentCode: '102' }).expect(409);
    expect(again.body.error).to.include({ code: 'already_exists', message: '分类代码 10277 已被“测试目”使用' });
    expect(again.body.error.details[0]).to.include({ path: '/code' });
    const en = await requestEn(t.app).post('/api/v1/classifications').set(t.auth('authority')).send({ code: '10277', name: 'x', parentCode: '102' }).expect(409);
    expect(en.body.error.message).to.equal('the class code 10277 is taken by “测试目”');
  });

  it('refuses a malformed code with 400 at its path, a code outside its parent with 422, and anyone but the authority with 403', async () => {
    const bad = await add({ code: 'x1', name: '测试', parentCode: '102' }).expect(400);
    expect(bad.body.error.details[0]).to.include({ in: 'body', path: '/code' });
    expect(bad.body.error.details[0].message).to.contain('以 1（基础）、2（主题）或 3（部门）开头');
    await add({ code: '10301', name: '测试', parentCode: '102' }).expect(422);
    await add({ code: '10278', name: '   ', parentCode: '102' }).expect(400);
    for (const role of ['admin', 'officer', 'registrar'] as const) await request(t.app).post('/api/v1/classifications').set(t.auth(role)).send({ code: '10279', name: '测试', parentCode: '102' }).expect(403);
    expect(await t.knex('odx.classifications').whereIn('code', ['10278', '10279', '10301']).first()).to.equal(undefined);
  });
});
