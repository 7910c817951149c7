import { expect } from 'chai';
import request from '../helpers/request-en.ts';
import { ROLES, type Role } from '../../server/src/auth/roles.ts';
import type { RouteSpec } from '../../server/src/http/route.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { tokenCreator } from '../../server/src/auth/tokens.ts';
import { acceptPassword, passwordSetter, type AcceptedPassword } from '../../server/src/auth/passwords.ts';
import { sessionCreator } from '../../server/src/auth/sessions/store.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { TEST_ACTOR, makeConsumer, makeDepartment, makePrincipal, testApp, type Dept, type TestApp } from '../helpers/app.ts';
import { demandDoc, licenceCsv, loadCsv, publishedResource, resourceDoc, systemDoc } from '../helpers/census.ts';
import { requestBetween, shareDoc, systemOf, type Walk } from '../helpers/sharing.ts';
import { grantStepper } from '../../server/src/sharing/grants.ts';
import { documentCreator } from '../../server/src/census/documents/commands.ts';
import { resourceStepper, type LifecycleStep } from '../../server/src/census/resources/lifecycle.ts';
import type { CensusKind } from '../../server/src/census/documents/kinds.ts';
import { everyOf } from '../helpers/every.ts';
import { applicationDoc, applicationOf, conditionalResource } from '../helpers/open-applications.ts';
import { ensureWebBuild } from '../helpers/browser.ts';

/** The principal that owns the target of a call: in department A, or outside every department for developers. */
interface TargetOwner {
  id: number;
  departmentId: number | null;
}

interface Call {
  path: string;
  body?: unknown;
  contentType?: string;
  query?: Record<string, string>;
}

const MATRIX_PASSWORD = 'Matrix-Passw0rd-Check';
let matrixPassword: Promise<AcceptedPassword> | undefined;

/** A session of the account, as a sign-in opens it. */
async function sessionOf(t: TestApp, principalId: number) {
  const p = await t.knex('odx.principals').where({ id: principalId }).first('login', 'department_id');
  return runCommand(t.knex, { actor: TEST_ACTOR }, (ctx) =>
    sessionCreator(ctx, { principalId, login: p.login, departmentId: p.department_id, method: 'password', address: undefined, userAgent: undefined }, t.services.config),
  );
}

let unique = 0;
const next = () => ++unique;

/**
 * One fixture per non-public route: a valid call whose target belongs to `owner`.
 * A route added to the route table without a fixture here fails the first test.
 */
