import { recordEvents, runCommand } from '../../audit/command.ts';
import { notFound, text } from '../../http/errors.ts';
import { route, type RouteSpec } from '../../http/route.ts';
import { catalogDocument, idParams } from '../../lib/zod-fields.ts';
import { seesOwnDataValues } from '../../policies/data-values.ts';
import { documentCreator, documentUpdater } from '../documents/commands.ts';
import { historyOf } from '../documents/history.ts';
import { bodyOwner, documentOwner } from '../documents/owner.ts';
import { resourceStepper, type LifecycleStep } from './lifecycle.ts';
import { presentResource } from './presenter.ts';
import { History } from '../documents/schema.ts';
import { visibleResource } from './queries.ts';
import { ResourceListQuery, ResourceRecord, ResourceSearchPage, StepBody, UpdateQuery } from './schema.ts';
import { searchResources } from './search.ts';

/** Reading the catalogue: every department sees published entries; its own drafts only its own staff (and the authority). */
const READERS = { admin: 'any', authority: 'any', officer: 'own', registrar: 'own', consumer: 'own' } as const;
const WRITERS = { officer: 'own', registrar: 'own' } as const;

function stepRoute(step: LifecycleStep, summary: string, access: RouteSpec['access']) {
  return route({
    method: 'post',
    path: `/api/v1/resources/:id/${step}`,
    operationId: `${step}Resource`,
    summary,
    tags: ['resources'],
    access,
    params: idParams,
    body: StepBody,
    response: ResourceRecord,
    owner: documentOwner('resource'),
    responds: { status: 200, description: 'the resource after the step' },
    handler: async ({ params, body, services, actor, requestId }) => {
      const row = await runCommand(services.knex, { actor, requestId }, (ctx) => resourceStepper(ctx, params.id, step, body.note, { fourEyes: services.config.fourEyes, approvalDays: services.config.resourceApprovalDays }));
      return { body: presentResource(row, true) };
    },
  });
}

export const resourceRoutes = [
  route({
    method: 'get',
    path: '/api/v1/resources',
    operationId: 'searchResources',
    summary: 'Search the catalogue (数据清单): Chinese full text, facets, keyset paging',
    tags: ['resources'],
    access: READERS,
    query: ResourceListQuery,
    response: ResourceSearchPage,
    scoped: true,
    handler: async ({ query, services, scoping }) => ({ body: await searchResources(services.knex, query, scoping) }),
  }),
  route({
    method: 'get',
    path: '/api/v1/resources/:id',
    operationId: 'getResource',
    summary: 'Show a catalogue entry (drafts only to its department and the authority; the quality profile’s values only to its department, audited)',
    tags: ['resources'],
    access: READERS,
    params: idParams,
    response: ResourceRecord,
    scoped: true,
    handler: async ({ params, services, scoping, principal, actor, requestId }) => {
      const { row, own } = await visibleResource(services.knex, params.id, scoping);
      const seesValues = row.current_version !== null && seesOwnDataValues(principal, row.department_id);
      if (seesValues) {
        // the profile's smallest and largest values are values of the data: seen like a read
        await recordEvents(services.knex, { actor, requestId }, [
          { action: 'data.profile.read', departmentId: row.department_id, targetType: 'resource', targetId: row.id, detail: { code: row.code, version: row.current_version } },
        ]);
      }
      return { body: presentResource(row, own, seesValues) };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/resources/:id/history',
    operationId: 'getResourceHistory',
    summary: 'Every version and lifecycle step of a resource, with who and when',
    tags: ['resources'],
    access: { admin: 'any', authority: 'any', officer: 'own', registrar: 'own' },
    params: idParams,
    response: History,
    owner: documentOwner('resource'),
    handler: async ({ params, services }) => {
      if (!(await services.knex('odx.resources').where({ id: params.id }).first('id'))) throw notFound(text(`数据资源 ${params.id}`, `resource ${params.id}`));
      return { body: { items: await historyOf(services.knex, 'resource', params.id) } };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/resources',
    operationId: 'createResource',
    summary: 'Register a data resource (a draft catalogue entry) for your department',
    tags: ['resources'],
    access: WRITERS,
    body: catalogDocument('resource'),
    response: ResourceRecord,
    owner: bodyOwner('resource'),
    responds: { status: 201, description: 'the new draft' },
    handler: async ({ body, services, actor, requestId }) => {
      const row = await runCommand(services.knex, { actor, requestId }, (ctx) => documentCreator(ctx, 'resource', body));
      return { status: 201, body: presentResource(row, true) };
    },
  }),
  route({
    method: 'put',
    path: '/api/v1/resources/:id',
    operationId: 'replaceResource',
    summary: 'Replace the working document (a published entry gets a revision; the published one stays visible)',
    tags: ['resources'],
    access: WRITERS,
    params: idParams,
    query: UpdateQuery,
    body: catalogDocument('resource'),
    response: ResourceRecord,
    owner: documentOwner('resource'),
    handler: async ({ params, query, body, services, actor, requestId }) => {
      const row = await runCommand(services.knex, { actor, requestId }, (ctx) => documentUpdater(ctx, 'resource', params.id, body, query.version));
      return { body: presentResource(row, true) };
    },
  }),
  stepRoute('submit', 'Submit a draft for the officer’s approval', WRITERS),
  stepRoute('withdraw', 'Take a submitted entry back to draft', WRITERS),
  stepRoute('approve', 'Approve a submitted entry (the department’s officer)', { officer: 'own' }),
  stepRoute('return', 'Send an entry back to draft with a reason', { officer: 'own', authority: 'any' }),
  stepRoute('publish', 'Publish an approved entry to the catalogue; assigns its code on first publication', { authority: 'any' }),
  stepRoute('retire', 'Retire a published entry', { authority: 'any' }),
];
