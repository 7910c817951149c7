import { z } from 'zod';
import { runCommand } from '../../audit/command.ts';
import { notFound, text } from '../../http/errors.ts';
import { route, type RouteSpec } from '../../http/route.ts';
import { catalogDocument, idParams } from '../../lib/zod-fields.ts';
import { UpdateQuery } from '../resources/schema.ts';
import { documentCreator, documentUpdater } from './commands.ts';
import { historyOf } from './history.ts';
import { KINDS, type CensusKind } from './kinds.ts';
import { bodyOwner, documentOwner } from './owner.ts';
import { presentDocument } from './presenter.ts';
import { listDocuments } from './queries.ts';
import { documentEntry, documentPage, History } from './schema.ts';

const ListQuery = z.object({
  q: z.string().trim().max(200).optional().describe('words the name contains (case-insensitive)'),
  department: z.coerce.number().int().positive().optional(),
  status: z.string().max(30).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const READ = { admin: 'any', authority: 'any', officer: 'own', registrar: 'own' } as const;
const WRITE = { officer: 'own', registrar: 'own' } as const;

/** List, show, create, replace and history of one census list, department-scoped and audited. */
export function documentRoutes(kind: Exclude<CensusKind, 'resource'>, plural: string): RouteSpec[] {
  const base = `/api/v1/${plural}`;
  const tags = [plural];
  const { table, list } = KINDS[kind];
  const Kind = kind[0].toUpperCase() + kind.slice(1);
  const Plural = plural[0].toUpperCase() + plural.slice(1);
  return [
    route({
      method: 'get',
      path: base,
      operationId: `list${Plural}`,
      summary: `List the ${list} entries you may see (keyset paging, newest first)`,
      tags,
      access: READ,
      query: ListQuery,
      response: documentPage(kind),
      scoped: true,
      handler: async ({ query, services, scoping }) => ({ body: await listDocuments(services.knex, table, query, scoping) }),
    }),
    route({
      method: 'get',
      path: `${base}/:id`,
      operationId: `get${Kind}`,
      summary: `Show a ${list} entry`,
      tags,
      access: READ,
      params: idParams,
      response: documentEntry(kind),
      owner: documentOwner(kind),
      handler: async ({ params, services }) => {
        const row = await services.knex(table).where({ id: params.id }).first();
        if (!row) throw notFound(text(`${KINDS[kind].noun} ${params.id}`, `${kind} ${params.id}`));
        return { body: presentDocument(row) };
      },
    }),
    route({
      method: 'get',
      path: `${base}/:id/history`,
      operationId: `get${Kind}History`,
      summary: `Every version of a ${list} entry, with who and when`,
      tags,
      access: READ,
      params: idParams,
      response: History,
      owner: documentOwner(kind),
      handler: async ({ params, services }) => {
        if (!(await services.knex(table).where({ id: params.id }).first('id'))) throw notFound(text(`${KINDS[kind].noun} ${params.id}`, `${kind} ${params.id}`));
        return { body: { items: await historyOf(services.knex, kind, params.id) } };
      },
    }),
    route({
      method: 'post',
      path: base,
      operationId: `create${Kind}`,
      summary: `Register a ${list} entry for your department`,
      tags,
      access: WRITE,
      body: catalogDocument(kind),
      response: documentEntry(kind),
      owner: bodyOwner(kind),
      responds: { status: 201, description: 'the new entry' },
      handler: async ({ body, services, actor, requestId }) => ({
        status: 201,
        body: presentDocument(await runCommand(services.knex, { actor, requestId }, (ctx) => documentCreator(ctx, kind, body))),
      }),
    }),
    route({
      method: 'put',
      path: `${base}/:id`,
      operationId: `replace${Kind}`,
      summary: `Replace a ${list} entry with a new version`,
      tags,
      access: WRITE,
      params: idParams,
      query: UpdateQuery,
      body: catalogDocument(kind),
      response: documentEntry(kind),
      owner: documentOwner(kind),
      handler: async ({ params, query, body, services, actor, requestId }) => ({
        body: presentDocument(await runCommand(services.knex, { actor, requestId }, (ctx) => documentUpdater(ctx, kind, params.id, body, query.version))),
      }),
    }),
  ];
}
