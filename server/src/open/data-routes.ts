import { z } from 'zod';
import type { Query } from '../db/replicas.ts';
import { DOWNLOAD_FORMATS, CONTENT_TYPES, downloadOptions, streamDownload } from '../data/download.ts';
import { pageJson, parseRowQuery, queryRows } from '../data/query.ts';
import { deniedAudited } from '../data/denials.ts';
import { auditRead } from '../data/reads.ts';
import { buildView, type DataView } from '../data/view.ts';
import { badRequest, notFound, text } from '../http/errors.ts';
import { sendJsonText } from '../http/respond.ts';
import { route, written, type Services } from '../http/route.ts';
import { DOWNLOAD_MEDIA_TYPES, RowsPage } from '../data/schema.ts';

const CodeParams = z.object({ code: z.string().min(1).max(100) });

interface OpenDataset {
  resource: { id: number; code: string; name: string; department_id: number };
  /** The public's view of the current version; null when nothing is loaded yet. */
  view: DataView | null;
}

/** The open dataset with its current version, in one statement: pointer and version as of one moment. */
const OPEN_DATASET_SQL = `select r.id, r.code, r.name, r.department_id, v.version, v.table_name, v.items
  from odx.resources r left join odx.resource_versions v on v.resource_id = r.id and v.version = r.current_version
  where r.code = ? and r.open_type = 'open' and r.published_doc is not null and r.retired_at is null limit 1`;

function openDatasetOf(services: Services, r: Record<string, any> | undefined): OpenDataset | undefined {
  if (!r) return undefined;
  return {
    resource: { id: r.id as number, code: r.code as string, name: r.name as string, department_id: r.department_id as number },
    view: r.version ? buildView({ resourceId: r.id, version: r.version, table: r.table_name, items: r.items }, services.config, { kind: 'open' }) : null,
  };
}

/** The open dataset and the public's view of its current version as `query` (a reader's snapshot) sees it. */
async function openDataset(services: Services, query: Query, code: string): Promise<OpenDataset | undefined> {
  return openDatasetOf(services, (await query(OPEN_DATASET_SQL, [code]))[0]);
}

/** The open dataset as the public may see it: 404 when it is not open or has no data yet. */
function openView(found: OpenDataset | undefined, code: string) {
  if (!found) throw notFound(text(`开放数据集 ${code}`, `open dataset ${code}`));
  if (!found.view) throw notFound(text(`${code} 的数据（尚未装载任何数据）`, `data of ${code} (nothing has been loaded yet)`));
  return { resource: found.resource, view: found.view };
}

export const openDataRoutes = [
  route({
    method: 'get',
    path: '/api/v1/datasets/:code/rows',
    operationId: 'queryDatasetRows',
    summary: 'Query the rows of an open dataset: fields, filter[col][op], sort, limit, keyset cursor, count',
    tags: ['open data'],
    access: 'public',
    params: CodeParams,
    response: RowsPage,
    handler: async ({ params, services, req, res, actor, requestId, principal }) => {
      // the dataset's current version is cached while known current (db/replicas.ts): a lookup is then one statement
      const { resource, view, query, page } = await services.replicas.read(principal, (reader) =>
        reader.pointed('open-dataset', params.code, (q) => openDataset(services, q, params.code), async (knex, found) => {
          const { resource, view } = openView(found, params.code);
          const query = await deniedAudited(services.knex, { actor, requestId }, { action: 'dataset.rows', resource }, () => parseRowQuery(req.query as Record<string, unknown>, view));
          return { resource, view, query, page: await queryRows(knex, view, query) };
        }, (d) => Boolean(d?.view)),
      );
      await auditRead(services.knex, { actor, requestId }, { action: 'dataset.rows', resource, view, query, rows: page.items.length });
      sendJsonText(res, pageJson(page, { version: view.version }));
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/datasets/:code/download',
    operationId: 'downloadDataset',
    summary: 'Download an open dataset (csv, ndjson, json, arrow, xlsx), streamed; the row filters apply',
    tags: ['open data'],
    access: 'public',
    params: CodeParams,
    response: written(...DOWNLOAD_MEDIA_TYPES),
    handler: async ({ params, services, req, res, actor, requestId, principal }) => {
      // a download that has started writing is not run again elsewhere
      const result = await services.replicas.read(principal, (reader) => reader.streamed(async (snapshot) => {
        const { resource, view } = openView(await openDataset(services, snapshot.query, params.code), params.code);
        const format = (req.query.format ?? 'csv') as (typeof DOWNLOAD_FORMATS)[number];
        const { format: _f, bom, header, ...rest } = req.query as Record<string, unknown>;
        if (!DOWNLOAD_FORMATS.includes(format)) {
          throw badRequest(text(`未知格式 ${String(format)}`, `unknown format ${String(format)}`), [
            { in: 'query', path: '/format', message: text(`须为以下之一：${DOWNLOAD_FORMATS.join('、')}`, `one of ${DOWNLOAD_FORMATS.join(', ')}`) },
          ]);
        }
        const query = await deniedAudited(services.knex, { actor, requestId }, { action: 'dataset.download', resource }, () =>
          parseRowQuery(rest, view, { maxLimit: Number.MAX_SAFE_INTEGER, defaultLimit: Number.MAX_SAFE_INTEGER }),
        );
        const limited = rest.limit !== undefined ? query.limit : null;
        const people = downloadOptions({ bom, header });
        // attachment() guesses a type from the file name, so the exact type is set after it
        res.status(200).attachment(`${resource.code.replace('/', '-')}.${format}`).type(CONTENT_TYPES[format]);
        // HEAD: the headers a download would have, without running it (and so without an audited read)
        if (req.method === 'HEAD') return null;
        const streamed = await streamDownload(snapshot.pool, view, query, format, res, { ...people, limit: limited, title: resource.name });
        return { resource, view, query, format, streamed };
      }), { retryable: () => !res.headersSent });
      if (!result) return void res.end();
      const { resource, view, query, format, streamed } = result;
      await auditRead(services.knex, { actor, requestId }, { action: 'dataset.download', resource, view, query, rows: streamed.rows, format, extra: streamed.aborted ? { aborted: true } : {} });
    },
  }),
];
