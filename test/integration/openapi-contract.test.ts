import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import request from '../helpers/request-en.ts';
import { bundledSchemaOf } from '../../server/src/schemas/catalog.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { demandDoc, licenceCsv, loadCsv, publishedResource, resourceDoc, systemDoc } from '../helpers/census.ts';
import { shareDoc, systemOf } from '../helpers/sharing.ts';
import { applicationDoc, conditionalResource } from '../helpers/open-applications.ts';

type Doc = Record<string, any>;

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

describe('the API contract (/openapi.json)', function () {
  this.timeout(120_000);
  let t: TestApp;
  let doc: Doc;
  let ajv: Ajv2020;

  before(async () => {
    t = await testApp();
    doc = (await request(t.app).get('/openapi.json').expect(200)).body;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema(doc, 'openapi');
  });
  after(() => t.close());

  const operations = () =>
    Object.entries<Record<string, Doc>>(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));

  it('names every operation with a unique camelCase operationId', () => {
    const ids = operations().map(({ path, method, op }) => op.operationId ?? `(none on ${method.toUpperCase()} ${path})`);
    expect(ids.filter((id) => !/^[a-z][a-zA-Z0-9]*$/.test(id)), 'not camelCase').to.deep.equal([]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i), 'used twice').to.deep.equal([]);
    expect(ids).to.have.length(t.routes.length);
  });

  it('states the success response of every operation: a schema for JSON, the media types of files', () => {
    const missing: string[] = [];
    for (const { path, method, op } of operations()) {
      const found = Object.entries<Doc>(op.responses).find(([s]) => /^[23]/.test(s));
      if (!found) {
        missing.push(`${method.toUpperCase()} ${path}: no success response`);
        continue;
      }
      const [status, success] = found;
      // a redirect (single sign-on) or a 204 carries no body
      if (status === '204' || status.startsWith('3')) continue;
      const content = success.content as Record<string, Doc> | undefined;
      if (!content || Object.keys(content).length === 0 || Object.values(content).some((c) => !c.schema)) missing.push(`${method.toUpperCase()} ${path} ${status}`);
    }
    expect(missing).to.deep.equal([]);
    expect(doc.paths['/api/v1/census/ledger'].get.responses['200'].content).to.have.keys('application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  });

  it('describes the bodies of systems, resources, demands and share requests with their catalog-schemas/ JSON Schemas', () => {
    const bodyRef = (path: string, method: string) => doc.paths[path][method].requestBody.content['application/json'].schema.$ref;
    const expected = {
      '/api/v1/systems': 'InformationSystem',
      '/api/v1/resources': 'DataResource',
      '/api/v1/demands': 'DataDemand',
      '/api/v1/share-requests': 'ShareRequest',
      '/api/v1/open-applications': 'OpenApplication',
    };
    for (const [path, name] of Object.entries(expected)) {
      expect(bodyRef(path, 'post'), path).to.equal(`#/components/schemas/${name}`);
      if (path !== '/api/v1/share-requests' && path !== '/api/v1/open-applications') expect(bodyRef(`${path}/{id}`, 'put'), path).to.equal(`#/components/schemas/${name}`);
    }
    const resource = doc.components.schemas.DataResource;
    expect(Object.keys(resource.properties)).to.deep.equal(Object.keys(bundledSchemaOf('resource').properties as Doc));
    expect(resource.required).to.deep.equal(bundledSchemaOf('resource').required);
    // the items' own schema is a named component, reached by reference
    expect(JSON.stringify(resource.properties.items)).to.contain('#/components/schemas/CatalogItem');
    expect(doc.components.schemas.CatalogItem.properties).to.include.keys('name', 'type');
  });

  it('carries the field descriptions written in the schema.ts files', () => {
    expect(doc.components.schemas.AuditEvent.properties.prevHash.description).to.equal('hex hash of the previous event (SHA-256, or SM3 in the 国密 suite)');
    expect(doc.components.schemas.Load.description).to.match(/A load of a data extract/);
    const department = doc.paths['/api/v1/datasets'].get.parameters.find((p: Doc) => p.name === 'department');
    expect(department.description).to.equal('a department id or its 统一社会信用代码');
    const cursor = doc.paths['/api/v1/audit'].get.parameters.find((p: Doc) => p.name === 'cursor');
    expect(cursor.description).to.match(/next/);
  });

  it('lints under Redocly’s recommended rules with no error and no missing operationId', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
    const serious = problems.filter((p) => p.severity === 'error' || p.ruleId.includes('operationId'));
    expect(serious.map((p) => `${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer ?? ''}`)).to.deep.equal([]);
  });

  describe('real answers match the response schemas', () => {
    const checked = new Set<string>();
    /** Calls the route and validates its JSON body against the operation's success schema. */
    async function conforms(method: 'get' | 'post' | 'put', url: string, template: string, opts: { auth?: { Authorization: string }; body?: unknown; status?: number } = {}) {
      let call = request(t.app)[method](url);
      if (opts.auth) call = call.set(opts.auth);
      const res = opts.body === undefined ? await call : await call.send(opts.body as object);
      expect(res.status, `${method.toUpperCase()} ${url}: ${res.text.slice(0, 300)}`).to.equal(opts.status ?? (method === 'post' ? 201 : 200));
      const op = doc.paths[template][method];
      const pointer = `openapi#/paths/${escapePointer(template)}/${method}/responses/${res.status}/content/application~1json/schema`;
      const validate = ajv.getSchema(pointer);
      expect(validate, `schema of ${op.operationId}`).to.be.a('function');
      const ok = validate!(res.body);
      expect(ok, `${op.operationId}: ${JSON.stringify(validate!.errors?.slice(0, 3))}`).to.equal(true);
      checked.add(op.operationId);
      return res.body as Doc;
    }

    it('for the registry, accounts, audit and catalogue reads and writes', async () => {
      const admin = t.auth('admin');
      const registrar = t.auth('registrar');
      const officer = t.auth('officer');
      await conforms('get', '/healthz', '/healthz');
      await conforms('get', '/readyz', '/readyz');
      await conforms('get', '/api/v1/me', '/api/v1/me', { auth: registrar });
      await conforms('get', '/api/v1/departments', '/api/v1/departments');
      await conforms('get', `/api/v1/departments/${t.deptA.id}`, '/api/v1/departments/{id}');
      await conforms('get', '/api/v1/principals', '/api/v1/principals', { auth: admin });
      await conforms('get', '/api/v1/tokens', '/api/v1/tokens', { auth: admin });
      const token = await conforms('post', '/api/v1/tokens', '/api/v1/tokens', { auth: registrar, body: { name: 'contract', expiresInDays: 5 } });
      await conforms('post', `/api/v1/tokens/${token.id}/revoke`, '/api/v1/tokens/{id}/revoke', { auth: registrar, status: 200 });
      await conforms('get', '/api/v1/classifications', '/api/v1/classifications');

      const system = await conforms('post', '/api/v1/systems', '/api/v1/systems', { auth: registrar, body: systemDoc(t.deptA.uscc) });
      await conforms('get', '/api/v1/systems', '/api/v1/systems', { auth: registrar });
      await conforms('get', `/api/v1/systems/${system.id}/history`, '/api/v1/systems/{id}/history', { auth: registrar });
      const draft = await conforms('post', '/api/v1/resources', '/api/v1/resources', { auth: registrar, body: resourceDoc(t.deptA.uscc, { name: '契约测试资源' }) });
      await conforms('post', `/api/v1/resources/${draft.id}/submit`, '/api/v1/resources/{id}/submit', { auth: registrar, body: {}, status: 200 });
      await conforms('post', `/api/v1/resources/${draft.id}/approve`, '/api/v1/resources/{id}/approve', { auth: officer, body: {}, status: 200 });
      const published = await publishedResource(t.knex, t.deptA.uscc, { name: '企业登记信息' });
      await loadCsv(t.knex, published.id, licenceCsv(1, 5));
      await conforms('get', '/api/v1/resources?q=企业', '/api/v1/resources', { auth: registrar });
      await conforms('get', `/api/v1/resources/${published.id}`, '/api/v1/resources/{id}', { auth: t.auth('consumer', 'B') });
      await conforms('get', `/api/v1/resources/${published.id}/history`, '/api/v1/resources/{id}/history', { auth: registrar });
      await conforms('get', `/api/v1/resources/${published.id}/loads`, '/api/v1/resources/{ref}/loads', { auth: registrar });
      await conforms('get', `/api/v1/resources/${published.id}/versions`, '/api/v1/resources/{ref}/versions', { auth: registrar });
      const demand = await conforms('post', '/api/v1/demands', '/api/v1/demands', { auth: t.auth('registrar', 'B'), body: demandDoc(t.deptB.uscc) });
      await conforms('get', `/api/v1/demands/${demand.id}/matches`, '/api/v1/demands/{id}/matches', { auth: t.auth('registrar', 'B') });
      await conforms('post', `/api/v1/demands/${demand.id}/links`, '/api/v1/demands/{id}/links', { auth: t.auth('registrar', 'B'), body: { resourceId: published.id }, status: 200 });
      await conforms('get', '/api/v1/census/ledger', '/api/v1/census/ledger', { auth: admin });

      const consumerSystem = await systemOf(t.knex, t.deptB);
      const asked = await conforms('post', '/api/v1/share-requests', '/api/v1/share-requests', {
        auth: t.auth('registrar', 'B'),
        body: shareDoc(published.code, { consumerSystem }),
      });
      await conforms('get', `/api/v1/share-requests/${asked.id}`, '/api/v1/share-requests/{id}', { auth: t.auth('officer') });
      await conforms('get', '/api/v1/share-requests', '/api/v1/share-requests', { auth: t.auth('officer', 'B') });
      await conforms('get', '/api/v1/grants', '/api/v1/grants', { auth: t.auth('officer', 'B') });

      const conditional = await conditionalResource(t.knex, t.deptA.uscc, { name: '契约测试有条件开放资源' });
      await conforms('get', '/api/v1/conditional-datasets', '/api/v1/conditional-datasets');
      await conforms('get', `/api/v1/conditional-datasets/${encodeURIComponent(conditional.code)}`, '/api/v1/conditional-datasets/{code}');
      const applied = await conforms('post', '/api/v1/open-applications', '/api/v1/open-applications', { auth: t.auth('developer'), body: applicationDoc(conditional.code) });
      await conforms('post', `/api/v1/open-applications/${applied.id}/approve`, '/api/v1/open-applications/{id}/approve', { auth: officer, body: { items: ['credit_code'] }, status: 200 });
      await conforms('get', `/api/v1/open-applications/${applied.id}`, '/api/v1/open-applications/{id}', { auth: t.auth('developer') });
      await conforms('get', '/api/v1/open-applications', '/api/v1/open-applications', { auth: officer });
      await conforms('get', '/api/v1/grants', '/api/v1/grants', { auth: officer });

      await conforms('get', '/api/v1/audit?limit=50', '/api/v1/audit', { auth: admin });
      await conforms('get', '/api/v1/audit/head', '/api/v1/audit/head', { auth: admin });
      await conforms('get', '/api/v1/schemas/resource', '/api/v1/schemas/{name}');
      await conforms('get', '/api/v1/datasets', '/api/v1/datasets');
      await conforms('get', `/api/v1/datasets/${encodeURIComponent(published.code)}`, '/api/v1/datasets/{code}');
      await conforms('get', `/api/v1/datasets/${encodeURIComponent(published.code)}/rows?limit=2`, '/api/v1/datasets/{code}/rows');
      await conforms('get', '/api/3/action/package_list', '/api/3/action/{action}');
      await conforms(
        'post',
        '/api/v1/developer/accounts',
        '/api/v1/developer/accounts',
        { body: { email: 'contract@example.org' } },
      );
      expect(checked.size).to.be.at.least(35);
    });
  });
});

describe('GET /api/v1/schemas/:name', () => {
  let t: TestApp;
  before(async () => (t = await testApp()));
  after(() => t.close());

  it('serves each census document’s JSON Schema, self-contained, to anyone', async () => {
    for (const name of ['department', 'system', 'resource', 'demand', 'share-request', 'open-application'] as const) {
      const res = await request(t.app).get(`/api/v1/schemas/${name}`).expect(200);
      expect(res.headers['content-type']).to.match(/^application\/json/);
      expect(res.body).to.deep.equal(bundledSchemaOf(name));
      expect(res.body.$schema).to.equal('https://json-schema.org/draft/2020-12/schema');
      expect(JSON.stringify(res.body)).to.not.contain('common.schema.json#');
    }
  });

  it('answers 404 naming the schemas there are for an unknown name', async () => {
    const res = await request(t.app).get('/api/v1/schemas/nope').expect(404);
    expect(res.body.error.code).to.equal('not_found');
    expect(res.body.error.message).to.contain('nope').and.contain('resource').and.contain('share-request');
  });
});
