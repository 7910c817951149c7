import type { Knex } from 'knex';
import { searchResources } from '../../census/resources/search.ts';
import { HttpError, notFound, text } from '../../http/errors.ts';
import { route, written } from '../../http/route.ts';
import { sendJsonText } from '../../http/respond.ts';
import { toDataPackage } from '../datapackage.ts';
import { DOWNLOAD_FORMATS } from '../datapackage.ts';
import { toJsonLd, toTurtle } from '../dcat.ts';
import { dataPackageInput, dcatCatalog, maskRules, openDatasetByCode, openOnly } from './model.ts';
import { presentDataset, presentDatasetSummary, type DatasetSummary } from './presenter.ts';
import { CodeParams, DataPackage, Dataset, DatasetListQuery, DatasetSearchPage, OpenSummary } from './schema.ts';
import { openSummary } from './summary.ts';

const TAGS = ['open data'];
const DOWNLOADABLE = new Set<string>(DOWNLOAD_FORMATS);

/** A department named by id or by 统一社会信用代码; -1 (matches nothing) when the code is unknown. */
async function departmentId(knex: Knex, ref: string): Promise<number> {
  if (/^\d{1,15}$/.test(ref)) return Number(ref);
  const row = await knex('odx.departments').where({ uscc: ref }).first('id');
  return row ? Number(row.id) : -1;
}

async function withDepartmentNames<T extends { items: DatasetSummary[]; facets?: Record<string, { value: string | number; count: number }[]> }>(knex: Knex, page: T) {
  const ids = new Set<number>(page.items.map((i) => i.department.id));
  for (const f of page.facets?.department ?? []) ids.add(Number(f.value));
  const names = new Map<number, string>();
  if (ids.size) for (const d of await knex('odx.departments').whereIn('id', [...ids]).select('id', 'name')) names.set(Number(d.id), d.name);
  for (const item of page.items) item.department.name = names.get(item.department.id) ?? null;
  if (page.facets?.department) page.facets.department = page.facets.department.map((f) => ({ ...f, label: names.get(Number(f.value)) ?? null }));
  return page;
}

const CATALOG_TYPES = { jsonld: 'application/ld+json', turtle: 'text/turtle' } as const;

