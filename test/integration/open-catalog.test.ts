import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import jsonld from 'jsonld';
import { Parser, Store } from 'n3';
import type { Quad } from 'n3';
import SHACLValidator from 'rdf-validate-shacl';
import request from '../helpers/request-en.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { documentCreator } from '../../server/src/census/documents/commands.ts';
import { resourceStepper } from '../../server/src/census/resources/lifecycle.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { TEST_ACTOR, testApp, type TestApp } from '../helpers/app.ts';
import { loadCsv, publishedResource, resourceDoc } from '../helpers/census.ts';

/** An open dataset with every kind of item the open catalogue treats specially. */
export const OPEN_ITEMS = [
  { name: 'credit_code', label: '统一社会信用代码', type: 'C', length: 18, required: true, key: true, check: 'uscc' },
  { name: 'company_name', label: '企业名称', type: 'C', length: 200, required: true },
  { name: 'legal_person', label: '法定代表人', type: 'C', length: 50, sensitivity: 'personal', mask: 'name' },
  { name: 'mobile', label: '联系手机', type: 'C', length: 11, check: 'mobile', sensitivity: 'personal', mask: 'mobile' },
  { name: 'inspector', label: '检查人员', type: 'C', length: 50, sensitivity: 'internal', mask: 'drop' },
  { name: 'risk_level', label: '风险等级', type: 'C', length: 2, openType: 'closed' },
  { name: 'capital', label: '注册资本（万元）', type: 'N', length: 18, scale: 2 },
  { name: 'founded_on', label: '成立日期', type: 'D' },
];

export function openCsv(n: number): string {
  let s = OPEN_ITEMS.map((i) => i.label).join(',') + '\n';
  for (let i = 1; i <= n; i++) {
    s += [withUsccCheck(`91350200MA${String(3000000 + i).padStart(7, '0')}`), `滨海市开放贸易有限公司${i}`, `张${i}`, `139${String(i).padStart(8, '0')}`, `王检查${i}`, 'A', (i * 2.5).toFixed(2), `2020-0${(i % 9) + 1}-01`].join(',') + '\n';
  }
  return s;
}

const SH = 'http://www.w3.org/ns/shacl#';
const shapes = ['dcat-ap-SHACL.ttl', 'ranges.ttl'].map(
  (f) => new Store(new Parser().parse(readFileSync(new URL(`../fixtures/dcat-ap-3.0.1/${f}`, import.meta.url), 'utf8'))),
);

async function shaclViolations(quads: Quad[]) {
  const out: unknown[] = [];
  for (const s of shapes) {
    const report = await new SHACLValidator(s).validate(new Store(quads));
    for (const r of report.results) {
      if (r.severity?.value === `${SH}Violation`) out.push({ focus: r.focusNode?.value, path: r.path?.value, message: r.message.map((m) => m.value).join('; ') });
    }
  }
  return out;
}

function frictionless(name: string) {
  const schema = JSON.parse(readFileSync(new URL(`../fixtures/frictionless/${name}`, import.meta.url), 'utf8'));
  delete schema.$schema;
  return schema;
}
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('uri', (s: string) => URL.canParse(s));
ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
ajv.addFormat('textarea', () => true);
const validateTabular = ajv.compile(frictionless('tabular-data-package.json'));
const validatePackage = ajv.compile(frictionless('data-package.json'));
const validateTableSchema = ajv.compile(frictionless('table-schema.json'));

