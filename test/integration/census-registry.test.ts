import { expect } from 'chai';
import request from '../helpers/request-en.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { documentCreator } from '../../server/src/census/documents/commands.ts';
import { resourceStepper } from '../../server/src/census/resources/lifecycle.ts';
import { TEST_ACTOR, testApp, type TestApp } from '../helpers/app.ts';
import { demandDoc, publishedResource, resourceDoc, systemDoc } from '../helpers/census.ts';
import { everyOf } from '../helpers/every.ts';

describe('census registry', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => (t = await testApp()));
  after(() => t.close());

  describe('resources (数据清单) and their lifecycle', () => {
    it('stores a valid entry as a versioned draft, with history and audit', async () => {
      const res = await request(t.app).post('/api/v1/resources').set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc)).expect(201);
      expect(res.body).to.include({ status: 'draft', version: 1, departmentId: t.deptA.id, code: null, published: null });
      const history = await request(t.app).get(`/api/v1/resources/${res.body.id}/history`).set(t.auth('officer')).expect(200);
      expect(history.body.items).to.have.length(1);
      expect(history.body.items[0]).to.include({ version: 1, action: 'create', status: 'draft', by: 'principal:a.registrar' });
      await chainPending(t.knex);
      const audit = await t.knex('odx.audit_events').where({ target_type: 'resource', target_id: String(res.body.id) });
      expect(audit.map((e: { action: string }) => e.action)).to.deep.equal(['resource.create']);
    });

    it('rejects a document that breaks the schema with every violation path in Chinese and English, storing nothing', async () => {
      const before = await t.knex('odx.resources').count<{ c: number }[]>('* as c');
      const bad = resourceDoc(t.deptA.uscc, { shareType: 'conditional', openType: 'sometimes', items: [{ name: 'Bad Name', label: '坏', type: 'Z' }] });
      const res = await request(t.app).post('/api/v1/resources').set(t.auth('registrar')).send(bad).expect(400);
      expect(res.body.error.code).to.equal('invalid_document');
      const paths = res.body.error.details.map((d: { path: string }) => d.path);
      expect(paths).to.include.members(['/shareCondition', '/openType', '/items/0/name', '/items/0/type']);
      for (const d of res.body.error.details) {
        expect(d.message).to.be.a('string').and.not.equal('');
        expect(d.messageZh).to.match(/[\u4e00-\u9fff]/);
      }
      expect(await t.knex('odx.resources').count<{ c: number }[]>('* as c')).to.deep.equal(before);
    });

    it('refuses an entry for another department (403) and an unknown classification (400, naming the field)', async () => {
      await request(t.app).post('/api/v1/resources').set(t.auth('registrar')).send(resourceDoc(t.deptB.uscc)).expect(403);
      const res = await request(t.app).post('/api/v1/resources').set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc, { category: '1999' })).expect(400);
      expect(res.body.error.details[0]).to.include({ path: '/category' });
    });

    it('answers a document without an owner, or with an unknown one, with 400 naming the field, not 403', async () => {
      for (const [kind, doc, field] of [
        ['systems', systemDoc(t.deptA.uscc), 'owner'],
        ['resources', resourceDoc(t.deptA.uscc), 'provider'],
        ['demands', demandDoc(t.deptA.uscc), 'requester'],
      ] as const) {
        const missing: Record<string, unknown> = { ...doc };
        delete missing[field];
        const res = await request(t.app).post(`/api/v1/${kind}`).set(t.auth('registrar')).send(missing).expect(400);
        expect(res.body.error.code).to.equal('invalid_document');
        expect(res.body.error.details[0]).to.include({ path: `/${field}` });
        expect(res.body.error.details[0].message).to.contain(`the owning department's code (${field}) is missing`);
        const unknown = await request(t.app).post(`/api/v1/${kind}`).set(t.auth('registrar')).send({ ...doc, [field]: '91350200MA2Y00000X' }).expect(400);
        expect(unknown.body.error.details[0]).to.include({ path: `/${field}` });
      }
    });

    it('walks draft -> submitted -> approved -> published -> retired with the right people, assigning the code on publication', async () => {
      const id = (await request(t.app).post('/api/v1/resources').set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc)).expect(201)).body.id;
      await request(t.app).post(`/api/v1/resources/${id}/approve`).set(t.auth('officer')).expect(409);
      await request(t.app).post(`/api/v1/resources/${id}/submit`).set(t.auth('registrar')).expect(200);
      await request(t.app).post(`/api/v1/resources/${id}/approve`).set(t.auth('registrar')).expect(403);
      await request(t.app).post(`/api/v1/resources/${id}/approve`).set(t.auth('officer', 'B')).expect(403);
      await request(t.app).post(`/api/v1/resources/${id}/approve`).set(t.auth('officer')).expect(200);
      await request(t.app).post(`/api/v1/resources/${id}/publish`).set(t.auth('officer')).expect(403);
      const published = await request(t.app).post(`/api/v1/resources/${id}/publish`).set(t.auth('authority')).expect(200);
      expect(published.body.status).to.equal('published');
      expect(published.body.code).to.match(/^102\/\d{6}$/);
      expect(published.body.published).to.include({ version: 1 });

      // a revision: the published version stays what other departments see
      const revised = await request(t.app).put(`/api/v1/resources/${id}`).set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc, { name: '企业营业执照信息（2027版）' })).expect(200);
      expect(revised.body).to.include({ status: 'draft', version: 2, code: published.body.code });
      const seenByB = await request(t.app).get(`/api/v1/resources/${id}`).set(t.auth('registrar', 'B')).expect(200);
      expect(seenByB.body.status).to.equal('published');
      expect(seenByB.body.published.doc.name).to.equal('企业营业执照信息');
      expect(seenByB.body).not.to.have.property('doc');
      for (const [step, who] of [['submit', 'registrar'], ['approve', 'officer']] as const) await request(t.app).post(`/api/v1/resources/${id}/${step}`).set(t.auth(who)).expect(200);
      const republished = await request(t.app).post(`/api/v1/resources/${id}/publish`).set(t.auth('authority')).expect(200);
      expect(republished.body.code, 'the code never changes').to.equal(published.body.code);
      expect(republished.body.published).to.include({ version: 2 });
      expect(republished.body.published.doc.name).to.equal('企业营业执照信息（2027版）');

      await request(t.app).post(`/api/v1/resources/${id}/retire`).set(t.auth('authority')).expect(200);
      const history = await request(t.app).get(`/api/v1/resources/${id}/history`).set(t.auth('authority')).expect(200);
      expect(history.body.items.map((h: { action: string }) => h.action)).to.deep.equal(['create', 'submit', 'approve', 'publish', 'revise', 'submit', 'approve', 'publish', 'retire']);
      expect(everyOf(history.body.items, (h: { by: string; at: string }) => Boolean(h.by && h.at))).to.equal(true);
    });

    it('requires a reason to return an entry to draft', async () => {
      const id = (await request(t.app).post('/api/v1/resources').set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc)).expect(201)).body.id;
      await request(t.app).post(`/api/v1/resources/${id}/submit`).set(t.auth('registrar')).expect(200);
      await request(t.app).post(`/api/v1/resources/${id}/return`).set(t.auth('officer')).send({}).expect(422);
      const back = await request(t.app).post(`/api/v1/resources/${id}/return`).set(t.auth('officer')).send({ note: '共享条件表述不清' }).expect(200);
      expect(back.body.status).to.equal('draft');
    });

    it('hides drafts from other departments but shows them to the authority', async () => {
      const id = (await request(t.app).post('/api/v1/resources').set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc, { name: '草稿资源甲' })).expect(201)).body.id;
      await request(t.app).get(`/api/v1/resources/${id}`).set(t.auth('registrar', 'B')).expect(404);
      await request(t.app).get(`/api/v1/resources/${id}`).set(t.auth('authority')).expect(200);
      const listB = await request(t.app).get('/api/v1/resources').query({ q: '草稿资源甲' }).set(t.auth('registrar', 'B')).expect(200);
      expect(listB.body.items).to.deep.equal([]);
      const listA = await request(t.app).get('/api/v1/resources').query({ q: '草稿资源甲' }).set(t.auth('registrar')).expect(200);
      expect(listA.body.items.map((r: { id: number }) => r.id)).to.deep.equal([id]);
    });

    it('refuses a stale edit (optimistic version check) and edits in non-editable states', async () => {
      const id = (await request(t.app).post('/api/v1/resources').set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc)).expect(201)).body.id;
      await request(t.app).put(`/api/v1/resources/${id}?version=1`).set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc, { summary: '第二版摘要，补充了数据来源说明。' })).expect(200);
      const stale = await request(t.app).put(`/api/v1/resources/${id}?version=1`).set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc)).expect(409);
      expect(stale.body.error.details).to.deep.equal({ currentVersion: 2 });
      await request(t.app).post(`/api/v1/resources/${id}/submit`).set(t.auth('registrar')).expect(200);
      await request(t.app).put(`/api/v1/resources/${id}`).set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc)).expect(409);
    });

    it('tells a stale edit (version_conflict: reload) from a step the state does not allow (state_conflict)', async () => {
      const id = (await request(t.app).post('/api/v1/resources').set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc)).expect(201)).body.id;
      await request(t.app).put(`/api/v1/resources/${id}?version=1`).set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc)).expect(200);
      const stale = await request(t.app).put(`/api/v1/resources/${id}?version=1`).set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc)).expect(409);
      expect(stale.body.error.code).to.equal('version_conflict');
      const early = await request(t.app).post(`/api/v1/resources/${id}/approve`).set(t.auth('officer')).expect(409);
      expect(early.body.error.code).to.equal('state_conflict');
      await request(t.app).post(`/api/v1/resources/${id}/submit`).set(t.auth('registrar')).expect(200);
      const locked = await request(t.app).put(`/api/v1/resources/${id}`).set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc)).expect(409);
      expect(locked.body.error.code).to.equal('state_conflict');
    });
  });

  describe('codes', () => {
    it('never repeats a sequence number, even when 20 entries of one class are published at once', async () => {
      const ids = await runCommand(t.knex, { actor: TEST_ACTOR }, async (ctx) => {
        const out: number[] = [];
        for (let i = 0; i < 20; i++) {
          const r = await documentCreator(ctx, 'resource', resourceDoc(t.deptA.uscc, { category: '213', name: `公交线路信息${i}`, domain: 'transport' }));
          await resourceStepper(ctx, r.id, 'submit');
          await resourceStepper(ctx, r.id, 'approve');
          out.push(r.id);
        }
        return out;
      });
      await Promise.all(ids.map((id) => request(t.app).post(`/api/v1/resources/${id}/publish`).set(t.auth('authority')).expect(200)));
      const codes = (await t.knex('odx.resources').whereIn('id', ids).pluck('code')) as string[];
      expect(new Set(codes).size).to.equal(20);
      const seqs = codes.map((c) => Number(c.split('/')[1])).sort((a, b) => a - b);
      expect(seqs).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(everyOf(codes, (c) => /^213\/\d{6}$/.test(c))).to.equal(true);
    });
  });

  describe('catalogue search', () => {
    before(async () => {
      await publishedResource(t.knex, t.deptA.uscc, { name: '企业营业执照信息', tags: ['证照'] });
      await publishedResource(t.knex, t.deptB.uscc, {
        name: '医疗机构执业许可信息',
        summary: '医疗机构执业登记信息，含机构名称、地址和诊疗科目。',
        category: '202',
        domain: 'health',
        items: [{ name: 'org_name', label: '机构名称', type: 'C', length: 100, required: true }],
        tags: ['医疗'],
      });
      await publishedResource(t.knex, t.deptB.uscc, {
        name: '公共自行车站点',
        summary: '站点位置与车桩数量；市场主体办理营业执照无关。',
        category: '213',
        domain: 'transport',
        updateCycle: 'realtime',
        items: [{ name: 'station', label: '站点名称', type: 'C', length: 100 }],
        tags: ['交通'],
      });
    });

    it('finds Chinese text without a segmentation dictionary', async () => {
      const names = async (q: string) =>
        (await request(t.app).get('/api/v1/resources').query({ q }).set(t.auth('consumer', 'B')).expect(200)).body.items.map((r: { name: string }) => r.name);
      expect(await names('执照')).to.include('企业营业执照信息');
      expect(await names('营业执照 企业')).to.include('企业营业执照信息');
      expect(await names('执照 医院')).to.deep.equal([]);
      expect(await names('执业许可')).to.deep.equal(['医疗机构执业许可信息']);
      expect(await names('诊疗科目'), 'summary text is searched').to.deep.equal(['医疗机构执业许可信息']);
      expect(await names('站点名称'), 'item labels are searched').to.deep.equal(['公共自行车站点']);
    });

    it('ranks a name match above a mention in the summary', async () => {
      const res = await request(t.app).get('/api/v1/resources').query({ q: '营业执照', limit: 100 }).set(t.auth('authority')).expect(200);
      const names = res.body.items.map((r: { name: string }) => r.name);
      expect(names.indexOf('企业营业执照信息')).to.be.lessThan(names.indexOf('公共自行车站点'));
      expect(res.body.items[0].score).to.be.greaterThan(res.body.items[res.body.items.length - 1].score);
    });

    it('counts facets over the filtered set and filters by them', async () => {
      const res = await request(t.app).get('/api/v1/resources').query({ q: '信息', limit: 100 }).set(t.auth('authority')).expect(200);
      const total = res.body.items.length;
      for (const facet of ['department', 'domain', 'shareType', 'openType', 'format', 'updateCycle']) {
        expect(res.body.facets[facet], facet).to.be.an('array');
      }
      const sum = res.body.facets.shareType.reduce((s: number, f: { count: number }) => s + f.count, 0);
      expect(sum).to.equal(total);
      const health = await request(t.app).get('/api/v1/resources').query({ domain: 'health' }).set(t.auth('authority')).expect(200);
      expect(health.body.items.map((r: { name: string }) => r.name)).to.deep.equal(['医疗机构执业许可信息']);
      expect(health.body.facets.domain).to.deep.equal([{ value: 'health', count: 1 }]);
    });

    it('pages with keyset cursors, ranked or not, without repeats or gaps', async () => {
      for (const q of [undefined, '信息']) {
        const all = (await request(t.app).get('/api/v1/resources').query({ ...(q ? { q } : {}), limit: 100 }).set(t.auth('authority')).expect(200)).body.items.map((r: { id: number }) => r.id);
        const paged: number[] = [];
        let cursor: string | null = null;
        do {
          const page: request.Response = await request(t.app).get('/api/v1/resources').query({ ...(q ? { q } : {}), limit: 2, facets: 'false', ...(cursor ? { cursor } : {}) }).set(t.auth('authority')).expect(200);
          paged.push(...page.body.items.map((r: { id: number }) => r.id));
          cursor = page.body.next;
        } while (cursor);
        expect(paged, `q=${q}`).to.deep.equal(all);
      }
      const bad = await request(t.app).get('/api/v1/resources').query({ cursor: 'garbage' }).set(t.auth('authority')).expect(400);
      expect(bad.body.error.details[0].path).to.equal('/cursor');
    });
  });

  describe('systems (系统清单)', () => {
    it('creates, versions and scopes systems', async () => {
      const created = await request(t.app).post('/api/v1/systems').set(t.auth('registrar')).send(systemDoc(t.deptA.uscc)).expect(201);
      expect(created.body).to.include({ version: 1, status: 'active', name: '企业登记注册系统' });
      await request(t.app).put(`/api/v1/systems/${created.body.id}`).set(t.auth('officer')).send(systemDoc(t.deptA.uscc, { storageGb: 512 })).expect(200);
      const history = await request(t.app).get(`/api/v1/systems/${created.body.id}/history`).set(t.auth('registrar')).expect(200);
      expect(history.body.items.map((h: { version: number; by: string }) => [h.version, h.by])).to.deep.equal([[1, 'principal:a.registrar'], [2, 'principal:a.officer']]);
      await request(t.app).get(`/api/v1/systems/${created.body.id}`).set(t.auth('registrar', 'B')).expect(403);
      const listB = await request(t.app).get('/api/v1/systems').set(t.auth('registrar', 'B')).expect(200);
      expect(listB.body.items.map((s: { id: number }) => s.id)).not.to.include(created.body.id);
      const bad = await request(t.app).post('/api/v1/systems').set(t.auth('registrar')).send(systemDoc(t.deptA.uscc, { buildStatus: 'built', launchedAt: undefined, protectionLevel: 7 })).expect(400);
      expect(bad.body.error.details.map((d: { path: string }) => d.path)).to.include.members(['/launchedAt', '/protectionLevel']);
    });

    it('lets a resource name only its own department’s system as its source', async () => {
      const own = (await request(t.app).post('/api/v1/systems').set(t.auth('registrar')).send(systemDoc(t.deptA.uscc)).expect(201)).body.id;
      const other = (await request(t.app).post('/api/v1/systems').set(t.auth('registrar', 'B')).send(systemDoc(t.deptB.uscc)).expect(201)).body.id;
      await request(t.app).post('/api/v1/resources').set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc, { sourceSystem: own })).expect(201);
      const res = await request(t.app).post('/api/v1/resources').set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc, { sourceSystem: other })).expect(400);
      expect(res.body.error.details[0].path).to.equal('/sourceSystem');
    });
  });

  describe('demands (需求清单) and matching', () => {
    it('suggests the resource that covers the demand best, links it, and timestamps each transition', async () => {
      const demand = await request(t.app).post('/api/v1/demands').set(t.auth('registrar', 'B')).send(demandDoc(t.deptB.uscc)).expect(201);
      expect(demand.body.status).to.equal('open');
      const matches = await request(t.app).get(`/api/v1/demands/${demand.body.id}/matches`).set(t.auth('registrar', 'B')).expect(200);
      const top = matches.body.items[0];
      expect(top.name).to.equal('企业营业执照信息');
      expect(top.items.find((i: { wanted: string }) => i.wanted === '法定代表人')).to.include({ matched: '法定代表人', coverage: 1 });
      expect(top.score).to.be.greaterThan(matches.body.items[1]?.score ?? 0);
      const linked = await request(t.app).post(`/api/v1/demands/${demand.body.id}/links`).set(t.auth('registrar', 'B')).send({ resourceId: top.resourceId }).expect(200);
      expect(linked.body).to.include({ status: 'matched' });
      expect(linked.body.links).to.deep.equal([top.resourceId]);
      expect(new Date(linked.body.matchedAt).getTime()).to.be.closeTo(Date.now(), 60_000);
    });

    it('closes a demand as unfulfillable only with a reason', async () => {
      const demand = await request(t.app).post('/api/v1/demands').set(t.auth('registrar', 'B')).send(demandDoc(t.deptB.uscc, { name: '卫星遥感影像' })).expect(201);
      await request(t.app).post(`/api/v1/demands/${demand.body.id}/unfulfillable`).set(t.auth('registrar', 'B')).send({}).expect(400);
      const closed = await request(t.app).post(`/api/v1/demands/${demand.body.id}/unfulfillable`).set(t.auth('authority')).send({ reason: '本市无此数据，需向省级部门申请' }).expect(200);
      expect(closed.body).to.include({ status: 'unfulfillable', reason: '本市无此数据，需向省级部门申请' });
      expect(closed.body.unfulfillableAt).to.be.a('string');
      await request(t.app).post(`/api/v1/demands/${demand.body.id}/links`).set(t.auth('registrar', 'B')).send({ resourceId: 1 }).expect(409);
    });
  });
});
