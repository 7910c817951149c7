import { z } from 'zod';
import { runCommand } from '../../audit/command.ts';
import { notFound, text } from '../../http/errors.ts';
import { route } from '../../http/route.ts';
import { idParams } from '../../lib/zod-fields.ts';
import { presentDocument } from '../documents/presenter.ts';
import { documentRoutes } from '../documents/routes.ts';
import { documentOwner } from '../documents/owner.ts';
import { demandCloser, demandLinker } from './commands.ts';
import { matchDemand } from './matching.ts';
import { DemandMatches, DemandWithLinks } from './schema.ts';

const WRITE = { officer: 'own', registrar: 'own' } as const;

/** Demands carry their transition times for the response-time indicators. */
function presentDemand(r: Record<string, any>, links: number[]) {
  return {
    ...presentDocument(r as any),
    reason: r.reason,
    links,
    matchedAt: r.matched_at,
    requestedAt: r.requested_at,
    fulfilledAt: r.fulfilled_at,
    unfulfillableAt: r.unfulfillable_at,
  };
}

export const demandRoutes = [
  ...documentRoutes('demand', 'demands'),
  route({
    method: 'get',
    path: '/api/v1/demands/:id/matches',
    operationId: 'listDemandMatches',
    summary: 'Suggest published resources for a demand, ranked by how well their names and items cover it (供需对接)',
    tags: ['demands'],
    access: { admin: 'any', authority: 'any', officer: 'own', registrar: 'own' },
    params: idParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(50).default(10) }),
    response: DemandMatches,
    owner: documentOwner('demand'),
    handler: async ({ params, query, services }) => {
      const row = await services.knex('odx.demands').where({ id: params.id }).first('doc');
      if (!row) throw notFound(text(`数据需求 ${params.id}`, `demand ${params.id}`));
      return { body: { items: await matchDemand(services.knex, row.doc, query.limit) } };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/demands/:id/links',
    operationId: 'linkDemand',
    summary: 'Link a demand to a resource that answers it (open -> matched)',
    tags: ['demands'],
    access: WRITE,
    params: idParams,
    body: z.object({ resourceId: z.number().int().positive() }),
    response: DemandWithLinks,
    owner: documentOwner('demand'),
    responds: { status: 200, description: 'the demand with its links' },
    handler: async ({ params, body, services, actor, requestId }) => {
      const row = await runCommand(services.knex, { actor, requestId }, (ctx) => demandLinker(ctx, params.id, body.resourceId));
      const links = (await services.knex('odx.demand_links').where({ demand_id: params.id }).orderBy('resource_id')).map((l: { resource_id: number }) => l.resource_id);
      return { body: presentDemand(row, links) };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/demands/:id/unfulfillable',
    operationId: 'closeDemandUnfulfillable',
    summary: 'Close a demand nothing can answer, with the reason',
    tags: ['demands'],
    access: { ...WRITE, authority: 'any' },
    params: idParams,
    body: z.object({ reason: z.string().min(2).max(2000) }),
    response: DemandWithLinks,
    owner: documentOwner('demand'),
    responds: { status: 200, description: 'the closed demand' },
    handler: async ({ params, body, services, actor, requestId }) => {
      const row = await runCommand(services.knex, { actor, requestId }, (ctx) => demandCloser(ctx, params.id, body.reason));
      return { body: presentDemand(row, []) };
    },
  }),
];
