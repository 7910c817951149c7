import { z } from 'zod';
import type { Knex } from 'knex';
import { DOWNLOAD_FORMATS, CONTENT_TYPES, streamDownload } from '../data/download.ts';
import { parseRowQuery, queryRows } from '../data/query.ts';
import { auditRead } from '../data/reads.ts';
import { buildView } from '../data/view.ts';
import { badRequest, notFound } from '../http/errors.ts';
import { route, type Services } from '../http/route.ts';

const CodeParams = z.object({ code: z.string().min(1).max(100) });

/** A dataset of the open catalogue: a published, unretired resource that is 无条件开放. */
export async function findOpenDataset(knex: Knex, code: string): Promise<{ id: number; department_id: number; code: string; [column: string]: any }> {
  const r = await knex('odx.resources').where({ code, open_type: 'open' }).whereNotNull('published_doc').whereNull('retired_at').first();
  if (!r) throw notFound(`open dataset ${code}`);
  return r;
}

/** The open dataset and its current version in one query, as the public may see it. */
async function openView(services: Services, code: string) {
  const r = await services.knex('odx.resources as r')
    .leftJoin('odx.resource_versions as v', (j) => j.on('v.resource_id', 'r.id').andOn('v.version', 'r.current_version'))
    .where({ 'r.code': code, 'r.open_type': 'open' })
    .whereNotNull('r.published_doc')
    .whereNull('r.retired_at')
    .first('r.id', 'r.code', 'r.department_id', 'v.version', 'v.table_name', 'v.items');
  if (!r) throw notFound(`open dataset ${code}`);
  if (!r.version) throw notFound(`data of ${code} (nothing has been loaded yet)`);
  const view = buildView({ resourceId: r.id, version: r.version, table: r.table_name, items: r.items }, services.config, { kind: 'open' });
  return { resource: { id: r.id as number, code: r.code as string, department_id: r.department_id as number }, view };
}

export const openDataRoutes = [
  route({
    method: 'get',
    path: '/api/v1/datasets/:code/rows',
    summary: 'Query the rows of an open dataset: fields, filter[col][op], sort, limit, keyset cursor, count',
    tags: ['open data'],
    access: 'public',
    params: CodeParams,
    handler: async ({ params, services, req, res, actor, requestId }) => {
      const { resource, view } = await openView(services, params.code);
      const query = parseRowQuery(req.query as Record<string, unknown>, view);
      const page = await queryRows(services.knex, view, query);
      await auditRead(services.knex, { actor, requestId }, { action: 'dataset.rows', resource, view, query, rows: page.items.length });
      const meta = { next: page.next, ...(page.count !== undefined ? { count: page.count, countKind: page.countKind } : {}), version: view.version };
      res.type('application/json').send(`{"items":[${page.items.join(',')}],${JSON.stringify(meta).slice(1)}`);
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/datasets/:code/download',
    summary: 'Download an open dataset (csv, ndjson, json, arrow, xlsx), streamed; the row filters apply',
    tags: ['open data'],
    access: 'public',
    params: CodeParams,
    handler: async ({ params, services, req, res, actor, requestId }) => {
      const { resource, view } = await openView(services, params.code);
      const format = (req.query.format ?? 'csv') as (typeof DOWNLOAD_FORMATS)[number];
      const { format: _f, bom, ...rest } = req.query as Record<string, unknown>;
      if (!DOWNLOAD_FORMATS.includes(format)) {
        throw badRequest(`unknown format ${String(format)}`, [{ in: 'query', path: '/format', message: `one of ${DOWNLOAD_FORMATS.join(', ')}` }]);
      }
      const query = parseRowQuery(rest, view, { maxLimit: Number.MAX_SAFE_INTEGER, defaultLimit: Number.MAX_SAFE_INTEGER });
      const limited = rest.limit !== undefined ? query.limit : null;
      // attachment() guesses a type from the file name, so the exact type is set after it
      res.status(200).attachment(`${resource.code.replace('/', '-')}.${format}`).type(CONTENT_TYPES[format]);
      const result = await streamDownload(services.streams, view, query, format, res, { bom: bom === '1' || bom === 'true', limit: limited });
      await auditRead(services.knex, { actor, requestId }, { action: 'dataset.download', resource, view, query, rows: result.rows, format, extra: result.aborted ? { aborted: true } : {} });
    },
  }),
];
