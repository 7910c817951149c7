import type { Knex } from 'knex';
import { z } from 'zod';
import { route, written } from '../../http/route.ts';
import { uscc } from '../../lib/zod-fields.ts';
import { LISTS } from './columns.ts';
import { importCensus } from './import.ts';
import { buildTemplate } from './template.ts';
import { ImportResult } from './schema.ts';
import { readUpload } from './upload.ts';

const ImportQuery = z.object({
  kind: z.enum(LISTS),
  /** The importing department, by its 统一社会信用代码. */
  department: uscc,
});

/** The department named by the `department` parameter owns what is imported. */
async function departmentOwner({ query }: { query: { department: string } }, knex: Knex) {
  const row = await knex('odx.departments').where({ uscc: query.department }).first('id');
  return row ? { departmentId: row.id as number } : undefined;
}

export const censusImportRoutes = [
  route({
    method: 'post',
    path: '/api/v1/census/imports',
    operationId: 'importCensus',
    summary:
      'Import a filled census template (.xlsx, or .csv in UTF-8/GB18030; resources as CSV: multipart parts `file` and `items`) for one department, whole or not at all; 422 lists every bad row',
    tags: ['census'],
    access: { admin: 'any', officer: 'own', registrar: 'own' },
    query: ImportQuery,
    response: ImportResult,
    owner: departmentOwner,
    responds: { status: 201, description: 'counts and the ids of the created entries' },
    handler: async ({ query, req, services, actor, requestId }) => {
      const upload = await readUpload(req);
      const result = await importCensus(
        services.knex,
        { actor, requestId },
        {
          list: query.kind,
          department: query.department,
          file: upload.file.data,
          ...(upload.items ? { items: upload.items.data, itemsCharset: upload.items.charset } : {}),
          charset: upload.file.charset,
          fileName: upload.file.filename,
        },
      );
      return { status: 201, body: result };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/census/templates/:kind',
    operationId: 'getCensusTemplate',
    summary: 'The blank census template (.xlsx) of a list: Chinese headers, a description row and an example row',
    tags: ['census'],
    access: 'public',
    params: z.object({ kind: z.enum(LISTS) }),
    response: written('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
    handler: async ({ params, res }) => {
      const names = { systems: '系统清单', resources: '数据清单', demands: '需求清单' } as const;
      res
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .attachment(`${names[params.kind]}模板.xlsx`)
        .send(await buildTemplate(params.kind));
    },
  }),
];
