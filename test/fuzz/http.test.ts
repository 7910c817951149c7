/**
 * The HTTP API on random input: row queries (filters, sorts, cursors, fields) on open and shared
 * data, CKAN parameters and census documents. Properties: never a 500; an open dataset's masked
 * column never shows its raw value; a grant holder never sees an item, a row or a raw value
 * beyond the grant; what castProblem accepts PostgreSQL casts.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import request from 'supertest';
import { castProblem } from '../../server/src/data/row-conditions.ts';
import { encodeCursor } from '../../server/src/lib/cursor.ts';
import { resetRateLimits } from '../../server/src/sharing/grant-rate.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { licenceCsv, loadCsv, publishedResource, systemDoc } from '../helpers/census.ts';
import { requestBetween, systemOf } from '../helpers/sharing.ts';
import { fuzz, nasty } from './runs.ts';

const code = (i: number) => withUsccCheck(`91350200MA${String(1000000 + i).padStart(7, '0')}`);
const COLUMNS = ['credit_code', 'company_name', 'legal_person', 'capital', 'founded_on', 'nope'];
const OPS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'contains', 'isnull', 'like'];
const PURPOSE = encodeURIComponent('企业开办审批核验营业执照');

/** A random row query: some filters, a sort, fields, a limit and maybe a cursor, each part possibly nonsense. */
const rowQuery = fc.record(
  {
    filters: fc.array(fc.tuple(fc.constantFrom(...COLUMNS), fc.constantFrom(...OPS), fc.oneof(nasty, fc.constantFrom(code(1), '10.50', '2021-03-02', 'true', `${code(1)},${code(2)}`))), { maxLength: 3 }),
    sort: fc.array(fc.tuple(fc.constantFrom(...COLUMNS), fc.boolean()), { maxLength: 3 }),
    fields: fc.option(fc.subarray(COLUMNS, { minLength: 1 })),
    limit: fc.option(fc.oneof(fc.integer({ min: -5, max: 20_000 }).map(String), nasty)),
    cursor: fc.option(fc.oneof(nasty, fc.array(fc.oneof(nasty, fc.constant('(0,1)')), { minLength: 1, maxLength: 3 }).map((k) => encodeCursor(k)))),
  },
  { requiredKeys: ['filters', 'sort'] },
);

type RowQuery = typeof rowQuery extends fc.Arbitrary<infer T> ? T : never;

function toQuery(q: RowQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [c, op, v] of q.filters) out[`filter[${c}][${op}]`] = v;
  if (q.sort.length) out.sort = q.sort.map(([c, d]) => (d ? `-${c}` : c)).join(',');
  if (q.fields) out.fields = q.fields.join(',');
  if (q.limit !== null && q.limit !== undefined) out.limit = q.limit;
  if (q.cursor !== null && q.cursor !== undefined) out.cursor = q.cursor;
  return out;
}