const fixtures: Record<string, (t: TestApp, owner: TargetOwner) => Promise<Call>> = {
  'GET /api/v1/me': async () => ({ path: '/api/v1/me' }),
  'GET /api/v1/principals': async () => ({ path: '/api/v1/principals' }),
  'POST /api/v1/departments': async () => ({
    path: '/api/v1/departments',
    body: { name: `矩阵测试局${next()}`, uscc: withUsccCheck(`113502008${String(10000000 + next()).slice(-8)}`), regionCode: '350200', kind: 'bureau' },
  }),
  'PATCH /api/v1/departments/:id': async (t) => ({ path: `/api/v1/departments/${t.deptA.id}`, body: { shortName: `甲${next()}` } }),
  'POST /api/v1/principals': async (t) => ({
    path: '/api/v1/principals',
    body: { login: `m.new${next()}`, displayName: '新填报员', departmentId: t.deptA.id, roles: ['registrar'] },
  }),
  'PATCH /api/v1/principals/:id': async (t) => {
    const p = await makePrincipal(t.knex, `m.target${next()}`, t.deptA.id, ['registrar']);
    return { path: `/api/v1/principals/${p.id}`, body: { displayName: '改名' } };
  },
  'POST /api/v1/principals/:id/password': async (t) => {
    const p = await makePrincipal(t.knex, `m.pw${next()}`, t.deptA.id, ['registrar']);
    return { path: `/api/v1/principals/${p.id}/password` };
  },
  'GET /api/v1/tokens': async () => ({ path: '/api/v1/tokens' }),
  'POST /api/v1/tokens': async (_t, owner) => ({ path: '/api/v1/tokens', body: { name: 'matrix', principalId: owner.id, expiresInDays: 30 } }),
  'POST /api/v1/tokens/:id/revoke': async (t, owner) => {
    const tok = await runCommand(t.knex, { actor: TEST_ACTOR }, (ctx) => tokenCreator(ctx, { principalId: owner.id, name: 'to revoke', scopes: ['read'], expiresAt: null }));
    return { path: `/api/v1/tokens/${tok.id}/revoke` };
  },
  'POST /api/v1/auth/sign-out-everywhere': async () => ({ path: '/api/v1/auth/sign-out-everywhere' }),
  'GET /api/v1/auth/sessions': async () => ({ path: '/api/v1/auth/sessions' }),
  'DELETE /api/v1/auth/sessions/:id': async (t, owner) => ({ path: `/api/v1/auth/sessions/${(await sessionOf(t, owner.id)).id}` }),
  'POST /api/v1/auth/password': async (t, owner) => {
    // the caller is the owner, its same-role colleague, or the account of the same role in department B: all know the password
    const role = ROLES.find((r) => t.principals[r].id === owner.id)!;
    const accepted = await (matrixPassword ??= acceptPassword(MATRIX_PASSWORD, { login: '' }));
    await runCommand(t.knex, { actor: TEST_ACTOR }, async (ctx) => {
      // and the same-role colleague in department A, when the test has made one
      const colleague = await ctx.trx('odx.principals').where({ login: `a2.${role}` }).first('id');
      for (const p of [t.principals[role], t.principalsB[role], ...(colleague ? [colleague] : [])]) await passwordSetter(ctx, p.id, accepted);
    });
    return { path: '/api/v1/auth/password', body: { current: MATRIX_PASSWORD, new: MATRIX_PASSWORD } };
  },
  'GET /api/v1/audit': async () => ({ path: '/api/v1/audit' }),
  'GET /api/v1/audit/head': async () => ({ path: '/api/v1/audit/head' }),
  'POST /api/v1/audit/checkpoints': async () => ({ path: '/api/v1/audit/checkpoints' }),
  'POST /api/v1/audit/verify': async () => ({ path: '/api/v1/audit/verify', body: { from: 'checkpoint', limit: 10 } }),
};

const DOCS = { system: systemDoc, resource: resourceDoc, demand: demandDoc };

/** A census document of department A, walked through the given lifecycle steps. */
async function docOfA(t: TestApp, kind: CensusKind, steps: LifecycleStep[] = []): Promise<number> {
  return runCommand(t.knex, { actor: TEST_ACTOR }, async (ctx) => {
    const row = await documentCreator(ctx, kind, DOCS[kind](t.deptA.uscc));
    for (const step of steps) await resourceStepper(ctx, row.id, step);
    return row.id;
  });
}

const resourceStep = (step: LifecycleStep, before: LifecycleStep[]) => async (t: TestApp): Promise<Call> => ({
  path: `/api/v1/resources/${await docOfA(t, 'resource', before)}/${step}`,
  body: step === 'return' ? { note: '信息项不完整' } : {},
});

