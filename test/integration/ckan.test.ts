/**
 * The CKAN-compatible Action API, checked against the request and response shapes CKAN documents
 * (docs.ckan.org, "API guide" and ckan.logic.action.get): the `{ help, success, result }` envelope,
 * the `{ help, success: false, error: { __type, message } }` error with CKAN's statuses, GET with
 * query parameters and POST with a JSON body alike.
 */
import { expect } from 'chai';
import request from 'supertest';
import { chainPending } from '../../server/src/audit/chain.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { resourceStepper } from '../../server/src/census/resources/lifecycle.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { TEST_ACTOR, makePrincipal, testApp, type TestApp } from '../helpers/app.ts';
import { loadCsv, publishedResource } from '../helpers/census.ts';

const ITEMS = [
  { name: 'credit_code', label: '统一社会信用代码', type: 'C', length: 18, required: true, key: true, check: 'uscc' },
  { name: 'company_name', label: '企业名称', type: 'C', length: 200, required: true },
  { name: 'legal_person', label: '法定代表人', type: 'C', length: 50, sensitivity: 'personal', mask: 'name' },
  { name: 'inspector', label: '检查人员', type: 'C', length: 50, sensitivity: 'internal', mask: 'drop' },
];

function csv(n: number) {
  let s = '统一社会信用代码,企业名称,法定代表人,检查人员\n';
  for (let i = 1; i <= n; i++) s += `${withUsccCheck(`91350200MA${String(4000000 + i).padStart(7, '0')}`)},滨海市网络科技有限公司${i},李${i}明,赵检查${i}\n`;
  return s;
}

