import { z } from 'zod';
import type { Knex } from 'knex';
import { CONTENT_TYPES, DOWNLOAD_FORMATS, downloadOptions, streamDownload, type DownloadFormat } from '../data/download.ts';
import { pageJson, parseRowQuery, queryRows } from '../data/query.ts';
import { auditDenied, deniedAudited } from '../data/denials.ts';
import { auditRead } from '../data/reads.ts';
import { actorOf } from '../http/mount.ts';
import { buildView, type DataView } from '../data/view.ts';
import { badRequest, forbidden, notFound, text } from '../http/errors.ts';
import { route, written, type Services } from '../http/route.ts';
import { DOWNLOAD_MEDIA_TYPES, RowsPage } from '../data/schema.ts';
import { sendJsonText } from '../http/respond.ts';
import type { Principal } from '../auth/roles.ts';
import { boundSystem } from './credentials.ts';
import { enforceRate } from './grant-rate.ts';
import { grantedResource, holderOf, whyNoGrant, type LiveGrant } from './live-grants.ts';
import { purposeOf } from './purpose.ts';
import type { AccessMode } from './states.ts';
import type { Query } from '../db/replicas.ts';

const CodeParams = z.object({ code: z.string().min(1).max(100) });

/** The caller's live grant on a published resource in a mode, or 404 / 403 saying why not (the 403 audited as a refused read). */
async function grantFor(knex: Knex, caller: Principal, code: string, mode: AccessMode) {
  const holder = holderOf(caller);
  const found = await grantedResource(knex, { ...holder, ref: code, mode });
  if (!found) throw notFound(text(`数据资源 ${code}`, `resource ${code}`));
  if (!found.grant) {
    const reason = await whyNoGrant(knex, { ...holder, resourceId: found.resourceId, mode });
    const provider = await knex('odx.resources').where({ id: found.resourceId }).first('department_id');
    const read = { action: mode === 'download' ? 'shared.download' : 'shared.rows', resource: { id: found.resourceId, department_id: provider?.department_id ?? null, code: found.resourceCode }, reason: reason.en };
    await auditDenied(knex, { actor: actorOf(caller) }, read);
    throw forbidden(reason);
  }
  return { ...found, grant: found.grant };
}

type Granted = Awaited<ReturnType<typeof grantFor>>;

/**
 * The grant is checked by the gate (own department = the department holding the grant; self = the
 * developer account holding it) and handed to the handler.
 */
const grantOwner = (mode: AccessMode) => async ({ params }: { params: { code: string } }, knex: Knex, caller: Principal) => ({
  departmentId: caller.departmentId,
  principalId: caller.id,
  target: await grantFor(knex, caller, params.code, mode),
});

/** A consumer department's credential under its department's grants; a developer's account or key under the grants of its approved open-data applications. */
/**
 * Who reads a grant: a department's consumer credentials (systems) and, in the console, its own
 * officers and registrars — the people who asked for the data — or the developer account (and its
 * keys) whose open-data application was approved. Each reads exactly what the grant allows, and
 * every read is audited with the person and the purpose (docs/sharing.md).
 */
const GRANT_HOLDERS = { consumer: 'own', officer: 'own', registrar: 'own', developer: 'self' } as const;

// a grant cached with its resource's current version (live-grants.ts) keeps its view as long
const grantViews = new WeakMap<LiveGrant, DataView>();

/** The grant's view of the data: only its items, only rows inside its row filter, masked items masked unless approved raw. */
async function grantView(services: Services, caller: Principal, code: string, mode: AccessMode, resolved?: Granted) {
  const found = resolved ?? (await grantFor(services.knex, caller, code, mode));
  if (!found.version) throw notFound(text(`${code} 的数据（尚未装载任何数据）`, `data of ${code} (nothing has been loaded yet)`));
  let view = grantViews.get(found.grant);
  if (!view) {
    view = buildView({ resourceId: found.resourceId, ...found.version }, services.config, { kind: 'grant', items: found.grant.items, raw: found.grant.raw, rows: found.grant.rowFilter });
    grantViews.set(found.grant, view);
  }
  const resource = { id: found.resourceId, code: found.resourceCode, department_id: found.grant.providerDepartmentId };
  return { grant: found.grant, view, resource };
}

const CURRENT_VERSION_SQL = `select v.version, v.table_name, v.items from odx.resources r
  join odx.resource_versions v on v.resource_id = r.id and v.version = r.current_version where r.id = ?`;

type CurrentVersion = { version: number; table_name: string; items: Record<string, any>[] } | undefined;

const currentVersionIn = async (query: Query, resourceId: number) => (await query(CURRENT_VERSION_SQL, [resourceId]))[0] as CurrentVersion;

/**
 * The grant's view of the version current in the reader's snapshot. The grant itself is checked
 * on the primary (a revocation must bite at once); a replica that has not replayed the newest
 * version yet serves the one before it, whole.
 */