describe('open catalogue: datasets, DCAT-AP and Data Package', function () {
  this.timeout(120_000);
  let t: TestApp;
  let open: Record<string, any>;
  let unloaded: Record<string, any>;
  let other: Record<string, any>;
  const hidden: Record<string, string> = {};
  const enc = (code: string) => encodeURIComponent(code);

  before(async () => {
    t = await testApp();
    open = await publishedResource(t.knex, t.deptA.uscc, { name: '企业开放登记信息', items: OPEN_ITEMS, tags: ['营业执照', '市场主体'] });
    await loadCsv(t.knex, open.id, openCsv(12));
    unloaded = await publishedResource(t.knex, t.deptA.uscc, { name: '公共停车场信息', domain: 'transport', updateCycle: 'monthly', tags: ['停车'],
      summary: '全市公共停车场名称、地址、泊位数和收费标准。',
      items: [{ name: 'lot', label: '停车场名称', type: 'C', length: 100 }, { name: 'spaces', label: '泊位数', type: 'I' }] });
    other = await publishedResource(t.knex, t.deptB.uscc, { name: '旅游景区信息', domain: 'culture_tourism', tags: ['旅游'],
      summary: 'A 级旅游景区名称、等级和开放时间。',
      items: [{ name: 'spot', label: '景区名称', type: 'C', length: 100 }, { name: 'grade', label: '等级', type: 'C', length: 5 }] });
    await loadCsv(t.knex, other.id, '景区名称,等级\n鼓浪屿,5A\n');
    hidden.conditional = (await publishedResource(t.knex, t.deptA.uscc, { name: '有条件开放执照', openType: 'conditional', openCondition: '经企业授权的持牌金融机构可申请' })).code;
    hidden.closed = (await publishedResource(t.knex, t.deptA.uscc, { name: '不予开放执照', openType: 'closed' })).code;
    const retired = await publishedResource(t.knex, t.deptA.uscc, { name: '已退役执照' });
    await runCommand(t.knex, { actor: TEST_ACTOR }, (ctx) => resourceStepper(ctx, retired.id, 'retire'));
    hidden.retired = retired.code;
    await runCommand(t.knex, { actor: TEST_ACTOR }, (ctx) => documentCreator(ctx, 'resource', resourceDoc(t.deptA.uscc, { name: '草稿执照' })));
  });
  after(() => t.close());

  describe('GET /api/v1/datasets', () => {
    it('lists only published, not retired, 无条件开放 entries, to anonymous callers, with facets', async () => {
      const res = await request(t.app).get('/api/v1/datasets').expect(200);
      expect(res.body.items.map((i: { code: string }) => i.code)).to.have.members([open.code, unloaded.code, other.code]);
      const first = res.body.items.find((i: { code: string }) => i.code === open.code);
      expect(first).to.include({ name: '企业开放登记信息', domain: 'market', updateCycle: 'daily', rows: 12 });
      expect(first.department).to.deep.equal({ id: t.deptA.id, name: '测试甲局' });
      expect(first.links.self).to.equal(`${t.services.config.publicBaseUrl}/api/v1/datasets/${enc(open.code)}`);
      expect(res.body.facets).to.have.keys(['department', 'domain', 'format', 'updateCycle']);
      expect(res.body.facets.domain).to.deep.include({ value: 'market', count: 1 });
      expect(res.body.facets.department).to.deep.include({ value: t.deptA.id, count: 2, label: '测试甲局' });
      expect(res.body.next).to.equal(null);
    });

    it('searches Chinese text with the registry’s bigram search and ranks the best match first', async () => {
      const res = await request(t.app).get('/api/v1/datasets').query({ q: '执照' }).expect(200);
      expect(res.body.items.map((i: { code: string }) => i.code)).to.deep.equal([open.code]);
      expect(res.body.items[0].score).to.be.a('number');
      const none = await request(t.app).get('/api/v1/datasets').query({ q: '不予开放执照' }).expect(200);
      expect(none.body.items).to.deep.equal([]);
      const spots = await request(t.app).get('/api/v1/datasets').query({ q: '景区' }).expect(200);
      expect(spots.body.items.map((i: { code: string }) => i.code)).to.deep.equal([other.code]);
    });

    it('filters by department (id or 统一社会信用代码), domain, format, tag and updated_since', async () => {
      const codes = async (query: Record<string, string>) => (await request(t.app).get('/api/v1/datasets').query(query).expect(200)).body.items.map((i: { code: string }) => i.code);
      expect(await codes({ department: String(t.deptB.id) })).to.deep.equal([other.code]);
      expect(await codes({ department: t.deptB.uscc })).to.deep.equal([other.code]);
      expect(await codes({ domain: 'transport,culture_tourism' })).to.have.members([unloaded.code, other.code]);
      expect(await codes({ format: 'csv' }), 'csv: datasets with data to download').to.have.members([open.code, other.code]);
      expect(await codes({ format: 'database' })).to.have.members([open.code, unloaded.code, other.code]);
      expect(await codes({ tag: '停车' })).to.deep.equal([unloaded.code]);
      expect(await codes({ updated_since: '2000-01-01' })).to.have.length(3);
      expect(await codes({ updated_since: new Date(Date.now() + 86_400_000).toISOString() })).to.deep.equal([]);
      const bad = await request(t.app).get('/api/v1/datasets').query({ updated_since: 'yesterday' }).expect(400);
      expect(bad.body.error.details[0].path).to.equal('/updated_since');
    });

    it('pages with a keyset cursor through every dataset exactly once', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await request(t.app).get('/api/v1/datasets').query({ limit: 1, facets: 'false', ...(cursor ? { cursor } : {}) }).expect(200);
        expect(res.body).not.to.have.property('facets');
        seen.push(...res.body.items.map((i: { code: string }) => i.code));
        cursor = res.body.next;
      } while (cursor);
      expect(seen).to.have.length(3);
      expect(new Set(seen)).to.have.property('size', 3);
    });
  });

  describe('GET /api/v1/datasets/:code', () => {
    it('shows metadata, items as published, update cycle, last update, rows, quality, downloads and licence', async () => {
      const res = await request(t.app).get(`/api/v1/datasets/${enc(open.code)}`).expect(200);
      const ds = res.body;
      expect(ds).to.include({ code: open.code, name: '企业开放登记信息', updateCycle: 'daily', rows: 12, domain: 'market' });
      expect(ds.department).to.deep.equal({ id: t.deptA.id, name: '测试甲局', uscc: t.deptA.uscc });
      expect(Date.parse(ds.dataUpdatedAt)).to.be.greaterThan(0);
      expect(ds.licence).to.deep.equal({ id: 'CC-BY-4.0', url: 'https://creativecommons.org/licenses/by/4.0/', title: '知识共享署名 4.0 国际许可协议（CC BY 4.0）' });
      expect(ds.items.map((i: { name: string }) => i.name), 'dropped and not-open items are left out').to.deep.equal(['credit_code', 'company_name', 'legal_person', 'mobile', 'capital', 'founded_on']);
      expect(ds.items.find((i: { name: string }) => i.name === 'legal_person')).to.include({ label: '法定代表人', type: 'C', masked: 'name' });
      expect(ds.items.find((i: { name: string }) => i.name === 'credit_code')).to.include({ label: '统一社会信用代码', masked: null, key: true, required: true });
      expect(ds.quality.rows).to.equal(12);
      expect(ds.quality.columns).to.have.keys(['credit_code', 'company_name', 'legal_person', 'mobile', 'capital', 'founded_on']);
      expect(ds.quality.columns.legal_person, 'no real value of a masked item').to.include({ min: null, max: null, nulls: 0 });
      expect(ds.quality.columns.company_name.min).to.be.a('string');
      const self = `${t.services.config.publicBaseUrl}/api/v1/datasets/${enc(open.code)}`;
      expect(ds.links).to.deep.equal({
        self,
        rows: `${self}/rows`,
        datapackage: `${self}/datapackage.json`,
        downloads: Object.fromEntries(['csv', 'ndjson', 'json', 'arrow', 'xlsx'].map((f) => [f, `${self}/download?format=${f}`])),
        catalog: `${t.services.config.publicBaseUrl}/catalog.jsonld`,
      });
      expect(JSON.stringify(ds)).not.to.match(/王检查|inspector|risk_level/);
    });

    it('shows a dataset without data but offers no downloads', async () => {
      const res = await request(t.app).get(`/api/v1/datasets/${enc(unloaded.code)}`).expect(200);
      expect(res.body).to.include({ rows: null, quality: null, dataUpdatedAt: null });
      expect(res.body.links).to.include({ rows: null, datapackage: null });
      expect(res.body.links.downloads).to.deep.equal({});
      await request(t.app).get(`/api/v1/datasets/${enc(unloaded.code)}/datapackage.json`).expect(404);
    });

    it('answers 404 for anything not open: conditional, closed, retired, unknown', async () => {
      for (const [what, code] of Object.entries({ ...hidden, unknown: '102/999999' })) {
        const res = await request(t.app).get(`/api/v1/datasets/${enc(code)}`);
        expect(res.status, what).to.equal(404);
        expect(res.body.error.code).to.equal('not_found');
        await request(t.app).get(`/api/v1/datasets/${enc(code)}/datapackage.json`).expect(404);
      }
    });

    it('keeps showing the published version while a revision is in progress', async () => {
      const r = await publishedResource(t.knex, t.deptA.uscc, { name: '修订中的开放数据' });
      await request(t.app).put(`/api/v1/resources/${r.id}`).set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc, { name: '修订稿', openType: 'closed' })).expect(200);
      const res = await request(t.app).get(`/api/v1/datasets/${enc(r.code)}`).expect(200);
      expect(res.body.name).to.equal('修订中的开放数据');
      await runCommand(t.knex, { actor: TEST_ACTOR }, (ctx) => resourceStepper(ctx, r.id, 'submit'));
      await runCommand(t.knex, { actor: TEST_ACTOR }, (ctx) => resourceStepper(ctx, r.id, 'approve'));
      await runCommand(t.knex, { actor: TEST_ACTOR }, (ctx) => resourceStepper(ctx, r.id, 'publish'));
      await request(t.app).get(`/api/v1/datasets/${enc(r.code)}`).expect(404);
    });
  });

  describe('GET /api/v1/datasets/:code/datapackage.json', () => {
    it('is a valid Tabular Data Package whose schema describes the items as published and whose paths are the downloads', async () => {
      const res = await request(t.app).get(`/api/v1/datasets/${enc(open.code)}/datapackage.json`).expect(200).expect('Content-Type', /application\/json/);
      const pkg = res.body;
      for (const [name, v] of [['tabular-data-package', validateTabular], ['data-package', validatePackage]] as const) {
        expect(v(pkg), `${name}: ${JSON.stringify(v.errors)}`).to.equal(true);
      }
      expect(validateTableSchema(pkg.resources[0].schema), JSON.stringify(validateTableSchema.errors)).to.equal(true);
      expect(pkg).to.include({ profile: 'tabular-data-package', name: open.code.replace('/', '-'), title: '企业开放登记信息' });
      expect(pkg.licenses).to.deep.equal([{ path: 'https://creativecommons.org/licenses/by/4.0/', title: '知识共享署名 4.0 国际许可协议（CC BY 4.0）', name: 'CC-BY-4.0' }]);
      const detail = (await request(t.app).get(`/api/v1/datasets/${enc(open.code)}`).expect(200)).body;
      expect(Object.fromEntries(pkg.resources.map((r: { format: string; path: string }) => [r.format, r.path]))).to.deep.equal(detail.links.downloads);
      const fields = pkg.resources[0].schema.fields;
      expect(fields.map((f: { name: string }) => f.name)).to.deep.equal(['credit_code', 'company_name', 'legal_person', 'mobile', 'capital', 'founded_on']);
      expect(fields.find((f: { name: string }) => f.name === 'mobile')).to.include({ type: 'string' });
      expect(fields.find((f: { name: string }) => f.name === 'capital')).to.include({ type: 'number' });
      expect(pkg.resources[0].schema.primaryKey).to.deep.equal(['credit_code']);
    });
  });

  describe('DCAT-AP 3.0.1: /catalog.ttl, /catalog.jsonld, /catalog', () => {
    it('serves Turtle with zero sh:Violation against both official shape files, describing only open datasets', async () => {
      const res = await request(t.app).get('/catalog.ttl').expect(200).expect('Content-Type', /text\/turtle/);
      const quads = new Parser().parse(res.text);
      expect(await shaclViolations(quads)).to.deep.equal([]);
      const ids = quads.filter((q) => q.predicate.value === 'http://purl.org/dc/terms/identifier' && q.subject.value.includes('/api/v1/datasets/')).map((q) => q.object.value);
      expect(ids).to.have.members([open.code, unloaded.code, other.code]);
      expect(res.text).to.include(`/api/v1/datasets/${enc(open.code)}/download?format=csv`);
      expect(res.text).not.to.include('inspector');
      expect(res.text).to.include('测试甲局');
    });

    it('serves JSON-LD (no remote context) with zero sh:Violation', async () => {
      const res = await request(t.app).get('/catalog.jsonld').expect(200).expect('Content-Type', /application\/ld\+json/);
      const doc = JSON.parse(res.text);
      const nquads = (await jsonld.toRDF(doc, {
        format: 'application/n-quads',
        documentLoader: (async (url: string) => {
          throw new Error(`remote document requested: ${url}`);
        }) as never,
      })) as unknown as string;
      const quads = new Parser({ format: 'N-Quads' }).parse(nquads);
      expect(quads.length).to.be.greaterThan(100);
      expect(await shaclViolations(quads)).to.deep.equal([]);
    });

    it('negotiates /catalog by Accept, and refuses what it cannot give with 406', async () => {
      const ttl = await request(t.app).get('/catalog').set('Accept', 'text/turtle').expect(200);
      expect(ttl.headers['content-type']).to.match(/^text\/turtle/);
      expect(ttl.headers.vary).to.match(/Accept/);
      const ld = await request(t.app).get('/catalog').set('Accept', 'application/ld+json').expect(200);
      expect(ld.headers['content-type']).to.match(/^application\/ld\+json/);
      expect(JSON.parse(ld.text)['@graph']).to.be.an('array');
      const dflt = await request(t.app).get('/catalog').expect(200);
      expect(dflt.headers['content-type']).to.match(/^application\/ld\+json/);
      const no = await request(t.app).get('/catalog').set('Accept', 'text/csv').expect(406);
      expect(no.body.error.details.available).to.deep.equal(['application/ld+json', 'text/turtle']);
    });
  });

  describe('publication check: personal data never opens unmasked', () => {
    it('refuses to publish an open resource with an unmasked personal item (422 naming it), and publishes it once its items are masked', async () => {
      const items = [
        { name: 'company_name', label: '企业名称', type: 'C', length: 200 },
        { name: 'owner_phone', label: '负责人手机', type: 'C', length: 11, sensitivity: 'sensitive' },
        { name: 'owner_id', label: '负责人身份证号', type: 'C', length: 18, sensitivity: 'sensitive' },
        { name: 'owner_name', label: '负责人姓名', type: 'C', length: 50, sensitivity: 'personal', mask: 'name' },
        { name: 'owner_home', label: '负责人住址', type: 'C', length: 200, sensitivity: 'sensitive', openType: 'closed' },
      ];
      const id = (await request(t.app).post('/api/v1/resources').set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc, { name: '含个人信息的资源', items })).expect(201)).body.id;
      await request(t.app).post(`/api/v1/resources/${id}/submit`).set(t.auth('registrar')).expect(200);
      await request(t.app).post(`/api/v1/resources/${id}/approve`).set(t.auth('officer')).expect(200);
      const refused = await request(t.app).post(`/api/v1/resources/${id}/publish`).set(t.auth('authority')).expect(422);
      expect(refused.body.error.message).to.include('负责人手机 (owner_phone)').and.include('负责人身份证号 (owner_id)');
      expect(refused.body.error.details.map((d: { path: string; item: string }) => [d.path, d.item])).to.deep.equal([
        ['/items/1/mask', 'owner_phone'],
        ['/items/2/mask', 'owner_id'],
      ]);
      expect((await t.knex('odx.resources').where({ id }).first()).status).to.equal('approved');

      // masked, it may open
      await request(t.app).post(`/api/v1/resources/${id}/return`).set(t.auth('officer')).send({ note: '请设置脱敏规则' }).expect(200);
      const masked = items.map((i) => (i.name === 'owner_phone' ? { ...i, mask: 'mobile' } : i.name === 'owner_id' ? { ...i, mask: 'id-card' } : i));
      await request(t.app).put(`/api/v1/resources/${id}`).set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc, { name: '含个人信息的资源', items: masked })).expect(200);
      await request(t.app).post(`/api/v1/resources/${id}/submit`).set(t.auth('registrar')).expect(200);
      await request(t.app).post(`/api/v1/resources/${id}/approve`).set(t.auth('officer')).expect(200);
      await request(t.app).post(`/api/v1/resources/${id}/publish`).set(t.auth('authority')).expect(200);
    });

    it('lets a resource that is not open publish with unmasked personal items (shared, never opened)', async () => {
      const items = [{ name: 'owner_phone', label: '负责人手机', type: 'C', length: 11, sensitivity: 'sensitive' }];
      const r = await publishedResource(t.knex, t.deptA.uscc, { name: '共享不开放', openType: 'closed', items });
      expect(r.status).to.equal('published');
    });
  });
});
