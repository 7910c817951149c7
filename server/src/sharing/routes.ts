import type { Knex } from 'knex';
import { z } from 'zod';
import { recordEvents, runCommand, type CommandContext } from '../audit/command.ts';
import type { Principal } from '../auth/roles.ts';
import { tokenExpiry } from '../auth/tokens.ts';
import { forbidden, notFound, text } from '../http/errors.ts';
import { route, type Owner } from '../http/route.ts';
import { idParams } from '../lib/zod-fields.ts';
import { credentialCreator } from './credentials.ts';
import { enforceRate } from './grant-rate.ts';
import { assertGrantedItems, grantedResource, whyNoGrant, type GrantedResource } from './live-grants.ts';
import { purposeOf } from './purpose.ts';
import { boundSystem } from './credentials.ts';
import { grantStepper, presentGrant, type GrantStep } from './grants.ts';
import { presentRequest, stepsOf } from './presenter.ts';
import { grantRow, listCredentials, listGrants, listShareRequests } from './queries.ts';
import { verifyMatch } from './verify.ts';
import {
  complianceRejecter,
  compliancePasser,
  disputeDecider,
  requestApprover,
  requestCreator,
  requestDisputer,
  requestRefuser,
  requestWithdrawer,
  sharingPolicy,
  type SharingPolicy,
} from './requests.ts';
import {
  ApproveBody,
  CheckBody,
  CredentialCreated,
  CredentialList,
  GrantPage,
  GrantRecord,
  ShareRequestPage,
  ShareRequestView,
  VerifyResult,
  CreateQuery,
  CredentialBody,
  DecideBody,
  DisputeBody,
  GrantListQuery,
  InboxQuery,
  ReasonBody,
  RequestBody,
  VerifyBody,
  WithdrawBody,
} from './schema.ts';

const TAGS = ['sharing'];
/** Who sees share requests and grants: the authority and admins all; a department's officer and registrar those it consumes or provides. */
const READ = { admin: 'any', authority: 'any', officer: 'own', registrar: 'own' } as const;
const CONSUMER_STAFF = { officer: 'own', registrar: 'own' } as const;

type Side = 'consumer' | 'provider' | 'both';
const SIDE_ZH: Record<Side, string> = { consumer: '申请方', provider: '提供方', both: '双方' };
const WHAT_ZH = { grant: '授权', 'share request': '共享申请' } as const;

/**
 * The department a share request (or grant) belongs to for a step: its consumer, its provider
 * or both (reads). Calling from the wrong side is refused with what the step needs.
 */
function partyOwner(table: 'odx.share_requests' | 'odx.grants', side: Side, step?: string) {
  const what = table === 'odx.grants' ? 'grant' : 'share request';
  return async ({ params }: { params: { id: number } }, knex: Knex, caller: Principal): Promise<Owner> => {
    const r = await knex(table).where({ id: params.id }).first('consumer_department_id', 'provider_department_id');
    if (!r) throw notFound(text(`${WHAT_ZH[what]} ${params.id}`, `${what} ${params.id}`));
    if (side === 'both') return { departmentId: r.consumer_department_id, alsoDepartmentIds: [r.provider_department_id] };
    const [own, other] = side === 'consumer' ? [r.consumer_department_id, r.provider_department_id] : [r.provider_department_id, r.consumer_department_id];
    if (caller.departmentId === other) {
      throw forbidden(
        text(
          `只有${SIDE_ZH[side]}部门可以对${WHAT_ZH[what]} ${params.id} 执行 ${step}；贵部门是其${SIDE_ZH[side === 'consumer' ? 'provider' : 'consumer']}部门`,
          `only the ${side} department may ${step} ${what} ${params.id}; your department is its ${side === 'consumer' ? 'provider' : 'consumer'}`,
        ),
      );
    }
    return { departmentId: own };
  };
}

/** A request with its resource's name, steps and grant. */
async function requestView(knex: Knex, id: number) {
  const row = await knex('odx.share_requests as s').join('odx.resources as r', 'r.id', 's.resource_id').where('s.id', id).first('s.*', 'r.name as resource_name');
  if (!row) throw notFound(text(`共享申请 ${id}`, `share request ${id}`));
  const grant = row.grant_id ? await grantRow(knex, row.grant_id) : null;
  return { ...presentRequest(row), steps: await stepsOf(knex, id), grant: grant ? presentGrant(grant) : null };
}

function requestStep<B extends z.ZodType>(
  step: string,
  summary: string,
  access: Record<string, 'any' | 'own'>,
  body: B,
  side: Side | null,
  run: (ctx: CommandContext, id: number, body: z.infer<B>, policy: SharingPolicy) => Promise<unknown>,
) {
  return route({
    method: 'post',
    path: `/api/v1/share-requests/:id/${step}`,
    operationId: `${step}ShareRequest`,
    summary,
    tags: TAGS,
    access,
    params: idParams,
    body,
    response: ShareRequestView,
    ...(side ? { owner: partyOwner('odx.share_requests', side, step) } : {}),
    responds: { status: 200, description: 'the request after the step, with its steps and grant' },
    handler: async ({ params, body: input, services, actor, requestId }) => {
      const policy = sharingPolicy(services.config);
      await runCommand(services.knex, { actor, requestId }, (ctx) => run(ctx, params.id, input, policy));
      return { body: await requestView(services.knex, params.id) };
    },
  });
}