Object.assign(fixtures, {
  'POST /api/v1/classifications': async () => ({ path: '/api/v1/classifications', body: { code: `10299${next()}`, name: '测试目', parentCode: '102' } }),
  'GET /api/v1/systems': async () => ({ path: '/api/v1/systems' }),
  'GET /api/v1/systems/:id': async (t: TestApp) => ({ path: `/api/v1/systems/${await docOfA(t, 'system')}` }),
  'GET /api/v1/systems/:id/history': async (t: TestApp) => ({ path: `/api/v1/systems/${await docOfA(t, 'system')}/history` }),
  'POST /api/v1/systems': async (t: TestApp) => ({ path: '/api/v1/systems', body: systemDoc(t.deptA.uscc) }),
  'PUT /api/v1/systems/:id': async (t: TestApp) => ({ path: `/api/v1/systems/${await docOfA(t, 'system')}`, body: systemDoc(t.deptA.uscc, { name: '改名系统' }) }),
  'GET /api/v1/resources': async () => ({ path: '/api/v1/resources', query: { q: '执照' } }),
  'GET /api/v1/resources/:id': async (t: TestApp) => ({ path: `/api/v1/resources/${await docOfA(t, 'resource', ['submit', 'approve', 'publish'])}` }),
  'GET /api/v1/resources/:id/history': async (t: TestApp) => ({ path: `/api/v1/resources/${await docOfA(t, 'resource')}/history` }),
  'POST /api/v1/resources': async (t: TestApp) => ({ path: '/api/v1/resources', body: resourceDoc(t.deptA.uscc) }),
  'PUT /api/v1/resources/:id': async (t: TestApp) => ({ path: `/api/v1/resources/${await docOfA(t, 'resource')}`, body: resourceDoc(t.deptA.uscc, { name: '改名资源' }) }),
  'POST /api/v1/resources/:id/submit': resourceStep('submit', []),
  'POST /api/v1/resources/:id/withdraw': resourceStep('withdraw', ['submit']),
  'POST /api/v1/resources/:id/approve': resourceStep('approve', ['submit']),
  'POST /api/v1/resources/:id/return': resourceStep('return', ['submit']),
  'POST /api/v1/resources/:id/publish': resourceStep('publish', ['submit', 'approve']),
  'POST /api/v1/resources/:id/retire': resourceStep('retire', ['submit', 'approve', 'publish']),
  'GET /api/v1/demands': async () => ({ path: '/api/v1/demands' }),
  'GET /api/v1/demands/:id': async (t: TestApp) => ({ path: `/api/v1/demands/${await docOfA(t, 'demand')}` }),
  'GET /api/v1/demands/:id/history': async (t: TestApp) => ({ path: `/api/v1/demands/${await docOfA(t, 'demand')}/history` }),
  'POST /api/v1/demands': async (t: TestApp) => ({ path: '/api/v1/demands', body: demandDoc(t.deptA.uscc) }),
  'PUT /api/v1/demands/:id': async (t: TestApp) => ({ path: `/api/v1/demands/${await docOfA(t, 'demand')}`, body: demandDoc(t.deptA.uscc, { name: '改名需求' }) }),
  'GET /api/v1/demands/:id/matches': async (t: TestApp) => ({ path: `/api/v1/demands/${await docOfA(t, 'demand')}/matches` }),
  'POST /api/v1/demands/:id/links': async (t: TestApp) => ({
    path: `/api/v1/demands/${await docOfA(t, 'demand')}/links`,
    body: { resourceId: await docOfA(t, 'resource', ['submit', 'approve', 'publish']) },
  }),
  'POST /api/v1/demands/:id/unfulfillable': async (t: TestApp) => ({ path: `/api/v1/demands/${await docOfA(t, 'demand')}/unfulfillable`, body: { reason: '无对应数据' } }),
  'POST /api/v1/resources/:ref/loads': async (t: TestApp) => ({
    path: `/api/v1/resources/${await docOfA(t, 'resource', ['submit', 'approve', 'publish'])}/loads`,
    body: licenceCsv(1, 3),
    contentType: 'text/csv',
  }),
  'GET /api/v1/resources/:ref/loads': async (t: TestApp) => ({ path: `/api/v1/resources/${(await loadedOfA(t)).resourceId}/loads` }),
  'GET /api/v1/resources/:ref/loads/:id': async (t: TestApp) => {
    const l = await loadedOfA(t);
    return { path: `/api/v1/resources/${l.resourceId}/loads/${l.loadId}` };
  },
  'GET /api/v1/resources/:ref/loads/:id/rejects.csv': async (t: TestApp) => {
    const l = await loadedOfA(t);
    return { path: `/api/v1/resources/${l.resourceId}/loads/${l.loadId}/rejects.csv` };
  },
  'GET /api/v1/resources/:ref/versions': async (t: TestApp) => ({ path: `/api/v1/resources/${(await loadedOfA(t)).resourceId}/versions` }),
  'POST /api/v1/resources/:ref/versions/:version/restore': async (t: TestApp) => ({ path: `/api/v1/resources/${(await loadedOfA(t)).resourceId}/versions/1/restore` }),
  'GET /api/v1/developer/keys': async () => ({ path: '/api/v1/developer/keys' }),
  'GET /api/v1/developer/usage': async () => ({ path: '/api/v1/developer/usage' }),
  'POST /api/v1/developer/keys': async () => ({ path: '/api/v1/developer/keys', body: { name: `matrix${next()}` } }),
  'POST /api/v1/developer/keys/:id/revoke': async (t: TestApp, owner: TargetOwner) => {
    const tok = await runCommand(t.knex, { actor: TEST_ACTOR }, (ctx) => tokenCreator(ctx, { principalId: owner.id, name: 'key to revoke', scopes: ['read'], expiresAt: null }));
    return { path: `/api/v1/developer/keys/${tok.id}/revoke` };
  },
  'POST /api/v1/census/imports': async (t: TestApp) => ({
    path: '/api/v1/census/imports',
    query: { kind: 'systems', department: t.deptA.uscc },
    body: `系统名称,系统联系人-姓名,系统联系人-手机号码,系统描述,建设状态,使用范围,承载网络\r\n矩阵导入系统${next()},张三,13800138000,批量导入测试,在建,覆盖到市,政务外网\r\n`,
    contentType: 'text/csv',
  }),
  'GET /api/v1/census/ledger': async () => ({ path: '/api/v1/census/ledger' }),
  'GET /api/v1/indicators': async (t: TestApp) => ({ path: '/api/v1/indicators', query: { department: String(t.deptA.id), as_of: '2026-10-31', from: '2026-10-01', to: '2026-10-31' } }),
  'GET /api/v1/indicators/trend': async (t: TestApp) => ({ path: '/api/v1/indicators/trend', query: { department: String(t.deptA.id), from: '2026-01', to: '2026-12' } }),
  'GET /api/v1/evaluations': async (t: TestApp) => ({ path: '/api/v1/evaluations', query: { department: String(t.deptA.id), month: '2026-10' } }),
  'GET /api/v1/evaluations/report.pdf': async () => ({ path: '/api/v1/evaluations/report.pdf', query: { month: '2026-10' } }),
} satisfies typeof fixtures);

