import { Writable } from 'node:stream';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import pino from 'pino';
import request from 'supertest';
import { chainPending } from '../../server/src/audit/chain.ts';
import { documentCreator } from '../../server/src/census/documents/commands.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { executeLoad, loadCreator } from '../../server/src/loads/service.ts';
import { VALUE_ROUTES } from '../../server/src/policies/value-outputs.ts';
import { TEST_ACTOR, testApp, type TestApp } from '../helpers/app.ts';
import { demandDoc, publishedResource } from '../helpers/census.ts';
import { requestCreator } from '../../server/src/sharing/requests.ts';
import { snapshotMonth } from '../../server/src/governance/snapshots.ts';
import { runAlertChecks } from '../../server/src/governance/schedule.ts';
import { binary } from '../helpers/binary.ts';
import { shanghaiDay } from '../../server/src/governance/period.ts';
import { NOT_SHARED, POLICY, requestBetween, shareDoc, systemOf } from '../helpers/sharing.ts';
import { applicationOf } from '../helpers/open-applications.ts';
import { ensureWebBuild } from '../helpers/browser.ts';

/**
 * Every output that can carry a value from a data table, against every kind of caller. Department B
 * holds three resources — not shared, shared with A under a grant (two items, two rows, one item
 * masked), and open (one item masked) — loaded with values that appear nowhere else. Every route of
 * the route table is called as each caller, and every answer is searched for those values.
 */

const KINDS = ['closed', 'shared', 'open'] as const;
type Kind = (typeof KINDS)[number];
const TAG: Record<Kind, string> = { closed: '闭', shared: '享', open: '开' };
const HEADER = '统一社会信用代码,企业名称,法定代表人,注册资本（万元）,成立日期\n';
const ROWS = [1, 2, 3, 4];

interface Canary {
  value: string;
  kind: Kind;
  item: 'credit_code' | 'company_name' | 'legal_person' | 'capital' | 'founded_on' | 'rejected';
  row: number;
}

function rowValues(kind: Kind, i: number) {
  const k = KINDS.indexOf(kind) + 1;
  return {
    credit_code: withUsccCheck(`91350200MA${k}${String(i).padStart(6, '0')}`),
    company_name: `金丝雀${TAG[kind]}企业${i}号`,
    legal_person: `欧阳${TAG[kind]}${'零一二三四'[i]}`,
    capital: `${80000 + k * 1000 + i}.37`,
    founded_on: `19${60 + k}-0${i}-1${i}`,
  };
}

function csvOf(kind: Kind): string {
  return HEADER + ROWS.map((i) => Object.values(rowValues(kind, i)).join(',') + '\n').join('');
}

const CANARIES: Canary[] = KINDS.flatMap((kind) =>
  ROWS.flatMap((row) => Object.entries(rowValues(kind, row)).map(([item, value]) => ({ value, kind, item: item as Canary['item'], row }))),
);
// a cell of a load of the closed resource that failed its check: it lives only among the load's rejects
const REJECTED: Canary = { value: '1961-13-45', kind: 'closed', item: 'rejected', row: 0 };
CANARIES.push(REJECTED);

type CallerName = 'anonymous' | 'registrar of A' | 'officer of A' | 'authority' | 'admin' | 'developer' | 'grant holder of A' | 'registrar of B' | 'officer of B';

/** Whether a caller may see a planted value in any output at all. */
function mayEverSee(caller: CallerName, c: Canary): boolean {
  if (c.kind === 'open' && c.item !== 'legal_person' && c.item !== 'rejected') return true; // open and unmasked
  if (caller === 'registrar of B' || caller === 'officer of B') return true; // the holding department
  // the grant: credit_code and legal_person (masked by its rule), rows 1 and 2 — whose codes its row
  // filter names, so its terms show them to the consumer department and to the authority's oversight
  return GRANT_PARTIES.includes(caller) && c.kind === 'shared' && c.item === 'credit_code' && c.row <= 2;
}

