import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { closeServices, createApp, type App } from '../../server/src/app.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { HeadSigner } from '../../server/src/audit/signing.ts';
import { verifyChain } from '../../server/src/audit/verify.ts';
import { loadConfig, type Config } from '../../server/src/config.ts';
import { seedDemo } from '../../server/src/demo/seed.ts';
import { createLogger } from '../../server/src/http/observability.ts';
import { validateDocument } from '../../server/src/schemas/validator.ts';
import { previousMonth } from '../../server/src/governance/period.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { everyOf } from '../helpers/every.ts';

const PRIORITY_DOMAINS = ['market', 'transport', 'health', 'social_security', 'culture_tourism', 'finance'];
const CENSUS_DEPARTMENTS = ['市市场监管局', '市交通运输局', '市卫健委', '市人社局', '市文旅局', '市金融局', '市公安局', '思明区民政局'];
const TABLES = ['odx.departments', 'odx.principals', 'odx.classifications', 'odx.systems', 'odx.resources', 'odx.demands', 'odx.demand_links', 'odx.census_history', 'odx.audit_pending', 'odx.audit_events'];

describe('demo city 滨海市 and its census', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let home: string;
  let config: Config;
  let auth: { Authorization: string };
  let app: App['app'];
  let services: App['services'];

  const counts = async () => Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, Number((await db.knex(t).count<{ n: string }[]>('* as n'))[0].n)])));

  before(async () => {
    db = await freshDatabase();
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-demo-'));
    config = loadConfig({ ODX_HOME: home, ODX_LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
    const first = await seedDemo(db.knex, config);
    expect(first.seeded).to.equal(true);
    auth = { Authorization: `Bearer ${(await fs.readFile(first.adminTokenFile, 'utf8')).trim()}` };
    ({ app, services } = createApp({ knex: db.knex, config, log: createLogger('silent'), signer: await HeadSigner.load(home) }));
  });
  after(async () => {
    await closeServices(services);
    await db.drop();
    await fs.rm(home, { recursive: true, force: true });
  });

  it('publishes a catalogue with entries in every priority domain, from every census department', async () => {
    const res = await request(app).get('/api/v1/resources').query({ status: 'published', limit: 100 }).set(auth).expect(200);
    const domains = new Map<string, number>(res.body.facets.domain.map((f: { value: string; count: number }) => [f.value, f.count]));
    for (const d of PRIORITY_DOMAINS) expect(domains.get(d) ?? 0, d).to.be.at.least(2);
    expect(domains.get('credit'), '信用服务').to.be.at.least(1);
    expect(domains.get('public_safety'), '公安').to.be.at.least(1);
    expect(everyOf(res.body.items, (r: { code: string }) => /^\d+\/\d{6}$/.test(r.code))).to.equal(true);

    const share = new Set(res.body.facets.shareType.map((f: { value: string }) => f.value));
    const open = new Set(res.body.facets.openType.map((f: { value: string }) => f.value));
    expect([...share].sort()).to.deep.equal(['conditional', 'none', 'unconditional']);
    expect([...open].sort()).to.deep.equal(['closed', 'conditional', 'open']);

    const perDept = await db.knex('odx.resources as r').join('odx.departments as d', 'd.id', 'r.department_id').whereNotNull('r.published_doc')
      .groupBy('d.short_name').select('d.short_name').count('* as n');
    const published = new Map(perDept.map((r: any) => [r.short_name, Number(r.n)]));
    for (const dept of CENSUS_DEPARTMENTS) expect(published.get(dept) ?? 0, dept).to.be.within(3, 6);
  });

  it('finds demo entries by Chinese search', async () => {
    const names = async (q: string) => (await request(app).get('/api/v1/resources').query({ q }).set(auth).expect(200)).body.items.map((r: { name: string }) => r.name);
    expect(await names('营业执照')).to.include('企业营业执照信息');
    expect((await names('景区'))[0]).to.match(/景区/);
    expect(await names('低保')).to.include('最低生活保障对象信息');
  });

  it('has systems, drafts, submitted entries, a revision and department classes, each entered by the right account', async () => {
    const statuses = await db.knex('odx.resources').groupBy('status').select('status').count('* as n');
    const by = new Map(statuses.map((s: any) => [s.status, Number(s.n)]));
    expect(by.get('draft') ?? 0).to.be.at.least(3); // two drafts and one revision of a published entry
    expect(by.get('submitted') ?? 0).to.be.at.least(1);
    expect(by.get('approved') ?? 0).to.be.at.least(1);
    const revised = await db.knex('odx.resources').where({ name: '企业营业执照信息' }).first();
    expect(revised).to.include({ status: 'draft', version: 2, published_version: 1 });

    const systems = await db.knex('odx.systems').groupBy('department_id').select('department_id').count('* as n');
    expect(systems.length).to.equal(CENSUS_DEPARTMENTS.length);
    expect(everyOf(systems, (s: any) => Number(s.n) >= 2)).to.equal(true);

    const classes = await db.knex('odx.classifications').where('code', 'like', '3%').whereNot('code', '3').pluck('code');
    expect(classes.length).to.be.at.least(8);
    const used = await db.knex('odx.resources').where('category', 'like', '3%').count<{ n: string }[]>('* as n');
    expect(Number(used[0].n)).to.be.at.least(4);

    const licence = await db.knex('odx.resources').where({ name: '企业营业执照信息' }).first('id');
    const history = await db.knex('odx.census_history').where({ kind: 'resource', doc_id: licence.id }).orderBy('id').select('action', 'actor');
    expect(history.map((h: { action: string; actor: string }) => `${h.action} ${h.actor}`)).to.deep.equal([
      'create principal:scjg.registrar',
      'submit principal:scjg.registrar',
      'approve principal:scjg.officer',
      'publish principal:sjj.authority',
      'revise principal:scjg.registrar',
    ]);
  });

  it('stores only documents that pass the JSON Schemas', async () => {
    for (const [kind, table] of [['system', 'odx.systems'], ['resource', 'odx.resources'], ['demand', 'odx.demands']] as const) {
      for (const row of await db.knex(table).select('name', 'doc')) {
        const r = validateDocument(kind, row.doc);
        expect(r.ok, `${kind} ${row.name}: ${r.ok ? '' : JSON.stringify(r.violations)}`).to.equal(true);
      }
    }
  });

  it('has demands, some linked to resources and one marked unfulfillable with its reason', async () => {
    const demands = await db.knex('odx.demands').select('id', 'status', 'reason');
    expect(demands.length).to.be.within(6, 10);
    const status = demands.map((d: { status: string }) => d.status);
    expect(status.filter((s: string) => s === 'matched').length).to.be.at.least(4);
    expect(status).to.include('open');
    const closed = demands.filter((d: { status: string }) => d.status === 'unfulfillable');
    expect(closed).to.have.length(1);
    expect(closed[0].reason).to.match(/[\u4e00-\u9fff]/);
    const links = await db.knex('odx.demand_links').count<{ n: string }[]>('* as n');
    expect(Number(links[0].n)).to.be.at.least(6);

    // the open demand for 网约车 drivers finds the published entry that answers it
    const open = await db.knex('odx.demands').where({ name: '新就业形态劳动者职业伤害保障参保扩面' }).first('id');
    const matches = await request(app).get(`/api/v1/demands/${open.id}/matches`).set(auth).expect(200);
    expect(matches.body.items[0].name).to.equal('网约车驾驶员证信息');
  });

  it('has a year of history: twelve monthly snapshots whose trend moves', async () => {
    const months: string[] = (await db.knex.raw(`select to_char(month, 'YYYY-MM') as m from odx.indicator_snapshots where department_id is null order by month`)).rows.map((r: { m: string }) => r.m);
    expect(months).to.have.length(12);
    expect(months[11]).to.equal(previousMonth(new Date()));
    const trend = (await request(app).get('/api/v1/indicators/trend').query({ from: months[0], to: months[11] }).set(auth).expect(200)).body.items;
    const city = trend.filter((p: { department: unknown }) => p.department === null);
    expect(city.map((p: { month: string }) => p.month)).to.deep.equal(months);
    const series = (f: (p: any) => number | null) => city.map((p: any) => f(p.indicators));
    // the census grew over the year, data was loaded every month, sharing was answered, timeliness and quality vary
    const resources = series((x) => x.census.resources);
    expect(resources[0]).to.be.above(0);
    expect(resources[11]).to.be.above(resources[0]);
    expect(resources.every((n: number, i: number) => i === 0 || n >= resources[i - 1]), 'never shrinks').to.equal(true);
    expect(series((x) => x.quality.loads).every((n: number | null) => (n ?? 0) > 0), 'loads every month').to.equal(true);
    expect(series((x) => x.quality.rowsRejected).some((n: number | null) => (n ?? 0) > 0)).to.equal(true);
    expect(new Set(series((x) => x.timeliness.onTimeRate)).size, 'timeliness varies').to.be.above(2);
    expect(new Set(series((x) => x.census.linkRate)).size, 'link rate varies').to.be.above(2);
    expect(series((x) => x.sharing.received).filter((n: number | null) => (n ?? 0) > 0).length, 'months with share requests').to.be.at.least(2);
    // departments have their own points
    expect(trend.filter((p: { department: unknown }) => p.department !== null).length).to.be.above(12 * 5);
  });

  it('records every step in an audit chain that verifies', async () => {
    await chainPending(db.knex);
    const result = await verifyChain(db.knex);
    expect(result.ok, result.problem).to.equal(true);
    const actions = await db.knex('odx.audit_events').distinct('action').pluck('action');
    expect(actions).to.include.members(['classification.create', 'system.create', 'resource.publish', 'demand.link', 'demand.unfulfillable']);
  });

  it('gives each demo person a password, listed in demo-accounts.txt (mode 0600), that signs in with the listed roles', async () => {
    const file = path.join(home, 'demo-accounts.txt');
    expect((await fs.stat(file)).mode & 0o777).to.equal(0o600);
    const rows = (await fs.readFile(file, 'utf8')).split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
    expect(rows.map((r) => r[0])).to.include.members(['admin', 'sjj.authority', 'scjg.officer', 'scjg.registrar', 'smmz.registrar', 'dev.lin', 'dev.zhou']);
    for (const [login, roles, department, password] of rows) {
      const res = await request(app).post('/api/v1/auth/sign-in').send({ login, password });
      expect(res.status, login).to.equal(200);
      expect(res.body.roles.join(','), login).to.equal(roles);
      // developers stand outside every department
      if (res.body.departmentId === null) {
        expect([roles, department], login).to.deep.equal(['developer', '（社会开发者）']);
        continue;
      }
      const dept = await db.knex('odx.departments').where({ id: res.body.departmentId }).first('name');
      expect(dept.name, login).to.equal(department);
    }
  });

  it('loads nothing twice when seeded again, and keeps the demo passwords', async () => {
    const passwords = await fs.readFile(path.join(home, 'demo-accounts.txt'), 'utf8');
    const before = await counts();
    const second = await seedDemo(db.knex, config);
    expect(second.seeded).to.equal(false);
    expect(await counts()).to.deep.equal(before);
    expect(await fs.readFile(second.accountsFile, 'utf8')).to.equal(passwords);
  });
});