function grantStep(step: GrantStep, summary: string, body: z.ZodType<{ reason?: string }>) {
  return route({
    method: 'post',
    path: `/api/v1/grants/:id/${step}`,
    operationId: `${step}Grant`,
    summary,
    tags: TAGS,
    access: { officer: 'own', authority: 'any' },
    params: idParams,
    body,
    response: GrantRecord,
    owner: partyOwner('odx.grants', 'provider', step),
    responds: { status: 200, description: 'the grant after the step' },
    handler: async ({ params, body: input, principal, services, actor, requestId }) => {
      await runCommand(services.knex, { actor, requestId }, (ctx) => grantStepper(ctx, params.id, step, input.reason, { departmentId: principal!.departmentId }));
      return { body: presentGrant(await grantRow(services.knex, params.id)) };
    },
  });
}

export const sharingRoutes = [
  route({
    method: 'post',
    path: '/api/v1/share-requests',
    operationId: 'createShareRequest',
    summary: 'Request another department’s data (共享申请): schema-validated; unconditional data is granted at once',
    tags: TAGS,
    access: CONSUMER_STAFF,
    query: CreateQuery,
    body: RequestBody,
    response: ShareRequestView,
    // the consumer is the caller's department; a demand or system the request names must be the caller's too
    owner: async ({ body }, knex, caller) => {
      for (const [table, id] of [
        ['odx.demands', body.demandId],
        ['odx.systems', body.consumerSystem],
      ] as const) {
        if (typeof id !== 'number' || !Number.isInteger(id)) continue;
        const row = await knex(table).where({ id }).first('department_id');
        if (row && row.department_id !== caller.departmentId) return { departmentId: row.department_id };
      }
      return { departmentId: caller.departmentId };
    },
    responds: { status: 201, description: 'the request (state granted when granted at once), with its steps and grant' },
    handler: async ({ query, body, principal, services, actor, requestId }) => {
      const policy = sharingPolicy(services.config);
      const row = await runCommand(services.knex, { actor, requestId }, (ctx) =>
        requestCreator(ctx, policy, { consumerDepartmentId: principal!.departmentId!, requestedBy: principal!.id, doc: body, dispute: query.dispute }),
      );
      return { status: 201, body: await requestView(services.knex, row.id) };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/share-requests',
    operationId: 'listShareRequests',
    summary: 'Inbox of share requests: role=consumer|provider|authority, state=a,b, overdue=true (deadlines in working days)',
    tags: TAGS,
    access: READ,
    query: InboxQuery,
    response: ShareRequestPage,
    scoped: true,
    handler: async ({ query, scoping, services }) => ({ body: await listShareRequests(services.knex, query, scoping) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/share-requests/:id',
    operationId: 'getShareRequest',
    summary: 'Show a share request with every step (who, when, late or not) and its grant',
    tags: TAGS,
    access: READ,
    params: idParams,
    response: ShareRequestView,
    owner: partyOwner('odx.share_requests', 'both'),
    handler: async ({ params, services }) => ({ body: await requestView(services.knex, params.id) }),
  }),
  requestStep('check', 'Compliance check by the data authority: pass (moves on by share type) or reject with a reason', { authority: 'any' }, CheckBody, null, (ctx, id, b, policy) =>
    b.decision === 'pass' ? compliancePasser(ctx, policy, id, { note: b.reason }) : complianceRejecter(ctx, id, b.reason!),
  ),
  requestStep(
    'approve',
    'The provider’s officer approves, possibly for fewer items, a shorter period, a lower rate, a row filter, named masked items raw',
    { officer: 'own' },
    ApproveBody,
    'provider',
    (ctx, id, b, policy) => requestApprover(ctx, policy, id, b),
  ),
  requestStep('refuse', 'The provider’s officer refuses, with the reason', { officer: 'own' }, ReasonBody, 'provider', (ctx, id, b) => requestRefuser(ctx, id, b.reason)),
  requestStep('dispute', 'The consumer disputes a refusal before the data authority', CONSUMER_STAFF, DisputeBody, 'consumer', (ctx, id, b, policy) => requestDisputer(ctx, policy, id, b)),
  requestStep('decide', 'The data authority decides a dispute: grant (with terms) or deny, with the reason', { authority: 'any' }, DecideBody, null, (ctx, id, b, policy) =>
    disputeDecider(ctx, policy, id, b),
  ),
  requestStep('withdraw', 'The consumer withdraws a request not yet decided', CONSUMER_STAFF, WithdrawBody, 'consumer', (ctx, id, b) => requestWithdrawer(ctx, id, b.note)),

  route({
    method: 'get',
    path: '/api/v1/grants',
    operationId: 'listGrants',
    summary: 'Grants your department holds or gave: role=consumer|provider, status=active,suspended,revoked,superseded,expired',
    tags: TAGS,
    access: { ...READ, consumer: 'own' },
    query: GrantListQuery,
    response: GrantPage,
    scoped: true,
    handler: async ({ query, scoping, services }) => ({ body: await listGrants(services.knex, query, scoping) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/grants/:id',
    operationId: 'getGrant',
    summary: 'Show a grant: items, row filter, raw items, modes, period, call rate, status',
    tags: TAGS,
    access: { ...READ, consumer: 'own' },
    params: idParams,
    response: GrantRecord,
    owner: partyOwner('odx.grants', 'both'),
    handler: async ({ params, services }) => ({ body: presentGrant(await grantRow(services.knex, params.id)) }),
  }),
  grantStep('suspend', 'Suspend a grant at once (the provider’s officer or the authority), with the reason', ReasonBody),
  grantStep('resume', 'Resume a suspended grant', z.object({ reason: z.string().trim().min(2).max(2000).optional() }).strict().default({})),
  grantStep('revoke', 'Revoke a grant at once and for good, with the reason', ReasonBody),

  route({
    method: 'post',
    path: '/api/v1/consumer-credentials',
    operationId: 'createConsumerCredential',
    summary: 'Create a consumer credential bound to one of your department’s systems (系统清单), with its read-only token (shown once)',
    tags: TAGS,
    access: { officer: 'own' },
    body: CredentialBody,
    response: CredentialCreated,
    owner: async ({ body }, knex) => {
      const sys = await knex('odx.systems').where({ id: body.systemId }).first('department_id');
      if (!sys) throw notFound(text(`业务系统 ${body.systemId}`, `system ${body.systemId}`));
      return { departmentId: sys.department_id };
    },
    responds: { status: 201, description: 'the credential and its token with the secret, shown once' },
    handler: async ({ body, principal, services, actor, requestId }) => {
      const expiresAt = tokenExpiry(body.expiresInDays, { admin: principal!.roles.includes('admin'), defaultDays: services.config.tokenDefaultDays });
      const created = await runCommand(services.knex, { actor, requestId }, (ctx) =>
        credentialCreator(ctx, { systemId: body.systemId, login: body.login, displayName: body.displayName, expiresAt }),
      );
      return { status: 201, body: created };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/consumer-credentials',
    operationId: 'listConsumerCredentials',
    summary: 'Consumer credentials and the systems they are bound to',
    tags: TAGS,
    access: { admin: 'any', authority: 'any', officer: 'own' },
    scoped: true,
    response: CredentialList,
    handler: async ({ scoping, services }) => ({ body: await listCredentials(services.knex, scoping) }),
  }),

  route({
    method: 'post',
    path: '/api/v1/shared/:code/verify',
    operationId: 'verifySharedData',
    summary: 'Verification (核验): does a record with these values exist? Answers { matched } and nothing else; needs a live verify grant',
    tags: TAGS,
    access: { consumer: 'own' },
    scope: 'read',
    params: z.object({ code: z.string().min(1).max(100) }),
    body: VerifyBody,
    response: VerifyResult,
    owner: async ({ params }, knex, caller) => {
      const found = await grantedResource(knex, { departmentId: caller.departmentId, ref: params.code, mode: 'verify' });
      if (!found) throw notFound(text(`数据资源 ${params.code}`, `resource ${params.code}`));
      if (!found.grant) throw forbidden(await whyNoGrant(knex, { departmentId: caller.departmentId, resourceId: found.resourceId, mode: 'verify' }));
      return { departmentId: caller.departmentId, target: found };
    },
    responds: { status: 200, description: '{ matched: true | false }' },
    handler: async ({ params, body, principal, services, actor, requestId, req, res, target }) => {
      const knex = services.knex;
      const found = (target as GrantedResource | undefined) ?? (await grantedResource(knex, { departmentId: principal!.departmentId, ref: params.code, mode: 'verify' }));
      if (!found?.grant) throw forbidden(text(`数据资源 ${params.code} 上没有生效的核验授权`, `no live verify grant on resource ${params.code}`));
      const grant = found.grant;
      const purpose = purposeOf(req, body.purpose);
      assertGrantedItems(grant, Object.keys(body.match));
      await enforceRate(knex, grant, res);
      const result = await verifyMatch(knex, grant, body.match, found.version);
      const system = await boundSystem(knex, principal!.id);
      await recordEvents(knex, { actor, requestId }, [
        {
          action: 'shared.verify',
          departmentId: grant.consumerDepartmentId,
          targetType: 'grant',
          targetId: grant.id,
          purpose,
          rows: 0,
          detail: {
            resource: grant.resourceCode,
            provider: grant.providerDepartmentId,
            items: result.items,
            matched: result.matched,
            version: result.version,
            ...(system ? { system } : {}),
          },
        },
      ]);
      return { body: { matched: result.matched } };
    },
  }),
];