describe('fuzz: the HTTP API', function () {
  this.timeout(120_000);
  let t: TestApp;
  let open: Record<string, any>;
  let shared: Record<string, any>;
  let cred: { Authorization: string };
  const granted = [code(1), code(2), code(3)];

  before(async () => {
    t = await testApp();
    open = await publishedResource(t.knex, t.deptA.uscc, { name: '开放模糊测试' });
    await loadCsv(t.knex, open.id, licenceCsv(1, 30));
    const sys = await systemOf(t.knex, t.deptA);
    const created = await request(t.app).post('/api/v1/consumer-credentials').set(t.auth('officer')).send({ systemId: sys, login: 'a.sys.fuzz' }).expect(201);
    cred = { Authorization: `Bearer ${created.body.token.secret}` };
    const walked = await requestBetween(t.knex, t.deptA, t.deptB, { to: 'provider_review', doc: { items: ['credit_code', 'company_name', 'legal_person'] } });
    shared = walked.resource;
    await loadCsv(t.knex, shared.id, licenceCsv(1, 30));
    await request(t.app).post(`/api/v1/share-requests/${walked.request.id}/approve`).set(t.auth('officer', 'B'))
      .send({ rowFilter: [{ column: 'credit_code', op: 'in', value: granted }], rateLimit: 60 }).then((r) => expect(r.status, JSON.stringify(r.body)).to.equal(200));
  });
  after(() => t.close());

  it('open row queries: never a 500, the masked legal_person never raw', async () => {
    await fc.assert(
      fc.asyncProperty(rowQuery, async (q) => {
        const res = await request(t.app).get(`/api/v1/datasets/${encodeURIComponent(open.code)}/rows`).query(toQuery(q));
        expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 400, 403]);
        if (res.status === 200) for (const row of res.body.items) if (row.legal_person) expect(row.legal_person).to.match(/^张\*+$/);
      }),
      fuzz(150),
    );
  });

  it('shared row queries: never a 500, never an item, a row or a raw value beyond the grant', async () => {
    await fc.assert(
      fc.asyncProperty(rowQuery, async (q) => {
        await resetRateLimits(t.knex);
        const res = await request(t.app).get(`/api/v1/shared/${encodeURIComponent(shared.code)}/rows`).query(toQuery(q)).set(cred).set('X-ODX-Purpose', PURPOSE);
        expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 400, 403]);
        if (res.status !== 200) return;
        for (const row of res.body.items) {
          for (const k of Object.keys(row)) expect(['credit_code', 'company_name', 'legal_person']).to.include(k);
          if (row.credit_code) expect(granted).to.include(row.credit_code);
          if (row.legal_person) expect(row.legal_person).to.match(/^张\*+$/);
        }
      }),
      fuzz(150),
    );
  });

  it('CKAN package_search and datastore_search parameters: never a 500', async () => {
    const param = fc.dictionary(fc.constantFrom('q', 'fq', 'fq_list', 'rows', 'start', 'sort', 'facet.field', 'facet.limit', 'filters', 'fields', 'limit', 'offset', 'resource_id'), fc.oneof(nasty, fc.constantFrom('tags:营业执照', 'organization:x', 'metadata_modified:[2020-01-01 TO *]', '["tags","tags"]', '{"credit_code":"x"}', open.code)), { maxKeys: 5 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('package_search', 'datastore_search', 'organization_list', 'package_show'), param, fc.boolean(), async (action, p, post) => {
        const res = post ? await request(t.app).post(`/api/3/action/${action}`).send(p) : await request(t.app).get(`/api/3/action/${action}`).query(p);
        expect(res.status, JSON.stringify(res.body)).to.be.below(500);
      }),
      fuzz(150),
    );
  });

  it('found by this fuzzing: a CKAN sort named after an Object property is refused, not a 500', async () => {
    for (const sort of ['constructor', 'toString desc', '__proto__']) {
      const res = await request(t.app).get('/api/3/action/package_search').query({ sort });
      expect(res.status, sort).to.equal(400);
      expect(res.body.error.__type).to.equal('Search Query Error');
    }
    expect((await request(t.app).get('/api/3/action/organization_list').query({ sort: 'constructor' })).status).to.equal(409);
  });

  it('census documents: random fields are a 400/422 or a stored document, never a 500', async () => {
    const value = fc.oneof(nasty, fc.integer(), fc.boolean(), fc.constant(null), fc.array(nasty, { maxLength: 3 }), fc.dictionary(nasty, nasty, { maxKeys: 3 }));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('name', 'owner', 'contact', 'description', 'buildStatus', 'launchedAt', 'scope', 'network', 'extra'), value, { maxKeys: 4 }), async (over) => {
        const res = await request(t.app).post('/api/v1/systems').set(t.auth('registrar')).send(systemDoc(t.deptA.uscc, over));
        expect(res.status, JSON.stringify(res.body)).to.be.oneOf([201, 400, 403, 409, 422]);
      }),
      fuzz(60),
    );
  });

  it('what castProblem accepts, PostgreSQL casts', async () => {
    const casts = ['numeric(18,2)', 'numeric', 'integer', 'bigint', 'double precision', 'date', 'timestamptz', 'boolean', 'tid', 'bytea'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...casts), fc.oneof(nasty, fc.bigInt().map(String), fc.double().map(String), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())), async (cast, v) => {
        if (castProblem(cast, v) !== null) return;
        await t.knex.raw(`select ?::${cast}`, [v]);
      }),
      fuzz(300),
    );
  });
});