/** Sharing: department A as the consumer or the provider of a request, the other party a third department. */
const thirdDepartment = new WeakMap<TestApp, Promise<Dept>>();
async function sharedWith(t: TestApp, side: 'consumer' | 'provider', walk: Walk) {
  if (!thirdDepartment.has(t)) thirdDepartment.set(t, makeDepartment(t.knex, '矩阵丙局'));
  const other = await thirdDepartment.get(t)!;
  return side === 'consumer' ? requestBetween(t.knex, t.deptA, other, walk) : requestBetween(t.knex, other, t.deptA, walk);
}
const requestOfA = (side: 'consumer' | 'provider', to: Walk['to'], step: string, body: object = {}) => async (t: TestApp): Promise<Call> => ({
  path: `/api/v1/share-requests/${(await sharedWith(t, side, { to })).request.id}/${step}`,
  body,
});
const grantOfA = (side: 'consumer' | 'provider', step?: string, body: object = {}, suspended = false) => async (t: TestApp): Promise<Call> => {
  const id = (await sharedWith(t, side, { to: 'granted' })).request.grant_id as number;
  if (suspended) await runCommand(t.knex, { actor: TEST_ACTOR }, (ctx) => grantStepper(ctx, id, 'suspend', '暂停', { departmentId: null }));
  return step ? { path: `/api/v1/grants/${id}/${step}`, body } : { path: `/api/v1/grants/${id}` };
};