const GRANT_PARTIES: CallerName[] = ['grant holder of A', 'registrar of A', 'officer of A', 'authority', 'admin'];

const isPublic = (c: Canary) => mayEverSee('anonymous', c);

interface Fixture {
  resources: Record<Kind, Record<string, any>>;
  loads: number[];
  /** The closed resource's load with one rejected cell. */
  loadWithReject: number;
  systemId: number;
  demandId: number;
  requestId: number;
  grantId: number;
  /** An error report by department A on the shared resource, naming a row by its key (a value A may see). */
  errorReportId: number;
  alertId: number;
  /** A developer's open-data application, approved, on a conditionally open resource of B (with no planted value). */
  applicationId: number;
}

const each = (f: Fixture, path: (r: Record<string, any>) => string | string[]) => KINDS.flatMap((k) => path(f.resources[k]));
const code = (r: Record<string, any>) => encodeURIComponent(r.code);
const FORMATS = ['csv', 'ndjson', 'json', 'arrow', 'xlsx'];
const CKAN_CALLS = (f: Fixture) => [
  'status_show',
  'package_list',
  'package_search?q=企业',
  'organization_list?all_fields=true',
  `organization_show?id=${f.resources.open.department_uscc}&include_datasets=true`,
  'help_show?name=datastore_search',
  ...KINDS.flatMap((k) => [`package_show?id=${code(f.resources[k])}`, `datastore_search?resource_id=${code(f.resources[k])}`]),
];

const THIS_MONTH = shanghaiDay(new Date()).slice(0, 7);