describe('CKAN Action API (/api/3/action)', function () {
  this.timeout(120_000);
  let t: TestApp;
  let licences: Record<string, any>;
  let parking: Record<string, any>;
  let tourism: Record<string, any>;
  let closedCode: string;
  const base = () => t.services.config.publicBaseUrl;
  const get = (action: string, query: Record<string, unknown> = {}) => request(t.app).get(`/api/3/action/${action}`).query(query);
  const post = (action: string, body: unknown) => request(t.app).post(`/api/3/action/${action}`).send(body as object);

  before(async () => {
    t = await testApp();
    licences = await publishedResource(t.knex, t.deptA.uscc, { name: '网络企业登记信息', items: ITEMS, tags: ['营业执照', '市场主体'] });
    await loadCsv(t.knex, licences.id, csv(25));
    parking = await publishedResource(t.knex, t.deptA.uscc, { name: '公共停车场信息', domain: 'transport', tags: ['停车', '交通'],
      summary: '全市公共停车场名称和泊位数。', items: [{ name: 'lot', label: '停车场名称', type: 'C', length: 100 }, { name: 'spaces', label: '泊位数', type: 'I' }] });
    tourism = await publishedResource(t.knex, t.deptB.uscc, { name: '旅游景区信息', domain: 'culture_tourism', tags: ['旅游'],
      summary: 'A 级旅游景区名称和等级。', items: [{ name: 'spot', label: '景区名称', type: 'C', length: 100 }] });
    await loadCsv(t.knex, tourism.id, '景区名称\n鼓浪屿\n');
    closedCode = (await publishedResource(t.knex, t.deptA.uscc, { name: '不予开放的登记信息', openType: 'closed' })).code;
    const retired = await publishedResource(t.knex, t.deptA.uscc, { name: '已退役的开放数据' });
    await runCommand(t.knex, { actor: TEST_ACTOR }, (ctx) => resourceStepper(ctx, retired.id, 'retire'));
  });
  after(() => t.close());

  const slug = (code: string) => code.replace('/', '-');

  it('status_show: the envelope with help, success and result', async () => {
    const res = await get('status_show').expect(200).expect('Content-Type', /application\/json/);
    expect(res.body).to.have.keys(['help', 'success', 'result']);
    expect(res.body.help).to.equal(`${base()}/api/3/action/help_show?name=status_show`);
    expect(res.body.success).to.equal(true);
    expect(res.body.result).to.include({ site_url: base(), ckan_version: '2.10.0', locale_default: 'zh_Hans_CN' });
    expect(res.body.result.extensions).to.include('datastore');
    // CKAN also serves the Action API without the version
    expect((await request(t.app).get('/api/action/status_show').expect(200)).body.success).to.equal(true);
  });

  it('package_list: the names of open datasets only, with limit and offset', async () => {
    const res = await get('package_list').expect(200);
    expect(res.body.result).to.deep.equal([licences.code, parking.code, tourism.code].map(slug).sort());
    const page = await get('package_list', { limit: 1, offset: 1 }).expect(200);
    expect(page.body.result).to.deep.equal([[licences.code, parking.code, tourism.code].map(slug).sort()[1]]);
  });

  it('package_show: a dataset by id (the code) or name, mapped to a CKAN package', async () => {
    const byId = await get('package_show', { id: licences.code }).expect(200);
    const byName = await get('package_show', { id: slug(licences.code) }).expect(200);
    expect(byName.body.result).to.deep.equal(byId.body.result);
    const pkg = byId.body.result;
    expect(pkg).to.include({
      id: licences.code,
      name: slug(licences.code),
      title: '网络企业登记信息',
      type: 'dataset',
      state: 'active',
      private: false,
      isopen: true,
      license_id: 'cc-by',
      license_url: 'https://creativecommons.org/licenses/by/4.0/',
      owner_org: t.deptA.uscc,
      num_tags: 2,
      num_resources: 5,
    });
    expect(pkg.notes).to.be.a('string').and.not.equal('');
    expect(pkg.metadata_modified).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
    expect(pkg.organization).to.include({ id: t.deptA.uscc, name: t.deptA.uscc.toLowerCase(), title: '测试甲局', is_organization: true, type: 'organization' });
    expect(pkg.tags.map((x: { name: string }) => x.name)).to.deep.equal(['营业执照', '市场主体']);
    expect(pkg.groups.map((g: { name: string }) => g.name)).to.deep.equal(['market']);
    expect(pkg.resources.map((r: { format: string }) => r.format)).to.deep.equal(['CSV', 'NDJSON', 'JSON', 'Arrow', 'XLSX']);
    const csvRes = pkg.resources[0];
    expect(csvRes).to.include({ id: `${slug(licences.code)}-csv`, package_id: licences.code, mimetype: 'text/csv', datastore_active: true, position: 0 });
    expect(csvRes.url).to.equal(`${base()}/api/v1/datasets/${encodeURIComponent(licences.code)}/download?format=csv`);
    const extras = Object.fromEntries(pkg.extras.map((e: { key: string; value: string }) => [e.key, e.value]));
    expect(extras).to.include({ code: licences.code, update_cycle: 'daily', domain: 'market', data_rows: '25' });

    const unloaded = (await get('package_show', { id: parking.code }).expect(200)).body.result;
    expect(unloaded.resources).to.deep.equal([]);
  });

  it('package_show errors: Validation Error 409 without id, Not Found Error 404 for anything not open', async () => {
    const missing = await get('package_show').expect(409);
    expect(missing.body).to.deep.equal({ help: `${base()}/api/3/action/help_show?name=package_show`, success: false, error: { __type: 'Validation Error', message: 'id: Missing value', id: ['Missing value'] } });
    for (const id of [closedCode, 'no-such-dataset']) {
      const res = await get('package_show', { id }).expect(404);
      expect(res.body.success).to.equal(false);
      expect(res.body.error.__type).to.equal('Not Found Error');
      expect(res.body.error.message).to.match(/^Not found/);
    }
  });

  it('package_search: q, rows/start, count and results', async () => {
    const all = await get('package_search').expect(200);
    expect(all.body.result.count).to.equal(3);
    expect(all.body.result.results).to.have.length(3);
    expect(all.body.result).to.have.keys(['count', 'results', 'sort', 'facets', 'search_facets']);
    const text = await get('package_search', { q: '停车场' }).expect(200);
    expect(text.body.result.count).to.equal(1);
    expect(text.body.result.results[0].name).to.equal(slug(parking.code));
    const star = await get('package_search', { q: '*:*', rows: 2, start: 0, sort: 'name asc' }).expect(200);
    const rest = await get('package_search', { q: '*:*', rows: 2, start: 2, sort: 'name asc' }).expect(200);
    expect(star.body.result.count).to.equal(3);
    expect([...star.body.result.results, ...rest.body.result.results].map((p: { name: string }) => p.name)).to.deep.equal([licences.code, parking.code, tourism.code].map(slug).sort());
    const desc = await get('package_search', { sort: 'name desc', rows: 1 }).expect(200);
    expect(desc.body.result.results[0].name).to.equal([licences.code, parking.code, tourism.code].map(slug).sort()[2]);
    const none = await get('package_search', { rows: 0 }).expect(200);
    expect(none.body.result).to.include({ count: 3 });
    expect(none.body.result.results).to.deep.equal([]);
  });

  it('package_search: fq clauses on organization, tags, res_format, groups and metadata_modified ranges', async () => {
    const names = async (fq: string) => (await get('package_search', { fq }).expect(200)).body.result.results.map((p: { name: string }) => p.name).sort();
    expect(await names(`organization:${t.deptB.uscc.toLowerCase()}`)).to.deep.equal([slug(tourism.code)]);
    expect(await names(`owner_org:${t.deptA.uscc}`)).to.deep.equal([licences.code, parking.code].map(slug).sort());
    expect(await names('tags:停车')).to.deep.equal([slug(parking.code)]);
    expect(await names('tags:"市场主体" AND res_format:CSV')).to.deep.equal([slug(licences.code)]);
    expect(await names('res_format:CSV')).to.deep.equal([licences.code, tourism.code].map(slug).sort());
    expect(await names('-res_format:CSV')).to.deep.equal([slug(parking.code)]);
    expect(await names('groups:transport +dataset_type:dataset')).to.deep.equal([slug(parking.code)]);
    expect(await names('metadata_modified:[2000-01-01T00:00:00Z TO *]')).to.have.length(3);
    expect(await names(`metadata_modified:[${new Date(Date.now() + 3_600_000).toISOString()} TO *]`)).to.deep.equal([]);
    const inQ = await get('package_search', { q: 'tags:旅游' }).expect(200);
    expect(inQ.body.result.results.map((p: { name: string }) => p.name)).to.deep.equal([slug(tourism.code)]);
  });

  it('package_search: facet.field as a JSON list (GET) or a list (POST) gives facets and search_facets', async () => {
    const res = await get('package_search', { 'facet.field': JSON.stringify(['organization', 'tags', 'res_format', 'groups', 'license_id']), rows: 0 }).expect(200);
    const { facets, search_facets } = res.body.result;
    expect(facets.organization).to.deep.equal({ [t.deptA.uscc.toLowerCase()]: 2, [t.deptB.uscc.toLowerCase()]: 1 });
    expect(facets.tags).to.include({ 停车: 1, 营业执照: 1, 旅游: 1 });
    expect(facets.res_format).to.include({ CSV: 2, XLSX: 2 });
    expect(facets.groups).to.deep.equal({ market: 1, transport: 1, culture_tourism: 1 });
    expect(facets.license_id).to.deep.equal({ 'cc-by': 3 });
    expect(search_facets.organization.title).to.equal('organization');
    expect(search_facets.organization.items[0]).to.deep.equal({ name: t.deptA.uscc.toLowerCase(), display_name: '测试甲局', count: 2 });
    const posted = await post('package_search', { 'facet.field': ['tags'], 'facet.limit': 1, fq: 'organization:' + t.deptA.uscc, rows: 1 }).expect(200);
    expect(posted.body.result.count).to.equal(2);
    expect(posted.body.result.results).to.have.length(1);
    expect(Object.keys(posted.body.result.facets.tags)).to.have.length(1);
  });

  it('package_search errors: Search Query Error 400 for an unknown field or sort, Validation Error 409 for a bad number', async () => {
    const field = await get('package_search', { fq: 'secret_field:x' }).expect(400);
    expect(field.body.success).to.equal(false);
    expect(field.body.error.__type).to.equal('Search Query Error');
    expect(field.body.error.message).to.match(/^Search Query is invalid/);
    expect((await get('package_search', { sort: 'views_recent desc' }).expect(400)).body.error.__type).to.equal('Search Query Error');
    const rows = await get('package_search', { rows: 'many' }).expect(409);
    expect(rows.body.error).to.deep.include({ __type: 'Validation Error', rows: ['Invalid integer'] });
  });

  it('organization_list and organization_show', async () => {
    const names = await get('organization_list').expect(200);
    expect(names.body.result).to.include.members([t.deptA.uscc.toLowerCase(), t.deptB.uscc.toLowerCase()]);
    const full = await get('organization_list', { all_fields: 'true', sort: 'package_count desc', limit: 1 }).expect(200);
    expect(full.body.result).to.have.length(1);
    expect(full.body.result[0]).to.include({ id: t.deptA.uscc, title: '测试甲局', package_count: 2, is_organization: true });
    const shown = await get('organization_show', { id: t.deptB.uscc.toLowerCase(), include_datasets: 'true' }).expect(200);
    expect(shown.body.result).to.include({ id: t.deptB.uscc, name: t.deptB.uscc.toLowerCase(), title: '测试乙局', package_count: 1 });
    expect(shown.body.result.packages.map((p: { name: string }) => p.name)).to.deep.equal([slug(tourism.code)]);
    const byId = await get('organization_show', { id: String(t.deptA.id) }).expect(200);
    expect(byId.body.result).not.to.have.property('packages');
    expect((await get('organization_show', { id: 'nobody' }).expect(404)).body.error.__type).to.equal('Not Found Error');
    expect((await get('organization_show').expect(409)).body.error).to.deep.include({ __type: 'Validation Error', id: ['Missing value'] });
  });

  it('takes POST with a JSON body, a form, or a form whose key is the JSON (as CKAN does)', async () => {
    const json = await post('package_show', { id: licences.code }).expect(200);
    expect(json.body.result.name).to.equal(slug(licences.code));
    const form = await request(t.app).post('/api/3/action/package_show').type('form').send({ id: licences.code }).expect(200);
    expect(form.body.result.name).to.equal(slug(licences.code));
    const keyed = await request(t.app).post('/api/3/action/package_show').type('form').send(`${encodeURIComponent(JSON.stringify({ id: parking.code }))}=1`).expect(200);
    expect(keyed.body.result.name).to.equal(slug(parking.code));
  });

  it('answers an unknown action and malformed JSON with CKAN’s bare 400', async () => {
    const unknown = await get('package_delete').expect(400);
    expect(unknown.body).to.equal('Bad request - Action name not known: package_delete');
    const bad = await request(t.app).post('/api/3/action/package_show').set('Content-Type', 'application/json').send('{"id": ').expect(400);
    expect(bad.body).to.match(/^Bad request - JSON Error/);
    const list = await request(t.app).post('/api/3/action/package_show').set('Content-Type', 'application/json').send('[1]').expect(400);
    expect(list.body).to.match(/needs to be a dictionary/);
  });

  it('accepts a key the way CKAN clients send it: bare Authorization or X-CKAN-API-Key', async () => {
    const dev = await makePrincipal(t.knex, 'ckan.dev', null, ['developer']);
    await get('package_list').set('Authorization', dev.token).expect(200);
    await get('package_list').set('X-CKAN-API-Key', dev.token).expect(200);
    await get('package_list').set('Authorization', `Bearer ${dev.token}`).expect(200);
  });

  describe('datastore_search', () => {
    const rid = () => `${slug(licences.code)}-csv`;

    it('returns the rows masked as in every open output, with CKAN fields, total and _links', async () => {
      const res = await get('datastore_search', { resource_id: rid(), limit: 5 }).expect(200);
      expect(res.body.success).to.equal(true);
      const r = res.body.result;
      expect(r).to.include({ resource_id: rid(), limit: 5, offset: 0, total: 25, total_was_estimated: false, include_total: true, records_format: 'objects' });
      expect(r.fields.map((f: { id: string; type: string }) => [f.id, f.type])).to.deep.equal([
        ['credit_code', 'text'],
        ['company_name', 'text'],
        ['legal_person', 'text'],
      ]);
      expect(r.fields[2].info.label).to.equal('法定代表人');
      expect(r.records).to.have.length(5);
      expect(r.records[0]).to.deep.equal({ credit_code: withUsccCheck('91350200MA4000001'), company_name: '滨海市网络科技有限公司1', legal_person: '李**' });
      expect(JSON.stringify(r)).not.to.match(/赵检查|inspector/);
      expect(r._links.start).to.equal(`/api/3/action/datastore_search?resource_id=${encodeURIComponent(rid())}&limit=5`);
      expect(r._links.next).to.match(/offset=5/).and.match(/cursor=/);
    });

    it('accepts the package id or name as resource_id; 404 for unknown or empty resources', async () => {
      for (const id of [licences.code, slug(licences.code)]) expect((await get('datastore_search', { resource_id: id, limit: 1 }).expect(200)).body.result.total).to.equal(25);
      expect((await get('datastore_search', { resource_id: 'nothing-csv' }).expect(404)).body.error.__type).to.equal('Not Found Error');
      expect((await get('datastore_search', { resource_id: parking.code }).expect(404)).body.error.message).to.match(/no data/);
      expect((await get('datastore_search', { resource_id: closedCode }).expect(404)).body.success).to.equal(false);
      expect((await get('datastore_search').expect(409)).body.error).to.deep.include({ __type: 'Validation Error', resource_id: ['Missing value'] });
    });

    it('filters (values and lists), q per field, fields, sort, include_total', async () => {
      const one = await get('datastore_search', { resource_id: rid(), filters: JSON.stringify({ company_name: '滨海市网络科技有限公司3' }) }).expect(200);
      expect(one.body.result.records.map((x: { company_name: string }) => x.company_name)).to.deep.equal(['滨海市网络科技有限公司3']);
      expect(one.body.result.total).to.equal(1);
      const listed = await post('datastore_search', { resource_id: rid(), filters: { company_name: ['滨海市网络科技有限公司3', '滨海市网络科技有限公司4'] } }).expect(200);
      expect(listed.body.result.total).to.equal(2);
      const q = await get('datastore_search', { resource_id: rid(), q: JSON.stringify({ company_name: '公司1' }), limit: 100 }).expect(200);
      expect(q.body.result.total).to.equal(11);
      const sorted = await get('datastore_search', { resource_id: rid(), sort: 'credit_code desc', fields: 'credit_code,legal_person', limit: 1, include_total: 'false' }).expect(200);
      expect(sorted.body.result.records).to.deep.equal([{ credit_code: withUsccCheck('91350200MA4000025'), legal_person: '李***' }]);
      expect(sorted.body.result).not.to.have.property('total');
      const lists = await get('datastore_search', { resource_id: rid(), fields: 'company_name', limit: 2, records_format: 'lists' }).expect(200);
      expect(lists.body.result.records).to.deep.equal([['滨海市网络科技有限公司1'], ['滨海市网络科技有限公司2']]);
    });

    it('pages by offset, and by following _links.next (a keyset cursor), to the same rows', async () => {
      const all = (await get('datastore_search', { resource_id: rid(), limit: 100 }).expect(200)).body.result.records;
      const byOffset = (await get('datastore_search', { resource_id: rid(), limit: 10, offset: 20 }).expect(200)).body.result;
      expect(byOffset.records).to.deep.equal(all.slice(20));
      const seen: unknown[] = [];
      let link = `/api/3/action/datastore_search?resource_id=${encodeURIComponent(rid())}&limit=7`;
      for (let i = 0; i < 10; i++) {
        const page = (await request(t.app).get(link).expect(200)).body.result;
        if (!page.records.length) break;
        seen.push(...page.records);
        link = page._links.next;
      }
      expect(seen).to.deep.equal(all);
      const past = (await get('datastore_search', { resource_id: rid(), offset: 1000 }).expect(200)).body.result;
      expect(past.records).to.deep.equal([]);
      expect(past.total).to.equal(25);
    });

    it('answers bad parameters with Validation Error 409 naming them', async () => {
      const unknown = await get('datastore_search', { resource_id: rid(), filters: JSON.stringify({ nope: 1 }) }).expect(409);
      expect(unknown.body.error.__type).to.equal('Validation Error');
      expect(unknown.body.error.filters[0]).to.match(/nope/);
      const dropped = await get('datastore_search', { resource_id: rid(), fields: 'inspector' }).expect(409);
      expect(dropped.body.error.fields[0]).to.match(/inspector/);
      const masked = await get('datastore_search', { resource_id: rid(), filters: JSON.stringify({ legal_person: '李1明' }) }).expect(409);
      expect(masked.body.error.message).to.match(/masked/);
      const text = await get('datastore_search', { resource_id: rid(), q: '公司' }).expect(409);
      expect(text.body.error.q[0]).to.match(/per field/);
      expect((await get('datastore_search', { resource_id: rid(), limit: 20000 }).expect(409)).body.error.limit).to.be.an('array');
    });

    it('is audited like every read of data: who, which dataset, which filter, how many rows', async () => {
      await get('datastore_search', { resource_id: rid(), filters: JSON.stringify({ company_name: '滨海市网络科技有限公司7' }) }).expect(200);
      await chainPending(t.knex);
      const events = await t.knex('odx.audit_events').where({ action: 'dataset.datastore_search' }).orderBy('seq');
      const e = events.find((x: { detail: { filters: unknown[] } }) => JSON.stringify(x.detail.filters).includes('公司7'));
      expect(e, JSON.stringify(events)).to.not.equal(undefined);
      expect(e.detail).to.include({ code: licences.code, api: 'ckan' });
      expect(e).to.include({ actor: 'anonymous', rows: 1, target_id: String(licences.id) });
    });
  });

  it('help_show describes an action', async () => {
    const res = await get('help_show', { name: 'package_search' }).expect(200);
    expect(res.body.result).to.match(/fq/);
  });
});