function viewOf(services: Services, v: CurrentVersion, grant: LiveGrant, granted: DataView, code: string): DataView {
  if (!v) throw notFound(text(`${code} 的数据（尚未装载任何数据）`, `data of ${code} (nothing has been loaded yet)`));
  if (v.version === granted.version) return granted;
  return buildView({ resourceId: granted.resourceId, version: v.version, table: v.table_name, items: v.items }, services.config, { kind: 'grant', items: grant.items, raw: grant.raw, rows: grant.rowFilter });
}

export const sharedDataRoutes = [
  route({
    method: 'get',
    path: '/api/v1/shared/:code/rows',
    operationId: 'querySharedRows',
    summary: 'Query shared data under a live query grant (a department’s, or a developer’s on an approved open-data application): granted items only, inside its row filter, masked unless approved raw; purpose required',
    tags: ['sharing'],
    access: GRANT_HOLDERS,
    params: CodeParams,
    response: RowsPage,
    owner: grantOwner('query'),
    handler: async ({ params, principal, services, req, res, actor, requestId, target }) => {
      const { grant, view: granted, resource } = await grantView(services, principal!, params.code, 'query', target as Granted | undefined);
      const purpose = purposeOf(req);
      const { purpose: _p, ...raw } = req.query as Record<string, unknown>;
      // a read run again on the primary after its replica failed is one call against the grant
      let counted = false;
      const { view, query, page } = await services.replicas.read(principal, (reader) =>
        reader.pointed('current-version', String(granted.resourceId), (q) => currentVersionIn(q, granted.resourceId), async (knex, current) => {
          const view = viewOf(services, current, grant, granted, params.code);
          const query = await deniedAudited(services.knex, { actor, requestId }, { action: 'shared.rows', resource }, () => parseRowQuery(raw, view));
          if (!counted) await enforceRate(services.knex, grant, res);
          counted = true;
          return { view, query, page: await queryRows(knex, view, query) };
        }, Boolean),
      );
      const system = await boundSystem(services.knex, principal!.id);
      await auditRead(services.knex, { actor, requestId }, { action: 'shared.rows', resource, view, query, rows: page.items.length, purpose, extra: { grant: grant.id, ...(system ? { system } : {}) } });
      sendJsonText(res, pageJson(page, { version: view.version, grant: grant.id }));
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/shared/:code/download',
    operationId: 'downloadSharedData',
    summary: 'Download shared data under a live download grant (a department’s or a developer’s) as csv, ndjson, json, arrow or xlsx, streamed; purpose required',
    tags: ['sharing'],
    access: GRANT_HOLDERS,
    params: CodeParams,
    response: written(...DOWNLOAD_MEDIA_TYPES),
    owner: grantOwner('download'),
    handler: async ({ params, principal, services, req, res, actor, requestId, target }) => {
      const { grant, view: granted, resource } = await grantView(services, principal!, params.code, 'download', target as Granted | undefined);
      const purpose = purposeOf(req);
      const { purpose: _p, format: f = 'csv', bom, header, ...raw } = req.query as Record<string, unknown>;
      const format = f as DownloadFormat;
      if (!DOWNLOAD_FORMATS.includes(format)) throw badRequest(text(`未知格式 ${String(f)}`, `unknown format ${String(f)}`), [
          { in: 'query', path: '/format', message: text(`须为以下之一：${DOWNLOAD_FORMATS.join('、')}`, `one of ${DOWNLOAD_FORMATS.join(', ')}`) },
        ]);
      const people = downloadOptions({ bom, header });
      const title = (await services.knex('odx.resources').where({ id: resource.id }).first('name'))?.name as string | undefined;
      // a download that has started writing is not run again elsewhere; one run again is one call against the grant
      let counted = false;
      const done = await services.replicas.read(principal, (reader) => reader.streamed(async (snapshot) => {
        const view = viewOf(services, await currentVersionIn(snapshot.query, granted.resourceId), grant, granted, params.code);
        const query = await deniedAudited(services.knex, { actor, requestId }, { action: 'shared.download', resource }, () =>
          parseRowQuery(raw, view, { maxLimit: Number.MAX_SAFE_INTEGER, defaultLimit: Number.MAX_SAFE_INTEGER }),
        );
        res.status(200).attachment(`${resource.code.replace('/', '-')}.${format}`).type(CONTENT_TYPES[format]);
        // HEAD: the headers a download would have, without running it (no audited read, no call counted against the grant)
        if (req.method === 'HEAD') return null;
        if (!counted) await enforceRate(services.knex, grant, res);
        counted = true;
        const result = await streamDownload(snapshot.pool, view, query, format, res, { ...people, limit: raw.limit !== undefined ? query.limit : null, title });
        return { view, query, result };
      }), { retryable: () => !res.headersSent });
      if (!done) return void res.end();
      const { view, query, result } = done;
      const system = await boundSystem(services.knex, principal!.id);
      await auditRead(services.knex, { actor, requestId }, {
        action: 'shared.download', resource, view, query, rows: result.rows, format, purpose,
        extra: { grant: grant.id, ...(system ? { system } : {}), ...(result.aborted ? { aborted: true } : {}) },
      });
    },
  }),
];