Object.assign(fixtures, {
  'POST /api/v1/share-requests': async (t: TestApp) => {
    if (!thirdDepartment.has(t)) thirdDepartment.set(t, makeDepartment(t.knex, '矩阵丙局'));
    const resource = await publishedResource(t.knex, (await thirdDepartment.get(t)!).uscc);
    return { path: '/api/v1/share-requests', body: shareDoc(resource.code, { consumerSystem: await systemOf(t.knex, t.deptA) }) };
  },
  'GET /api/v1/share-requests': async () => ({ path: '/api/v1/share-requests' }),
  'GET /api/v1/share-requests/:id': async (t: TestApp) => ({ path: `/api/v1/share-requests/${(await sharedWith(t, 'consumer', { to: 'provider_review' })).request.id}` }),
  'POST /api/v1/share-requests/:id/check': requestOfA('consumer', 'submitted', 'check', { decision: 'pass' }),
  'POST /api/v1/share-requests/:id/approve': requestOfA('provider', 'provider_review', 'approve'),
  'POST /api/v1/share-requests/:id/refuse': requestOfA('provider', 'provider_review', 'refuse', { reason: '不符合共享条件' }),
  'POST /api/v1/share-requests/:id/dispute': requestOfA('consumer', 'refused', 'dispute', { reason: '依法履职需要' }),
  'POST /api/v1/share-requests/:id/decide': requestOfA('consumer', 'disputed', 'decide', { decision: 'deny', reason: '超出职责范围' }),
  'POST /api/v1/share-requests/:id/withdraw': requestOfA('consumer', 'provider_review', 'withdraw'),
  'GET /api/v1/grants': async () => ({ path: '/api/v1/grants' }),
  'GET /api/v1/grants/:id': grantOfA('consumer'),
  'POST /api/v1/grants/:id/suspend': grantOfA('provider', 'suspend', { reason: '发现超范围使用' }),
  'POST /api/v1/grants/:id/resume': grantOfA('provider', 'resume', {}, true),
  'POST /api/v1/grants/:id/revoke': grantOfA('provider', 'revoke', { reason: '职能调整' }),
  'POST /api/v1/consumer-credentials': async (t: TestApp) => ({ path: '/api/v1/consumer-credentials', body: { systemId: await systemOf(t.knex, t.deptA), login: `m.cc${next()}` } }),
  'GET /api/v1/consumer-credentials': async () => ({ path: '/api/v1/consumer-credentials' }),
  'GET /api/v1/work/waiting': async () => ({ path: '/api/v1/work/waiting' }),
  'POST /api/v1/shared/:code/verify': async (t: TestApp) => {
    const { resource } = await sharedWith(t, 'consumer', { to: 'granted', mode: 'verify' });
    await loadCsv(t.knex, resource.id, licenceCsv(1, 2));
    return { path: `/api/v1/shared/${encodeURIComponent(resource.code)}/verify`, body: { match: { company_name: '滨海市示例贸易有限公司1' }, purpose: '矩阵测试核验' } };
  },
  'GET /api/v1/shared/:code/rows': async (t: TestApp, owner: TargetOwner) => {
    const resource = await grantedTo(t, owner, 'query');
    return { path: `/api/v1/shared/${encodeURIComponent(resource.code)}/rows`, query: { purpose: '矩阵测试查询' } };
  },
  'GET /api/v1/shared/:code/download': async (t: TestApp, owner: TargetOwner) => {
    const resource = await grantedTo(t, owner, 'download');
    return { path: `/api/v1/shared/${encodeURIComponent(resource.code)}/download`, query: { purpose: '矩阵测试下载', format: 'ndjson' } };
  },
} satisfies typeof fixtures);

/**
 * Error reports: one made by the target's owner (its account and department) on a third
 * department's dataset, or one on department A's dataset made by the third department.
 */
async function errorReport(t: TestApp, o: { providerA: boolean; owner?: TargetOwner; state?: 'open' | 'accepted'; created?: Date }): Promise<number> {
  if (!thirdDepartment.has(t)) thirdDepartment.set(t, makeDepartment(t.knex, '矩阵丙局'));
  const third = await thirdDepartment.get(t)!;
  const resource = await publishedResource(t.knex, o.providerA ? t.deptA.uscc : third.uscc);
  const created = o.created ?? new Date();
  const [row] = await t.knex('odx.error_reports')
    .insert({
      resource_id: resource.id,
      resource_code: resource.code,
      provider_department_id: o.providerA ? t.deptA.id : third.id,
      reporter_id: o.owner?.id ?? null,
      reporter_department_id: o.owner ? o.owner.departmentId : third.id,
      channel: 'open',
      description: '矩阵测试纠错',
      state: o.state ?? 'open',
      limit_days: 5,
      due_at: new Date(created.getTime() + 7 * 86_400_000),
      created_at: created,
      ...(o.state === 'accepted' ? { answered_at: created, late: false } : {}),
    })
    .returning(['id', 'resource_id']);
  return row.id;
}

