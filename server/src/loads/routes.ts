import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { recordEvents, runCommand } from '../audit/command.ts';
import { resourceByRef, resourceRefOwner } from '../census/resources/ref.ts';
import { HttpError, languageOf, notFound, text } from '../http/errors.ts';
import { route, written } from '../http/route.ts';
import { writeRejectsCsv, type Reject } from '../../../loaders/index.ts';
import { presentLoad, presentVersionShown } from './presenter.ts';
import { LoadList, LoadParams, LoadQuery, LoadRecord, ResourceRefParams, VersionList, VersionParams, VersionRecord } from './schema.ts';
import { failLoad, loadCreator } from './service.ts';
import { presentVersion, versionRestorer } from './versions.ts';

const LOADERS = { registrar: 'own', officer: 'own' } as const;
const WATCHERS = { admin: 'any', authority: 'any', registrar: 'own', officer: 'own' } as const;

async function resourceOr404(knex: Parameters<typeof resourceByRef>[0], ref: string) {
  const r = await resourceByRef(knex, ref);
  if (!r) throw notFound(text(`数据资源 ${ref}`, `resource ${ref}`));
  return r;
}

const tooLarge = (limit: number) => new HttpError(413, 'payload_too_large', text(`上传的文件超过 ${limit} 字节（ODX_UPLOAD_LIMIT_BYTES）`, `the upload is larger than ${limit} bytes (ODX_UPLOAD_LIMIT_BYTES)`));

/** Counts bytes and stops the upload past the limit (413) instead of filling the disk. */
function limitBytes(limit: number) {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > limit) cb(tooLarge(limit));
      else cb(null, chunk);
    },
  });
}

