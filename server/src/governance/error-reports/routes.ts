import type { Knex } from 'knex';
import { runCommand } from '../../audit/command.ts';
import type { Principal } from '../../auth/roles.ts';
import { forbidden, notFound, text } from '../../http/errors.ts';
import { route, type Owner } from '../../http/route.ts';
import { idParams } from '../../lib/zod-fields.ts';
import { errorReportAnswerer, errorReportCreator, errorReportFixer } from './commands.ts';
import { errorReportView, listErrorReports } from './queries.ts';
import { AcceptBody, ErrorReportBody, ErrorReportPage, ErrorReportQuery, ErrorReportRecord, FixedBody, RejectBody } from './schema.ts';

const TAGS = ['governance'];
/** Who reads reports: the authority and admins all; department staff their department's (as provider or reporter); anyone else their own. */
const READ = { admin: 'any', authority: 'any', officer: 'own', registrar: 'own', developer: 'self', consumer: 'self' } as const;
const PROVIDER = { officer: 'own' } as const;

/**
 * A report belongs to its providing department and to the department (or account) that made it;
 * an answer is the providing department's alone, so the reporting side is refused by name.
 */
function reportOwner(side: 'both' | 'provider') {
  return async ({ params }: { params: { id: number } }, knex: Knex, caller: Principal): Promise<Owner> => {
    const r = await knex('odx.error_reports').where({ id: params.id }).first('provider_department_id', 'reporter_department_id', 'reporter_id');
    if (!r) throw notFound(text(`纠错 ${params.id}`, `error report ${params.id}`));
    const provider = Number(r.provider_department_id);
    if (side === 'provider') {
      if (caller.departmentId !== null && caller.departmentId !== provider && caller.departmentId === Number(r.reporter_department_id)) {
        throw forbidden(text(`纠错 ${params.id} 由提供部门答复；它是本部门提出的`, `only the providing department answers error report ${params.id}; your department made it`));
      }
      return { departmentId: provider };
    }
    return { departmentId: provider, alsoDepartmentIds: r.reporter_department_id === null ? [] : [Number(r.reporter_department_id)], principalId: r.reporter_id === null ? null : Number(r.reporter_id) };
  };
}

export const errorReportRoutes = [
  route({
    method: 'post',
    path: '/api/v1/error-reports',
    operationId: 'createErrorReport',
    summary: 'Report an error in a dataset one may read (校核纠错): the providing department answers within the working-day limit',
    tags: TAGS,
    // who may report is decided by the dataset (open, granted, own, oversight): policies/dataset-reach.ts
    access: 'authenticated',
    body: ErrorReportBody,
    response: ErrorReportRecord,
    responds: { status: 201, description: 'the report, open, with its deadline' },
    handler: async ({ body, principal, services, actor, requestId }) => {
      const row = await runCommand(services.knex, { actor, requestId }, (ctx) => errorReportCreator(ctx, principal!, body, services.config.errorReportDays));
      return { status: 201, body: await errorReportView(services.knex, row.id) };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/error-reports',
    operationId: 'listErrorReports',
    summary: 'Error reports: an officer’s inbox (role=provider), what one reported (role=reporter); state=, overdue=, resource=',
    tags: TAGS,
    access: READ,
    query: ErrorReportQuery,
    response: ErrorReportPage,
    scoped: true,
    handler: async ({ query, scoping, services }) => ({ body: await listErrorReports(services.knex, query, scoping) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/error-reports/:id',
    operationId: 'getErrorReport',
    summary: 'Show an error report and its answer',
    tags: TAGS,
    access: READ,
    params: idParams,
    response: ErrorReportRecord,
    owner: reportOwner('both'),
    handler: async ({ params, services }) => ({ body: await errorReportView(services.knex, params.id) }),
  }),
  route({
    method: 'post',
    path: '/api/v1/error-reports/:id/accept',
    operationId: 'acceptErrorReport',
    summary: 'The providing department’s officer accepts a report; naming the load that fixed it makes it fixed',
    tags: TAGS,
    access: PROVIDER,
    params: idParams,
    body: AcceptBody,
    response: ErrorReportRecord,
    owner: reportOwner('provider'),
    handler: async ({ params, body, services, actor, requestId }) => {
      await runCommand(services.knex, { actor, requestId }, (ctx) => errorReportAnswerer(ctx, params.id, { decision: 'accept', ...body }));
      return { body: await errorReportView(services.knex, params.id) };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/error-reports/:id/reject',
    operationId: 'rejectErrorReport',
    summary: 'The providing department’s officer rejects a report, with the reason',
    tags: TAGS,
    access: PROVIDER,
    params: idParams,
    body: RejectBody,
    response: ErrorReportRecord,
    owner: reportOwner('provider'),
    handler: async ({ params, body, services, actor, requestId }) => {
      await runCommand(services.knex, { actor, requestId }, (ctx) => errorReportAnswerer(ctx, params.id, { decision: 'reject', reason: body.reason }));
      return { body: await errorReportView(services.knex, params.id) };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/error-reports/:id/fixed',
    operationId: 'fixErrorReport',
    summary: 'Link an accepted report to the load that fixed it',
    tags: TAGS,
    access: PROVIDER,
    params: idParams,
    body: FixedBody,
    response: ErrorReportRecord,
    owner: reportOwner('provider'),
    handler: async ({ params, body, services, actor, requestId }) => {
      await runCommand(services.knex, { actor, requestId }, (ctx) => errorReportFixer(ctx, params.id, body.loadId));
      return { body: await errorReportView(services.knex, params.id) };
    },
  }),
];