Object.assign(fixtures, {
  'POST /api/v1/error-reports': async (t: TestApp) => ({
    path: '/api/v1/error-reports',
    body: { resource: (await publishedResource(t.knex, t.deptA.uscc)).code, description: '矩阵测试纠错' },
  }),
  'GET /api/v1/error-reports': async () => ({ path: '/api/v1/error-reports' }),
  'GET /api/v1/error-reports/:id': async (t: TestApp, owner: TargetOwner) => ({ path: `/api/v1/error-reports/${await errorReport(t, { providerA: false, owner })}` }),
  'POST /api/v1/error-reports/:id/accept': async (t: TestApp) => ({ path: `/api/v1/error-reports/${await errorReport(t, { providerA: true })}/accept`, body: {} }),
  'POST /api/v1/error-reports/:id/reject': async (t: TestApp) => ({ path: `/api/v1/error-reports/${await errorReport(t, { providerA: true })}/reject`, body: { reason: '经核实无误' } }),
  'POST /api/v1/error-reports/:id/fixed': async (t: TestApp) => {
    const id = await errorReport(t, { providerA: true, state: 'accepted', created: new Date(Date.now() - 60_000) });
    const { resource_id } = await t.knex('odx.error_reports').where({ id }).first('resource_id');
    const { loadId } = await loadCsv(t.knex, resource_id, licenceCsv(1, 2));
    return { path: `/api/v1/error-reports/${id}/fixed`, body: { loadId } };
  },
} satisfies typeof fixtures);

/** An alert for department A: a stale resource, or leak watch on a grant department A provides. */
async function alertOfA(t: TestApp, grant?: number): Promise<number> {
  const [row] = await t.knex('odx.alerts')
    .insert({
      kind: grant ? 'leak_watch' : 'stale_resource',
      key: `matrix:${next()}`,
      department_id: t.deptA.id,
      target_type: grant ? 'grant' : 'resource',
      target_id: String(grant ?? 1),
      detail: JSON.stringify({}),
      raised_at: new Date(),
      webhook_state: 'none',
    })
    .returning('id');
  return row.id;
}

Object.assign(fixtures, {
  'GET /api/v1/alerts': async () => ({ path: '/api/v1/alerts' }),
  'GET /api/v1/alerts/:id': async (t: TestApp) => ({ path: `/api/v1/alerts/${await alertOfA(t)}` }),
  'POST /api/v1/alerts/:id/acknowledge': async (t: TestApp) => ({ path: `/api/v1/alerts/${await alertOfA(t)}/acknowledge`, body: {} }),
  'POST /api/v1/alerts/:id/suspend-grant': async (t: TestApp) => {
    const grant = (await sharedWith(t, 'provider', { to: 'granted' })).request.grant_id as number;
    return { path: `/api/v1/alerts/${await alertOfA(t, grant)}/suspend-grant`, body: { reason: '读取量异常' } };
  },
} satisfies typeof fixtures);

/**
 * A loaded resource the target's owner holds a grant on: department A's, on a share request; a
 * developer's own, on an approved open-data application.
 */
async function grantedTo(t: TestApp, owner: TargetOwner, mode: 'query' | 'download') {
  if (owner.departmentId === null) return (await applicationOf(t.knex, t.deptB.uscc, owner.id, { to: 'granted', mode, load: licenceCsv(1, 2) })).resource;
  const { resource } = await sharedWith(t, 'consumer', { to: 'granted', mode });
  await loadCsv(t.knex, resource.id, licenceCsv(1, 2));
  return resource;
}

/** The developer an application belongs to: the target's owner when a developer, else developer A. */
const applicantOf = (t: TestApp, owner: TargetOwner) => (owner.departmentId === null ? owner.id : t.principals.developer.id);
const applicationOfA = (step: string, body: object = {}) => async (t: TestApp, owner: TargetOwner): Promise<Call> => ({
  path: `/api/v1/open-applications/${(await applicationOf(t.knex, t.deptA.uscc, applicantOf(t, owner))).application.id}/${step}`,
  body,
});

Object.assign(fixtures, {
  'POST /api/v1/open-applications': async (t: TestApp) => ({
    path: '/api/v1/open-applications',
    body: applicationDoc((await conditionalResource(t.knex, t.deptA.uscc, { name: `矩阵有条件开放${next()}` })).code),
  }),
  'GET /api/v1/open-applications': async () => ({ path: '/api/v1/open-applications' }),
  'GET /api/v1/open-applications/:id': async (t: TestApp, owner: TargetOwner) => ({
    path: `/api/v1/open-applications/${(await applicationOf(t.knex, t.deptA.uscc, applicantOf(t, owner))).application.id}`,
  }),
  'POST /api/v1/open-applications/:id/approve': applicationOfA('approve', { items: ['credit_code'] }),
  'POST /api/v1/open-applications/:id/refuse': applicationOfA('refuse', { reason: '不符合开放条件' }),
  'POST /api/v1/open-applications/:id/withdraw': applicationOfA('withdraw'),
} satisfies typeof fixtures);

