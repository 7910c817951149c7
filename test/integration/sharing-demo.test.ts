import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { closeServices, createApp, type App } from '../../server/src/app.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { HeadSigner } from '../../server/src/audit/signing.ts';
import { verifyChain } from '../../server/src/audit/verify.ts';
import { loadConfig } from '../../server/src/config.ts';
import { seedDemo } from '../../server/src/demo/seed.ts';
import { createLogger } from '../../server/src/http/observability.ts';
import { validateDocument } from '../../server/src/schemas/validator.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';

/** `npm start` shows the sharing workflow: consumer credentials, a real-time grant, a request waiting for its provider, a dispute waiting for the authority. */
describe('demo city 滨海市: sharing', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let home: string;
  let app: App['app'];
  let services: App['services'];
  let admin: { Authorization: string };

  before(async () => {
    db = await freshDatabase();
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-demo-sharing-'));
    const config = loadConfig({ ODX_HOME: home, ODX_LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
    const seeded = await seedDemo(db.knex, config);
    admin = { Authorization: `Bearer ${(await fs.readFile(seeded.adminTokenFile, 'utf8')).trim()}` };
    ({ app, services } = createApp({ knex: db.knex, config, log: createLogger('silent'), signer: await HeadSigner.load(home) }));
  });
  after(async () => {
    await closeServices(services);
    await db.drop();
    await fs.rm(home, { recursive: true, force: true });
  });

  const byResource = async (name: string) => {
    const row = await db.knex('odx.share_requests as s').join('odx.resources as r', 'r.id', 's.resource_id').where('r.name', name).first('s.id');
    return (await request(app).get(`/api/v1/share-requests/${row.id}`).set(admin).expect(200)).body;
  };

  it('has consumer departments with system credentials bound to their systems', async () => {
    const res = await request(app).get('/api/v1/consumer-credentials').set(admin).expect(200);
    expect(res.body.items.map((c: { login: string; system: { name: string } }) => `${c.login} ${c.system.name}`)).to.deep.equal([
      'rsj.si.api 社会保险经办信息系统',
      'gaj.pop.api 人口信息管理系统',
      'smmz.aid.api 社会救助信息管理系统',
    ]);
  });

  it('granted an unconditional request at once, and fulfilled the demand behind it', async () => {
    const r = await byResource('企业营业执照信息');
    expect(r).to.include({ state: 'granted', shareType: 'unconditional' });
    expect(r.steps.map((s: { step: string; automatic: boolean }) => `${s.step}${s.automatic ? ' (automatic)' : ''}`)).to.deep.equal(['submit', 'check (automatic)']);
    expect(r.grant).to.include({ status: 'active', live: true, endsAt: null, rateLimit: 120 });
    const demand = await db.knex('odx.demands').where({ id: r.demandId }).first('status', 'fulfilled_at');
    expect(demand.status).to.equal('fulfilled');
  });

  it('has a conditional request waiting for the provider’s officer, in their inbox with its deadline', async () => {
    const r = await byResource('出生医学证明信息');
    expect(r).to.include({ state: 'provider_review', waitingFor: 'provider', shareType: 'conditional', overdue: false });
    expect(r.dueAt).to.be.a('string');
    const wjw = await db.knex('odx.principals').where({ login: 'wjw.officer' }).first('id');
    const token = (
      await request(app).post('/api/v1/tokens').set(admin).send({ name: 'demo test', principalId: wjw.id, expiresInDays: 1 }).expect(201)
    ).body.secret;
    const inbox = await request(app).get('/api/v1/share-requests').query({ role: 'provider', state: 'provider_review' }).set({ Authorization: `Bearer ${token}` }).expect(200);
    expect(inbox.body.items.map((i: { id: number }) => i.id)).to.deep.equal([r.id]);
    expect((await db.knex('odx.demands').where({ id: r.demandId }).first('status')).status).to.equal('requested');
  });

  it('has a request the provider refused and the consumer disputed, waiting for the authority, shown on its demand', async () => {
    const r = await byResource('网约车驾驶员证信息');
    expect(r).to.include({ state: 'disputed', waitingFor: 'authority' });
    expect(r.reason).to.match(/共享条件/);
    expect(r.dispute.legalBasis).to.contain('职业伤害保障办法');
    expect(r.steps.map((s: { step: string; by: string }) => `${s.step} ${s.by}`)).to.deep.equal([
      'submit principal:rsj.registrar',
      'check system:auto-compliance',
      'refuse principal:jtys.officer',
      'dispute principal:rsj.officer',
    ]);
    const inbox = await request(app).get('/api/v1/share-requests').query({ role: 'authority' }).set(admin).expect(200);
    expect(inbox.body.items.map((i: { id: number }) => i.id)).to.include(r.id);
    const history = await request(app).get(`/api/v1/demands/${r.demandId}/history`).set(admin).expect(200);
    expect(history.body.items.map((h: { action: string }) => h.action)).to.include.members(['share_refuse', 'share_dispute']);
  });


  it('has a conditionally open dataset with an approved and a waiting application; the approved developer reads only the approved items', async () => {
    const conditional = await request(app).get('/api/v1/conditional-datasets').expect(200);
    const dataset = conditional.body.items.find((d: { name: string }) => d.name === '医师执业注册信息');
    expect(dataset.openCondition).to.contain('研究机构');
    const list = await request(app).get('/api/v1/open-applications').set(admin).expect(200);
    const states = list.body.items.map((a: { developer: { email: string }; state: string }) => `${a.developer.email} ${a.state}`).sort();
    expect(states).to.deep.equal(['lin.xiao@bhu.example.edu.cn granted', 'zhou.hang@kangshu.example.com provider_review']);
    const approved = list.body.items.find((a: { state: string }) => a.state === 'granted');
    const shown = await request(app).get(`/api/v1/open-applications/${approved.id}`).set(admin).expect(200);
    expect(shown.body.grant.items).to.deep.equal(['practice_type', 'practice_scope', 'registered_on']);
    expect(shown.body.application.items).to.have.length(5);

    // dev.lin signs in with the password in demo-accounts.txt and reads under the grant
    const accounts = await fs.readFile(path.join(home, 'demo-accounts.txt'), 'utf8');
    const line = accounts.split('\n').find((l) => l.startsWith('dev.lin\t'))!;
    expect(line).to.contain('（社会开发者）');
    const agent = request.agent(app);
    await agent.post('/api/v1/auth/sign-in').send({ login: 'lin.xiao@bhu.example.edu.cn', password: line.split('\t')[3] }).expect(200);
    const rows = await agent.get(`/api/v1/shared/${encodeURIComponent(dataset.code)}/rows`).query({ purpose: '卫生人力资源研究', limit: 5 }).expect(200);
    expect(rows.body.items).to.have.length(5);
    for (const r of rows.body.items) expect(Object.keys(r).sort()).to.deep.equal(['practice_scope', 'practice_type', 'registered_on']);
  });
  it('stores only share requests that pass the schema, and an audit chain that verifies', async () => {
    for (const row of await db.knex('odx.share_requests').select('doc')) expect(validateDocument('share-request', row.doc).ok).to.equal(true);
    await chainPending(db.knex);
    const r = await verifyChain(db.knex);
    expect(r.ok, r.problem).to.equal(true);
  });
});