/** How to call each GET route: the URLs that exercise it. A route missing here fails the test. */
const GETS: Record<string, (f: Fixture) => string[]> = {
  '/healthz': () => ['/healthz'],
  '/metrics': () => ['/metrics'],
  '/openapi.json': () => ['/openapi.json'],
  '/docs/api': () => ['/docs/api'],
  '/readyz': () => ['/readyz'],
  '/api/v1/departments': () => ['/api/v1/departments'],
  '/api/v1/departments/:id': (f) => [`/api/v1/departments/${f.resources.closed.department_id}`],
  '/api/v1/me': () => ['/api/v1/me'],
  '/api/v1/principals': () => ['/api/v1/principals'],
  '/api/v1/tokens': () => ['/api/v1/tokens'],
  '/api/v1/audit': () => ['/api/v1/audit?limit=500'],
  '/api/v1/audit/head': () => ['/api/v1/audit/head'],
  '/api/v1/audit/checkpoints': () => ['/api/v1/audit/checkpoints'],
  '/api/v1/auth/sessions': () => ['/api/v1/auth/sessions'],
  '/api/v1/auth/methods': () => ['/api/v1/auth/methods'],
  '/api/v1/auth/oidc/start': () => ['/api/v1/auth/oidc/start'],
  '/api/v1/auth/oidc/callback': () => ['/api/v1/auth/oidc/callback'],
  '/api/v1/classifications': () => ['/api/v1/classifications'],
  '/api/v1/schemas/:name': () => ['common', 'system', 'resource', 'demand', 'share-request', 'open-application'].map((n) => `/api/v1/schemas/${n}`),
  '/api/v1/systems': () => ['/api/v1/systems'],
  '/api/v1/systems/:id': (f) => [`/api/v1/systems/${f.systemId}`],
  '/api/v1/systems/:id/history': (f) => [`/api/v1/systems/${f.systemId}/history`],
  '/api/v1/resources': () => ['/api/v1/resources', '/api/v1/resources?q=企业'],
  '/api/v1/resources/:id': (f) => each(f, (r) => `/api/v1/resources/${r.id}`),
  '/api/v1/resources/:id/history': (f) => each(f, (r) => `/api/v1/resources/${r.id}/history`),
  '/api/v1/demands': () => ['/api/v1/demands'],
  '/api/v1/demands/:id': (f) => [`/api/v1/demands/${f.demandId}`],
  '/api/v1/demands/:id/history': (f) => [`/api/v1/demands/${f.demandId}/history`],
  '/api/v1/demands/:id/matches': (f) => [`/api/v1/demands/${f.demandId}/matches`],
  '/api/v1/census/templates/:kind': () => ['system', 'resource', 'demand'].map((k) => `/api/v1/census/templates/${k}`),
  '/api/v1/census/ledger': () => ['/api/v1/census/ledger', '/api/v1/census/ledger?format=csv'],
  '/api/v1/resources/:ref/loads': (f) => each(f, (r) => `/api/v1/resources/${r.id}/loads`),
  '/api/v1/resources/:ref/loads/:id': (f) => f.loads.map((id) => `/api/v1/resources/${f.resources.closed.id}/loads/${id}`),
  '/api/v1/resources/:ref/loads/:id/rejects.csv': (f) => f.loads.map((id) => `/api/v1/resources/${f.resources.closed.id}/loads/${id}/rejects.csv`),
  '/api/v1/resources/:ref/versions': (f) => each(f, (r) => `/api/v1/resources/${code(r)}/versions`),
  '/api/v1/share-requests': () => ['/api/v1/share-requests'],
  '/api/v1/share-requests/:id': (f) => [`/api/v1/share-requests/${f.requestId}`],
  '/api/v1/grants': () => ['/api/v1/grants'],
  '/api/v1/work/waiting': () => ['/api/v1/work/waiting'],
  '/api/v1/grants/:id': (f) => [`/api/v1/grants/${f.grantId}`],
  '/api/v1/consumer-credentials': () => ['/api/v1/consumer-credentials'],
  '/api/v1/shared/:code/rows': (f) => each(f, (r) => `/api/v1/shared/${code(r)}/rows`),
  '/api/v1/shared/:code/download': (f) => each(f, (r) => FORMATS.map((fmt) => `/api/v1/shared/${code(r)}/download?format=${fmt}`)),
  '/api/v1/datasets/:code/rows': (f) => each(f, (r) => `/api/v1/datasets/${code(r)}/rows`),
  '/api/v1/datasets/:code/download': (f) => each(f, (r) => FORMATS.map((fmt) => `/api/v1/datasets/${code(r)}/download?format=${fmt}&bom=1`)),
  '/api/v1/datasets': () => ['/api/v1/datasets', '/api/v1/datasets?q=企业'],
  '/api/v1/open/summary': () => ['/api/v1/open/summary'],
  '/api/v1/open/index': () => ['/api/v1/open/index', `/api/v1/open/index?month=${THIS_MONTH}`],
  '/api/v1/datasets/:code': (f) => each(f, (r) => `/api/v1/datasets/${code(r)}`),
  '/api/v1/datasets/:code/datapackage.json': (f) => each(f, (r) => `/api/v1/datasets/${code(r)}/datapackage.json`),
  '/catalog': () => ['/catalog'],
  '/catalog.ttl': () => ['/catalog.ttl'],
  '/catalog.jsonld': () => ['/catalog.jsonld'],
  '/api/3/action/:action': (f) => CKAN_CALLS(f).map((a) => `/api/3/action/${a}`),
  '/api/action/:action': (f) => CKAN_CALLS(f).map((a) => `/api/action/${a}`),
  '/api/v1/developer/keys': () => ['/api/v1/developer/keys'],
  '/api/v1/developer/usage': () => ['/api/v1/developer/usage'],
  '/api/v1/conditional-datasets': () => ['/api/v1/conditional-datasets'],
  '/api/v1/conditional-datasets/:code': (f) => each(f, (r) => `/api/v1/conditional-datasets/${code(r)}`),
  '/api/v1/open-applications': () => ['/api/v1/open-applications'],
  '/api/v1/open-applications/:id': (f) => [`/api/v1/open-applications/${f.applicationId}`],
  '/api/v1/indicators': () => ['/api/v1/indicators', '/api/v1/indicators?format=csv', '/api/v1/indicators?format=xlsx'],
  '/api/v1/indicators/trend': () => ['/api/v1/indicators/trend?from=2000-01&to=2099-12'],
  '/api/v1/evaluations': () => [THIS_MONTH, `${THIS_MONTH}&format=xlsx`].map((q) => `/api/v1/evaluations?month=${q}`),
  // the PDF prints the evaluation above (scores, no value of a data table); its text is compressed, so the scan is of the JSON
  '/api/v1/evaluations/report.pdf': () => [`/api/v1/evaluations/report.pdf?month=${THIS_MONTH}`],
  '/api/v1/error-reports': () => ['/api/v1/error-reports', '/api/v1/error-reports?role=provider', '/api/v1/error-reports?role=reporter'],
  '/api/v1/error-reports/:id': (f) => [`/api/v1/error-reports/${f.errorReportId}`],
  '/api/v1/alerts': () => ['/api/v1/alerts'],
  '/api/v1/alerts/:id': (f) => [`/api/v1/alerts/${f.alertId}`],
};