/** A published resource of department A with two loaded versions. */
async function loadedOfA(t: TestApp) {
  const resourceId = await docOfA(t, 'resource', ['submit', 'approve', 'publish']);
  await loadCsv(t.knex, resourceId, licenceCsv(1, 2));
  const { loadId } = await loadCsv(t.knex, resourceId, licenceCsv(3, 2));
  return { resourceId, loadId };
}

const key = (r: RouteSpec) => `${r.method.toUpperCase()} ${r.path}`;

function send(t: TestApp, r: RouteSpec, call: Call, headers: Record<string, string>) {
  const req = request(t.app)[r.method](call.path).set(headers);
  if (call.contentType) req.set('Content-Type', call.contentType);
  if (call.query) req.query(call.query);
  return call.body === undefined ? req : req.send(call.body as object);
}

/**
 * Whose target a call acts on: the caller's own (`own`), a colleague's — another account of the
 * same role in the same department — or another department's (`other`).
 */
type Side = 'own' | 'colleague' | 'other';

/** What the route table promises for a role acting on its own, a colleague's or another department's target. */
function expected(r: RouteSpec, role: Role, side: Side): 'ok' | 403 {
  // a consumer is a system's credential, read-only whatever its token asked for
  if (role === 'consumer' && (r.scope ?? (r.method === 'get' ? 'read' : 'write')) === 'write') return 403;
  if (r.access === 'authenticated') return 'ok';
  if (r.access === 'public') return 'ok';
  const reach = r.access[role];
  if (!reach) return 403;
  if (reach === 'any' || r.scoped) return 'ok';
  if (side === 'own') return 'ok';
  return side === 'colleague' && reach === 'own' ? 'ok' : 403;
}

