import type { Knex } from 'knex';
import { runCommand } from '../../audit/command.ts';
import { notFound, text } from '../../http/errors.ts';
import { route, type Owner } from '../../http/route.ts';
import { idParams } from '../../lib/zod-fields.ts';
import { alertAcknowledger, alertView, grantSuspenderFromAlert, listAlerts } from './alerts.ts';
import { AcknowledgeBody, AlertPage, AlertQuery, AlertRecord, SuspendFromAlertBody } from './schema.ts';

const TAGS = ['governance'];
/** The authority and admins see every alert; an officer those of their department (an alert on the authority's work has no department). */
const READ = { admin: 'any', authority: 'any', officer: 'own' } as const;

const alertOwner = async ({ params }: { params: { id: number } }, knex: Knex): Promise<Owner> => {
  const row = await knex('odx.alerts').where({ id: params.id }).first('department_id');
  if (!row) throw notFound(text(`提醒 ${params.id}`, `alert ${params.id}`));
  return { departmentId: row.department_id === null ? null : Number(row.department_id) };
};

export const alertRoutes = [
  route({
    method: 'get',
    path: '/api/v1/alerts',
    operationId: 'listAlerts',
    summary: 'The console’s notification list: requests and error reports about to be overdue, stale resources, leak watch; kind=, acknowledged=',
    tags: TAGS,
    access: READ,
    query: AlertQuery,
    response: AlertPage,
    scoped: true,
    handler: async ({ query, scoping, services }) => ({ body: await listAlerts(services.knex, query, scoping) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/alerts/:id',
    operationId: 'getAlert',
    summary: 'An alert with every attempt to post it to the webhook',
    tags: TAGS,
    access: READ,
    params: idParams,
    response: AlertRecord,
    owner: alertOwner,
    handler: async ({ params, services }) => ({ body: await alertView(services.knex, params.id) }),
  }),
  route({
    method: 'post',
    path: '/api/v1/alerts/:id/acknowledge',
    operationId: 'acknowledgeAlert',
    summary: 'Mark an alert as seen',
    tags: TAGS,
    access: READ,
    params: idParams,
    body: AcknowledgeBody,
    response: AlertRecord,
    owner: alertOwner,
    handler: async ({ params, services, actor, requestId }) => {
      await runCommand(services.knex, { actor, requestId }, (ctx) => alertAcknowledger(ctx, params.id));
      return { body: await alertView(services.knex, params.id) };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/alerts/:id/suspend-grant',
    operationId: 'suspendGrantFromAlert',
    summary: 'The authority suspends the grant a leak-watch alert names (the alert is acknowledged with it)',
    tags: TAGS,
    access: { authority: 'any' },
    params: idParams,
    body: SuspendFromAlertBody,
    response: AlertRecord,
    handler: async ({ params, body, principal, services, actor, requestId }) => {
      await runCommand(services.knex, { actor, requestId }, (ctx) => grantSuspenderFromAlert(ctx, params.id, body.reason, { departmentId: principal!.departmentId }));
      return { body: await alertView(services.knex, params.id) };
    },
  }),
];