export const loadRoutes = [
  route({
    method: 'post',
    path: '/api/v1/resources/:ref/loads',
    operationId: 'startLoad',
    summary: 'Upload a data extract (CSV/TSV/NDJSON/JSON/Arrow/xlsx) as the body; answers 202 with the load to follow',
    tags: ['loads'],
    access: LOADERS,
    params: ResourceRefParams,
    query: LoadQuery,
    response: LoadRecord,
    owner: resourceRefOwner,
    rawBody: true,
    responds: { status: 202, description: 'the queued load; poll its URL for progress and result' },
    handler: async ({ params, query, services, actor, requestId, req, res }) => {
      const resource = await resourceOr404(services.knex, params.ref);
      const declared = Number(req.get('content-length')) || undefined;
      // refused before a byte of the body is read or a load is registered; the connection closes, the body unread
      if (declared !== undefined && declared > services.config.uploadLimitBytes) {
        res.set('Connection', 'close');
        throw tooLarge(services.config.uploadLimitBytes);
      }
      const origin = { actor, requestId };
      const loadId = await loadCreator(services.knex, origin, resource.id, {
        format: query.format,
        encoding: query.encoding,
        sheet: query.sheet,
        mode: query.mode,
        key: query.key,
        maxErrors: query.maxErrors,
        mapping: query.mapping,
        fileName: query.fileName,
        totalBytes: declared,
        allowEmpty: query.allowEmpty,
      });
      const dir = path.join(services.config.homeDir, 'uploads');
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const file = path.join(dir, `load-${loadId}`);
      // the file is created before the body flows, so a body refused midway cannot have its file
      // created by a late open after the removal below
      const out = await fs.open(file, 'w', 0o600);
      try {
        await pipeline(req, limitBytes(services.config.uploadLimitBytes), out.createWriteStream());
      } catch (err) {
        await fs.rm(file, { force: true });
        const why = (err as Error).message;
        await failLoad(services.knex, origin, loadId, { code: 'upload', message: `the upload did not complete: ${why}`, messageZh: `文件未上传完成：${why}` });
        throw err;
      }
      const size = (await fs.stat(file)).size;
      await services.knex('odx.loads').where({ id: loadId }).update({ total_bytes: size });
      services.loads.start(loadId, file, origin);
      res.location(`/api/v1/resources/${resource.id}/loads/${loadId}`);
      res.vary('Accept-Language');
      return { status: 202, body: presentLoad(await services.knex('odx.loads').where({ id: loadId }).first(), languageOf(req.get('accept-language'))) };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/resources/:ref/loads',
    operationId: 'listLoads',
    summary: 'The loads of a resource, newest first',
    tags: ['loads'],
    access: WATCHERS,
    params: ResourceRefParams,
    response: LoadList,
    owner: resourceRefOwner,
    handler: async ({ params, services, req, res }) => {
      const resource = await resourceOr404(services.knex, params.ref);
      const rows = await services.knex('odx.loads').where({ resource_id: resource.id }).orderBy('id', 'desc').limit(100);
      const lang = languageOf(req.get('accept-language'));
      res.vary('Accept-Language');
      return { body: { items: rows.map((r) => presentLoad(r, lang)) } };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/resources/:ref/loads/:id',
    operationId: 'getLoad',
    summary: 'A load: state, progress (rows, bytes, rows/s), result or error',
    tags: ['loads'],
    access: WATCHERS,
    params: LoadParams,
    response: LoadRecord,
    owner: resourceRefOwner,
    handler: async ({ params, services, req, res }) => {
      const resource = await resourceOr404(services.knex, params.ref);
      const row = await services.knex('odx.loads').where({ id: params.id, resource_id: resource.id }).first();
      if (!row) throw notFound(text(`装载 ${params.id}`, `load ${params.id}`));
      res.vary('Accept-Language');
      return { body: presentLoad(row, languageOf(req.get('accept-language'))) };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/resources/:ref/loads/:id/rejects.csv',
    operationId: 'getLoadRejects',
    summary: 'The rejected values of a load as CSV: record, line, column, header, value, rule, message (values of the data: its department only, audited)',
    tags: ['loads'],
    // the rejects are cells of the department's file: only the department that loaded it sees them
    access: LOADERS,
    params: LoadParams,
    response: written('text/csv'),
    owner: resourceRefOwner,
    handler: async ({ params, services, res, actor, requestId }) => {
      const resource = await resourceOr404(services.knex, params.ref);
      if (!(await services.knex('odx.loads').where({ id: params.id, resource_id: resource.id }).first('id'))) throw notFound(text(`装载 ${params.id}`, `load ${params.id}`));
      const rows = await services.knex('odx.load_rejects').where({ load_id: params.id }).orderBy('n');
      await recordEvents(services.knex, { actor, requestId }, [
        { action: 'data.rejects.read', departmentId: resource.department_id, targetType: 'resource', targetId: resource.id, rows: rows.length, detail: { code: resource.code, load: params.id } },
      ]);
      res.attachment(`load-${params.id}-rejects.csv`).type('text/csv; charset=utf-8');
      const rejects: Reject[] = rows.map((r: Record<string, any>) => ({ record: r.record, line: r.line, column: r.column_name, header: r.header, value: r.value, rule: r.rule, message: r.message }));
      // the loader's writer: BOM for Excel, and values that a spreadsheet would run as formulas kept as text
      await writeRejectsCsv(rejects, res);
      res.end();
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/resources/:ref/versions',
    operationId: 'listVersions',
    summary: 'The loaded versions of a resource (kept per the retention setting) and which is current',
    tags: ['loads'],
    access: WATCHERS,
    params: ResourceRefParams,
    response: VersionList,
    owner: resourceRefOwner,
    handler: async ({ params, services }) => {
      const resource = await resourceOr404(services.knex, params.ref);
      const rows = await services.knex('odx.resource_versions').where({ resource_id: resource.id }).orderBy('version', 'desc');
      return { body: { current: resource.current_version, items: rows.map((r) => presentVersionShown(presentVersion(r))) } };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/resources/:ref/versions/:version/restore',
    operationId: 'restoreVersion',
    summary: 'Make an earlier loaded version current again',
    tags: ['loads'],
    access: { officer: 'own', registrar: 'own' },
    params: VersionParams,
    response: VersionRecord,
    owner: resourceRefOwner,
    responds: { status: 200, description: 'the version now current' },
    handler: async ({ params, services, actor, requestId }) => {
      const resource = await resourceOr404(services.knex, params.ref);
      return { body: presentVersionShown(await runCommand(services.knex, { actor, requestId }, (ctx) => versionRestorer(ctx, resource.id, params.version))) };
    },
  }),
];
