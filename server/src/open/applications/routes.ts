import { runCommand } from '../../audit/command.ts';
import type { Config } from '../../config.ts';
import { maskRulesOf } from '../../data/view.ts';
import { route } from '../../http/route.ts';
import { idParams } from '../../lib/zod-fields.ts';
import { applicationApprover, applicationCreator, applicationRefuser, applicationWithdrawer, type ApplicationPolicy } from './commands.ts';
import { applicationOwner, applicationView, conditionalDataset, conditionalDatasets, listApplications } from './queries.ts';
import {
  ApplicationApproveBody,
  ApplicationBody,
  ApplicationListQuery,
  ApplicationRefuseBody,
  ApplicationWithdrawBody,
  CodeParams,
  ConditionalDataset,
  ConditionalDatasetList,
  OpenApplicationPage,
  OpenApplicationView,
} from './schema.ts';

const TAGS = ['open data applications'];
/** Who sees applications: the developer who made one, the providing department's officer, the authority and admins. */
const READ = { developer: 'self', officer: 'own', authority: 'any', admin: 'any' } as const;

function policyOf(config: Config): ApplicationPolicy {
  return { limitDays: config.openApplicationDays, defaultRate: config.shareDefaultRate, maskRules: maskRulesOf(config) };
}

const owner = async ({ params }: { params: { id: number } }, knex: Parameters<typeof applicationOwner>[0]) => applicationOwner(knex, params.id);

export const openApplicationRoutes = [
  route({
    method: 'get',
    path: '/api/v1/conditional-datasets',
    operationId: 'listConditionalDatasets',
    summary: 'Conditionally open datasets (有条件开放): metadata, conditions and the items one may apply for — never their rows',
    tags: TAGS,
    access: 'public',
    response: ConditionalDatasetList,
    handler: async ({ services }) => ({ body: await conditionalDatasets(services.knex, maskRulesOf(services.config), services.config.openApplicationDays) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/conditional-datasets/:code',
    operationId: 'getConditionalDataset',
    summary: 'One conditionally open dataset: its metadata, 开放条件 and the items one may apply for',
    tags: TAGS,
    access: 'public',
    params: CodeParams,
    response: ConditionalDataset,
    handler: async ({ params, services }) => ({ body: await conditionalDataset(services.knex, params.code, maskRulesOf(services.config), services.config.openApplicationDays) }),
  }),
  route({
    method: 'post',
    path: '/api/v1/open-applications',
    operationId: 'createOpenApplication',
    summary: 'Apply for a conditionally open dataset (有条件开放申请) as a signed-in developer: schema-validated; the providing department answers within its working-day limit',
    tags: TAGS,
    access: { developer: 'any' },
    body: ApplicationBody,
    response: OpenApplicationView,
    responds: { status: 201, description: 'the application, waiting for the providing department, with its deadline' },
    handler: async ({ body, principal, services, actor, requestId }) => {
      const row = await runCommand(services.knex, { actor, requestId }, (ctx) => applicationCreator(ctx, policyOf(services.config), principal!.id, body));
      return { status: 201, body: await applicationView(services.knex, row.id) };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/open-applications',
    operationId: 'listOpenApplications',
    summary: 'Open-data applications: a developer’s own, those a department answers (state=provider_review&overdue=true: overdue ones), all for the authority',
    tags: TAGS,
    access: READ,
    query: ApplicationListQuery,
    response: OpenApplicationPage,
    scoped: true,
    handler: async ({ query, scoping, services }) => ({ body: await listApplications(services.knex, query, scoping) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/open-applications/:id',
    operationId: 'getOpenApplication',
    summary: 'One open-data application with its deadline and the grant its approval made',
    tags: TAGS,
    access: READ,
    params: idParams,
    response: OpenApplicationView,
    owner,
    handler: async ({ params, services }) => ({ body: await applicationView(services.knex, params.id) }),
  }),
  route({
    method: 'post',
    path: '/api/v1/open-applications/:id/approve',
    operationId: 'approveOpenApplication',
    summary: 'The providing department’s officer approves, possibly for fewer items, a row filter, a shorter period, a lower rate: a grant bound to the developer’s account and keys',
    tags: TAGS,
    access: { officer: 'own' },
    params: idParams,
    body: ApplicationApproveBody,
    response: OpenApplicationView,
    owner,
    responds: { status: 200, description: 'the application, granted, with its grant' },
    handler: async ({ params, body, principal, services, actor, requestId }) => {
      await runCommand(services.knex, { actor, requestId }, (ctx) => applicationApprover(ctx, policyOf(services.config), params.id, body, principal!.id));
      return { body: await applicationView(services.knex, params.id) };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/open-applications/:id/refuse',
    operationId: 'refuseOpenApplication',
    summary: 'The providing department’s officer refuses, with the reason the developer sees',
    tags: TAGS,
    access: { officer: 'own' },
    params: idParams,
    body: ApplicationRefuseBody,
    response: OpenApplicationView,
    owner,
    responds: { status: 200, description: 'the application, refused' },
    handler: async ({ params, body, principal, services, actor, requestId }) => {
      await runCommand(services.knex, { actor, requestId }, (ctx) => applicationRefuser(ctx, params.id, body.reason, principal!.id));
      return { body: await applicationView(services.knex, params.id) };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/open-applications/:id/withdraw',
    operationId: 'withdrawOpenApplication',
    summary: 'The developer withdraws an application not yet answered',
    tags: TAGS,
    access: { developer: 'self' },
    params: idParams,
    body: ApplicationWithdrawBody,
    response: OpenApplicationView,
    owner,
    responds: { status: 200, description: 'the application, withdrawn' },
    handler: async ({ params, body, services, actor, requestId }) => {
      await runCommand(services.knex, { actor, requestId }, (ctx) => applicationWithdrawer(ctx, params.id, body.note));
      return { body: await applicationView(services.knex, params.id) };
    },
  }),
];