export const catalogRoutes = [
  route({
    method: 'get',
    path: '/api/v1/open/summary',
    operationId: 'getOpenSummary',
    summary: 'The open catalogue in figures: open datasets, their departments and rows, downloads this month (Asia/Shanghai), the newest and the most-used datasets (reads and downloads, 30 days); up to a minute old',
    tags: TAGS,
    access: 'public',
    response: OpenSummary,
    handler: async ({ services, res, principal }) => {
      res.set('Cache-Control', 'public, max-age=60');
      return { body: await services.replicas.read(principal, (reader) => openSummary(reader.knex)) };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/datasets',
    operationId: 'searchDatasets',
    summary: 'Search the open catalogue (无条件开放 datasets): Chinese full text, facets, keyset paging',
    tags: TAGS,
    access: 'public',
    query: DatasetListQuery,
    response: DatasetSearchPage,
    handler: async ({ query, services, principal }) => services.replicas.read(principal, async ({ knex }) => {
      const { config } = services;
      const formats = query.format ?? [];
      const downloadable = formats.filter((f) => DOWNLOADABLE.has(f));
      const formatTypes = formats.filter((f) => !DOWNLOADABLE.has(f));
      const fixed = (q: Knex.QueryBuilder) => {
        openOnly(q);
        if (downloadable.length) q.whereNotNull('r.current_version');
        if (query.tag) q.whereRaw(`r.published_doc->'tags' @> ?::jsonb`, [JSON.stringify([query.tag])]);
        if (query.updated_since) q.whereRaw('greatest(r.published_at, r.data_updated_at) >= ?', [query.updated_since]);
      };
      const page = await searchResources(
        knex,
        {
          q: query.q?.trim() || undefined,
          department: query.department ? await departmentId(knex, query.department) : undefined,
          domain: query.domain,
          format: formatTypes.length ? formatTypes : undefined,
          updateCycle: query.updateCycle,
          // also in `fixed` (openOnly); said here too so the search index can use it
          openType: ['open'],
          facets: query.facets,
          cursor: query.cursor,
          limit: query.limit,
        },
        { departments: null, principalId: null },
        { fixed, present: (r) => presentDatasetSummary(r, config.publicBaseUrl), facets: ['department', 'domain', 'format', 'updateCycle'] },
      );
      return { body: await withDepartmentNames(knex, page) };
    }),
  }),
  route({
    method: 'get',
    path: '/api/v1/datasets/:code',
    operationId: 'getDataset',
    summary: 'An open dataset: metadata, items, update cycle and last update, rows, quality profile, download links, licence',
    tags: TAGS,
    access: 'public',
    params: CodeParams,
    response: Dataset,
    handler: async ({ params, services, principal }) => {
      const ds = await services.replicas.read(principal, (reader) => openDatasetByCode(reader.knex, params.code));
      if (!ds) throw notFound(text(`开放数据集 ${params.code}`, `open dataset ${params.code}`));
      return { body: presentDataset(ds, services.config, maskRules(services.config)) };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/datasets/:code/datapackage.json',
    operationId: 'getDataPackage',
    summary: 'An open dataset as a Frictionless Data Package (Table Schema of the items as published, download paths)',
    tags: TAGS,
    access: 'public',
    params: CodeParams,
    response: DataPackage,
    handler: async ({ params, services, res, principal }) => {
      const ds = await services.replicas.read(principal, (reader) => openDatasetByCode(reader.knex, params.code));
      if (!ds) throw notFound(text(`开放数据集 ${params.code}`, `open dataset ${params.code}`));
      const rules = maskRules(services.config);
      const input = dataPackageInput(ds, services.config, rules);
      if (!input) throw new HttpError(404, 'not_found', text(`开放数据集 ${params.code} 尚未装载数据，因此没有 Data Package`, `open dataset ${params.code} has no data loaded yet, so no Data Package`));
      const pkg = toDataPackage(input, { rules, salt: services.config.maskSalt });
      sendJsonText(res, JSON.stringify(pkg, null, 2));
    },
  }),
  route({
    method: 'get',
    path: '/catalog',
    operationId: 'getCatalog',
    summary: 'The open catalogue in DCAT-AP 3.0.1: Turtle or JSON-LD by content negotiation (Accept)',
    tags: TAGS,
    access: 'public',
    response: written(CATALOG_TYPES.turtle, CATALOG_TYPES.jsonld),
    handler: async ({ req, res, services, principal }) => {
      const type = req.accepts([CATALOG_TYPES.jsonld, CATALOG_TYPES.turtle, 'application/json']);
      res.vary('Accept');
      if (!type) {
        throw new HttpError(406, 'not_acceptable', text('目录提供 text/turtle 或 application/ld+json 格式', 'the catalogue is available as text/turtle or application/ld+json'), { available: Object.values(CATALOG_TYPES) });
      }
      const cat = await services.replicas.read(principal, (reader) => dcatCatalog(reader.knex, services.config));
      res.set('Cache-Control', 'public, max-age=60');
      if (type === CATALOG_TYPES.turtle) res.type(CATALOG_TYPES.turtle).send(toTurtle(cat));
      else res.type(CATALOG_TYPES.jsonld).send(JSON.stringify(toJsonLd(cat)));
    },
  }),
  route({
    method: 'get',
    path: '/catalog.ttl',
    operationId: 'getCatalogTurtle',
    summary: 'The open catalogue in DCAT-AP 3.0.1 as Turtle',
    tags: TAGS,
    access: 'public',
    response: written(CATALOG_TYPES.turtle),
    handler: async ({ res, services, principal }) => {
      res.set('Cache-Control', 'public, max-age=60');
      res.type(CATALOG_TYPES.turtle).send(toTurtle(await services.replicas.read(principal, (reader) => dcatCatalog(reader.knex, services.config))));
    },
  }),
  route({
    method: 'get',
    path: '/catalog.jsonld',
    operationId: 'getCatalogJsonLd',
    summary: 'The open catalogue in DCAT-AP 3.0.1 as JSON-LD (inline context, no remote documents)',
    tags: TAGS,
    access: 'public',
    response: written(CATALOG_TYPES.jsonld),
    handler: async ({ res, services, principal }) => {
      res.set('Cache-Control', 'public, max-age=60');
      res.type(CATALOG_TYPES.jsonld).send(JSON.stringify(toJsonLd(await services.replicas.read(principal, (reader) => dcatCatalog(reader.knex, services.config)))));
    },
  }),
];