/** Routes other than GET that answer with data they read: called with these bodies. */
const POST_READS: Record<string, (f: Fixture) => { path: string; body: unknown }[]> = {
  'POST /api/3/action/:action': (f) => KINDS.map((k) => ({ path: '/api/3/action/datastore_search', body: { resource_id: f.resources[k].code } })),
  'POST /api/action/:action': (f) => KINDS.map((k) => ({ path: '/api/action/datastore_search', body: { resource_id: f.resources[k].code } })),
  'POST /api/v1/audit/verify': () => [{ path: '/api/v1/audit/verify', body: { from: 'genesis' } }],
  'POST /api/v1/shared/:code/verify': (f) => KINDS.map((k) => ({ path: `/api/v1/shared/${code(f.resources[k])}/verify`, body: { match: { credit_code: rowValues(k, 1).credit_code } } })),
};

/**
 * Every other route changes state and answers with what it changed — a document, a request, a
 * grant, a token — through the same presenters the reads use, which this test scans.
 */
const WRITES = new Set([
  'POST /api/v1/audit/checkpoints',
  'POST /api/v1/auth/sign-in',
  'POST /api/v1/auth/sign-out',
  'POST /api/v1/auth/sign-out-everywhere',
  'DELETE /api/v1/auth/sessions/:id',
  'POST /api/v1/auth/password',
  'POST /api/v1/departments',
  'PATCH /api/v1/departments/:id',
  'POST /api/v1/principals',
  'PATCH /api/v1/principals/:id',
  'POST /api/v1/principals/:id/password',
  'POST /api/v1/tokens',
  'POST /api/v1/tokens/:id/revoke',
  'POST /api/v1/classifications',
  'POST /api/v1/systems',
  'PUT /api/v1/systems/:id',
  'POST /api/v1/resources',
  'PUT /api/v1/resources/:id',
  ...['submit', 'withdraw', 'approve', 'return', 'publish', 'retire'].map((s) => `POST /api/v1/resources/:id/${s}`),
  'POST /api/v1/demands',
  'PUT /api/v1/demands/:id',
  'POST /api/v1/demands/:id/links',
  'POST /api/v1/demands/:id/unfulfillable',
  'POST /api/v1/census/imports',
  'POST /api/v1/resources/:ref/loads',
  'POST /api/v1/resources/:ref/versions/:version/restore',
  'POST /api/v1/share-requests',
  ...['check', 'approve', 'refuse', 'dispute', 'decide', 'withdraw'].map((s) => `POST /api/v1/share-requests/:id/${s}`),
  ...['suspend', 'resume', 'revoke'].map((s) => `POST /api/v1/grants/:id/${s}`),
  'POST /api/v1/consumer-credentials',
  'POST /api/v1/developer/accounts',
  'POST /api/v1/developer/keys',
  'POST /api/v1/developer/keys/:id/revoke',
  'POST /api/v1/error-reports',
  ...['accept', 'reject', 'fixed'].map((s) => `POST /api/v1/error-reports/:id/${s}`),
  ...['acknowledge', 'suspend-grant'].map((s) => `POST /api/v1/alerts/:id/${s}`),
  'POST /api/v1/open-applications',
  ...['approve', 'refuse', 'withdraw'].map((s) => `POST /api/v1/open-applications/:id/${s}`),
]);