describe('authorisation matrix: every route x role x own/colleague/other department', function () {
  // every route, six roles, three sides: minutes on a busy two-core machine
  this.timeout(600_000);
  let t: TestApp;
  // the web app's build: the evaluation's PDF is its printable page, printed by Chromium
  before(async () => (t = await testApp({ env: { ODX_WEB_DIR: ensureWebBuild() } })));
  after(() => t.close());

  it('has a fixture for every non-public route in the route table', () => {
    const missing = t.routes.filter((r) => r.access !== 'public' && !fixtures[key(r)]).map(key);
    expect(missing, 'routes without a matrix fixture').to.deep.equal([]);
  });

  it('answers 401 to every non-public route without a token, and with a bad one', async () => {
    for (const r of t.routes.filter((x) => x.access !== 'public')) {
      const call = await fixtures[key(r)](t, { id: t.principals.registrar.id, departmentId: t.deptA.id });
      const none = await send(t, r, call, {});
      expect(none.status, `${key(r)} without token`).to.equal(401);
      expect(none.body.error.code).to.equal('unauthorized');
      const bad = await send(t, r, call, { Authorization: 'Bearer odx_notarealtokennotarealtoken1234' });
      expect(bad.status, `${key(r)} with unknown token`).to.equal(401);
    }
  });

  it('gives each role exactly what the route declares, on its own, a colleague’s and another department’s targets', async () => {
    // a second account of each role in department A: own reach lets it act on its colleague's targets, self reach does not
    const colleagues = {} as Record<Role, { token: string }>;
    for (const role of ROLES) colleagues[role] = role === 'consumer' ? await makeConsumer(t.knex, 'a2.consumer', t.deptA) : await makePrincipal(t.knex, `a2.${role}`, role === 'developer' ? null : t.deptA.id, [role]);
    const callerOf = (role: Role, side: Side) =>
      side === 'own' ? t.auth(role, 'A') : side === 'other' ? t.auth(role, 'B') : { Authorization: `Bearer ${colleagues[role].token}` };
    const results: string[] = [];
    for (const r of t.routes.filter((x) => x.access !== 'public')) {
      for (const role of ROLES) {
        for (const side of ['own', 'colleague', 'other'] as const) {
          const owner = { id: t.principals[role].id, departmentId: role === 'developer' ? null : t.deptA.id };
          const call = await fixtures[key(r)](t, owner);
          const caller = callerOf(role, side);
          const res = await send(t, r, call, caller);
          const want = expected(r, role, side);
          const got = res.status >= 200 && res.status < 300 ? 'ok' : res.status;
          if (got !== want) results.push(`${key(r)} as ${role} on ${side}: expected ${want}, got ${res.status} ${JSON.stringify(res.body?.error ?? '')}`);
          if (got === 403) expect(res.body.error.code).to.equal('forbidden');
        }
      }
    }
    expect(results, results.join('\n')).to.deep.equal([]);
  });

  it('gives a person signed in by session cookie what the account\'s roles give, writes included (with the Origin)', async () => {
    const origin = new URL(t.services.config.publicBaseUrl).origin;
    const results: string[] = [];
    for (const r of t.routes.filter((x) => x.access !== 'public')) {
      const may = r.access === 'authenticated' ? 'registrar' : (Object.keys(r.access) as Role[])[0];
      const mayNot = r.access === 'authenticated' ? undefined : ROLES.find((role) => !(r.access as Record<string, unknown>)[role]);
      for (const role of mayNot ? [may, mayNot] : [may]) {
        const owner = { id: t.principals[role].id, departmentId: role === 'developer' ? null : t.deptA.id };
        const call = await fixtures[key(r)](t, owner);
        // a session of its own for each call: sign-out-everywhere and password changes end sessions
        const { secret } = await sessionOf(t, owner.id);
        const res = await send(t, r, call, { Cookie: `odx_session=${secret}`, Origin: origin });
        // the consumer role is a registered system's: a person's session never carries it
        const want = role === 'consumer' ? 403 : expected(r, role, 'own');
        const got = res.status >= 200 && res.status < 300 ? 'ok' : res.status;
        if (got !== want) results.push(`${key(r)} as ${role} by cookie: expected ${want}, got ${res.status} ${JSON.stringify(res.body?.error ?? '')}`);
      }
    }
    expect(results, results.join('\n')).to.deep.equal([]);
  });

  it('refuses write routes to a read-only token with 403, even for a role that may call them', async () => {
    // routes that write (verification is a POST that only reads: it declares scope 'read')
    for (const r of t.routes.filter((x) => x.access !== 'public' && (x.scope ?? (x.method === 'get' ? 'read' : 'write')) === 'write')) {
      const role = r.access === 'authenticated' ? 'registrar' : (Object.keys(r.access) as Role[])[0];
      const principal = t.principals[role];
      const tok = await runCommand(t.knex, { actor: TEST_ACTOR }, (ctx) => tokenCreator(ctx, { principalId: principal.id, name: 'ro', scopes: ['read'], expiresAt: null }));
      const call = await fixtures[key(r)](t, { id: principal.id, departmentId: t.deptA.id });
      const res = await send(t, r, call, { Authorization: `Bearer ${tok.secret}` });
      expect(res.status, key(r)).to.equal(403);
      expect(res.body.error.message, key(r)).to.contain("'write' scope");
    }
  });

  it('scopes lists: an officer sees only their department, a registrar only their own tokens', async () => {
    const officerList = await request(t.app).get('/api/v1/principals').set(t.auth('officer')).expect(200);
    expect(officerList.body.items.length).to.be.greaterThan(0);
    expect(everyOf(officerList.body.items, (p: { departmentId: number }) => p.departmentId === t.deptA.id)).to.equal(true);
    const tokens = await request(t.app).get('/api/v1/tokens').set(t.auth('registrar')).expect(200);
    expect(everyOf(tokens.body.items, (x: { principalId: number }) => x.principalId === t.principals.registrar.id)).to.equal(true);
    const asked = await request(t.app).get(`/api/v1/tokens?principalId=${t.principals.admin.id}`).set(t.auth('registrar')).expect(200);
    expect(asked.body.items).to.deep.equal([]);
  });

  it('stops an officer from granting roles beyond the department ones', async () => {
    const res = await request(t.app)
      .post('/api/v1/principals')
      .set(t.auth('officer'))
      .send({ login: `m.esc${next()}`, displayName: 'x', departmentId: t.deptA.id, roles: ['admin'] })
      .expect(403);
    expect(res.body.error.details).to.deep.equal({ roles: ['admin'] });
  });
});