/** The answer as text: xlsx is unzipped into its cells' text, everything else read as UTF-8. */
async function answerText(body: Buffer, type: string | undefined): Promise<string> {
  if (type?.includes('spreadsheetml')) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(body as unknown as ArrayBuffer);
    const cells: string[] = [];
    wb.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => cells.push(cell.text))));
    return cells.join('\n');
  }
  return body.toString('utf8');
}

describe('outputs that can carry a data value, against every kind of caller', function () {
  this.timeout(300_000);
  let t: TestApp;
  let f: Fixture;
  let callers: Record<CallerName, Record<string, string>>;
  const logged: string[] = [];

  async function load(resourceId: number, csv: string, maxErrors: number) {
    const id = await loadCreator(t.knex, { actor: TEST_ACTOR }, resourceId, { mode: 'replace', maxErrors, encoding: 'auto', fileName: 'test.csv' });
    await executeLoad(t.knex, { actor: TEST_ACTOR }, id, Readable.from([Buffer.from(csv)]), { retention: 5 });
    return id;
  }

  before(async () => {
    const sink = new Writable({ write: (chunk, _enc, cb) => (logged.push(String(chunk)), cb()) });
    t = await testApp({ log: pino({ level: 'trace' }, sink), env: { ODX_WEB_DIR: ensureWebBuild() } });
    const sys = await systemOf(t.knex, t.deptA);
    const cred = await request(t.app).post('/api/v1/consumer-credentials').set(t.auth('officer')).send({ systemId: sys, login: 'a.sys.values' }).expect(201);
    const walked = await requestBetween(t.knex, t.deptA, t.deptB, { to: 'provider_review', doc: { items: ['credit_code', 'legal_person'] } });
    const resources = {
      closed: await publishedResource(t.knex, t.deptB.uscc, { ...NOT_SHARED, name: '不予共享的人员名录' }),
      shared: walked.resource,
      open: await publishedResource(t.knex, t.deptB.uscc, { name: '开放的企业名录' }),
    };
    // the closed resource: a load with one rejected cell, one that failed on it, then all four rows
    const withReject = csvOf('closed').replace(rowValues('closed', 1).founded_on, REJECTED.value);
    const loadWithReject = await load(resources.closed.id, withReject, 5);
    const loads = [loadWithReject, await load(resources.closed.id, withReject, 0)];
    for (const kind of KINDS) loads.push(await load(resources[kind].id, csvOf(kind), 0));
    const approved = await request(t.app)
      .post(`/api/v1/share-requests/${walked.request.id}/approve`)
      .set(t.auth('officer', 'B'))
      .send({ rowFilter: [{ column: 'credit_code', op: 'in', value: [rowValues('shared', 1).credit_code, rowValues('shared', 2).credit_code] }] })
      .expect(200);
    // the same terms for downloads (a grant is for one access mode)
    const forDownload = await runCommand(t.knex, { actor: { kind: 'system', label: 'system:test', departmentId: t.deptA.id } }, (ctx) =>
      requestCreator(ctx, POLICY, {
        consumerDepartmentId: t.deptA.id,
        requestedBy: null,
        doc: shareDoc(walked.resource.code, { accessMode: 'download', items: ['credit_code', 'legal_person'], legalBasis: '《优化营商环境条例》第三十五条' }),
      }),
    );
    await request(t.app).post(`/api/v1/share-requests/${forDownload.id}/approve`).set(t.auth('officer', 'B')).send({ rowFilter: approved.body.grant.rowFilter }).expect(200);
    const demand = await runCommand(t.knex, { actor: TEST_ACTOR }, (ctx) => documentCreator(ctx, 'demand', demandDoc(t.deptA.uscc)));
    const uscc = (await t.knex('odx.departments').where({ id: t.deptB.id }).first('uscc')).uscc;
    for (const r of Object.values(resources)) r.department_uscc = uscc;
    // the trend reads snapshots: one of this month, with the loads and reads above in it
    await snapshotMonth(t.knex, THIS_MONTH, 3);
    const report = await request(t.app)
      .post('/api/v1/error-reports')
      .set(t.auth('officer'))
      .send({ resource: resources.shared.code, rowKey: rowValues('shared', 1).credit_code, item: 'legal_person', description: '法定代表人已变更', evidence: `见 ${rowValues('shared', 1).credit_code} 的变更登记` })
      .expect(201);
    // the alerts the checks raise two months on, when every daily resource is stale: none may carry a value
    const alerts = await runAlertChecks(t.knex, t.services.config, new Date(Date.now() + 60 * 86_400_000));
    expect(alerts.length).to.be.above(0);
    const { application } = await applicationOf(t.knex, t.deptB.uscc, t.principals.developer.id, { to: 'granted' });
    f = {
      resources, loads, loadWithReject, systemId: sys, demandId: demand.id, requestId: walked.request.id, grantId: approved.body.grant.id,
      errorReportId: report.body.id, alertId: alerts[0], applicationId: application.id,
    };
    callers = {
      anonymous: {},
      'registrar of A': t.auth('registrar'),
      'officer of A': t.auth('officer'),
      authority: t.auth('authority'),
      admin: t.auth('admin'),
      developer: t.auth('developer'),
      'grant holder of A': { Authorization: `Bearer ${cred.body.token.secret}` },
      'registrar of B': t.auth('registrar', 'B'),
      'officer of B': t.auth('officer', 'B'),
    };
  });
  after(() => t.close());

  it('knows how to call every route of the route table, or why it carries no value', () => {
    const unknown = t.routes
      .map((r) => `${r.method.toUpperCase()} ${r.path}`)
      .filter((key) => !(key.startsWith('GET ') && GETS[key.slice(4)]) && !POST_READS[key] && !WRITES.has(key));
    expect(unknown, 'routes this test does not call: add each to GETS, POST_READS or WRITES').to.deep.equal([]);
    const known = new Set(t.routes.map((r) => `${r.method.toUpperCase()} ${r.path}`));
    expect([...VALUE_ROUTES].filter((k) => !known.has(k)), 'value outputs that are no longer routes').to.deep.equal([]);
  });

  it('shows a planted value only to whom its openness, its grant or its holding department allows, and only on listed outputs', async () => {
    const leaks: string[] = [];
    const unlisted = new Set<string>();
    const seenOn = new Set<string>();
    const calls: { key: string; path: string; body?: unknown }[] = [
      ...Object.entries(GETS).flatMap(([path, urls]) => urls(f).map((url) => ({ key: `GET ${path}`, path: url }))),
      ...Object.entries(POST_READS).flatMap(([key, bodies]) => bodies(f).map((b) => ({ key, ...b }))),
    ];
    for (const [caller, headers] of Object.entries(callers) as [CallerName, Record<string, string>][]) {
      for (const call of calls) {
        const req = call.body === undefined ? request(t.app).get(call.path) : request(t.app).post(call.path).send(call.body as object);
        const res = await req.set(headers).set('X-ODX-Purpose', encodeURIComponent('核验企业登记信息')).buffer(true).parse(binary);
        expect(res.status, `${caller} ${call.path}`).to.be.below(500);
        const text = await answerText(res.body as Buffer, res.headers['content-type']);
        for (const c of CANARIES) {
          if (!text.includes(c.value)) continue;
          if (!mayEverSee(caller, c)) leaks.push(`${caller} saw ${c.kind}.${c.item} (${c.value}) on ${call.key} (${call.path})`);
          if (!isPublic(c)) {
            seenOn.add(call.key);
            if (!VALUE_ROUTES.has(call.key)) unlisted.add(`${call.key}: ${c.kind}.${c.item}`);
          }
        }
      }
    }
    expect(leaks, 'values seen by callers who may not see them').to.deep.equal([]);
    expect([...unlisted], 'outputs that carry values but are missing from VALUE_OUTPUTS').to.deep.equal([]);
    // the planted values did reach the outputs that exist to carry them (else the scan proves nothing)
    for (const key of ['GET /api/v1/resources/:id', 'GET /api/v1/resources/:ref/loads/:id/rejects.csv', 'GET /api/v1/shared/:code/rows', 'GET /api/v1/shared/:code/download', 'GET /api/v1/error-reports/:id']) {
      expect(seenOn.has(key), `${key} showed a non-public value to whom may see it`).to.equal(true);
    }
  });

  it('gives other departments the profile’s counts and its holding department its values, audited', async () => {
    const closed = f.resources.closed;
    for (const who of [t.auth('registrar'), t.auth('authority'), t.auth('admin')]) {
      const seen = await request(t.app).get(`/api/v1/resources/${closed.id}`).set(who).expect(200);
      expect(seen.body.data.rows).to.equal(4);
      expect(seen.body.data.quality.columns.legal_person).to.deep.equal({ nulls: 0, invalid: 0, distinctEstimate: seen.body.data.quality.columns.legal_person.distinctEstimate });
      expect(seen.body.data.quality.columns.capital).to.not.have.any.keys('min', 'max');
    }
    const reads = async () => {
      await chainPending(t.knex);
      return t.knex('odx.audit_events').where({ action: 'data.profile.read' }).orderBy('seq');
    };
    const before = (await reads()).length;
    await request(t.app).get(`/api/v1/resources/${closed.id}`).set(t.auth('authority')).expect(200);
    expect(await reads(), 'counts are not a read of values').to.have.length(before);
    const own = await request(t.app).get(`/api/v1/resources/${closed.id}`).set(t.auth('registrar', 'B')).expect(200);
    expect(own.body.data.quality.columns.capital).to.include({ min: rowValues('closed', 1).capital, max: rowValues('closed', 4).capital });
    const after = await reads();
    expect(after).to.have.length(before + 1);
    expect(after.at(-1)).to.include({ actor: 'principal:b.registrar', target_id: String(closed.id) });
  });

  it('keeps a load’s rejected cells to the loading department, and audits their reading', async () => {
    const path = `/api/v1/resources/${f.resources.closed.id}/loads/${f.loadWithReject}/rejects.csv`;
    const reads = async () => {
      await chainPending(t.knex);
      return t.knex('odx.audit_events').where({ action: 'data.rejects.read' }).orderBy('seq');
    };
    const before = (await reads()).length;
    for (const who of [t.auth('authority'), t.auth('admin'), t.auth('registrar')]) await request(t.app).get(path).set(who).expect(403);
    const csv = await request(t.app).get(path).set(t.auth('officer', 'B')).expect(200);
    expect(csv.text).to.contain(REJECTED.value);
    const after = await reads();
    expect(after).to.have.length(before + 1);
    expect(after.at(-1)).to.include({ actor: 'principal:b.officer', target_id: String(f.resources.closed.id), rows: 1 });
  });

  it('writes no planted value to the log', () => {
    const text = logged.join('');
    expect(text.length, 'the scan was logged').to.be.above(1000);
    expect(CANARIES.filter((c) => text.includes(c.value)).map((c) => `${c.kind}.${c.item}`)).to.deep.equal([]);
  });
});
