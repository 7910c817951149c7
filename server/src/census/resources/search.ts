import type { Knex } from 'knex';
import type { Scoping } from '../../http/route.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import { whereInScope } from '../../policies/access.ts';
import { queryTerms, toTsquery } from '../search-text.ts';
import { presentResourceSummary } from './presenter.ts';
import type { ResourceListQuery } from './schema.ts';
import { ALL, IN_SAMPLE, SAMPLE_EVERY, SAMPLE_KEYS, keysTsquery } from './search-keys.ts';
import { RANKED, candidates, choosePlan, joinSql, shapeOf, sqlOf, type Filters, type Sql } from './search-plan.ts';
import { searchStats } from './search-stats.ts';

export { RANKED } from './search-plan.ts';

export const FACETS = { department: 'department_id', domain: 'domain', shareType: 'share_type', openType: 'open_type', format: 'format_type', updateCycle: 'update_cycle' } as const;
export type FacetName = keyof typeof FACETS;
const FILTERS = ['domain', 'shareType', 'openType', 'format', 'updateCycle'] as const;
// ts_rank weights in the order {D, C, B, A}: name (A) counts most, then item labels and tags (B), summary (C), the rest (D)
const WEIGHTS = '{0.1, 0.3, 0.6, 1.0}';

/** The search parameters the registry and the open catalogue share. */
export type CatalogueQuery = Pick<ResourceListQuery, 'q' | 'department' | 'cursor' | 'limit'> &
  Partial<Pick<ResourceListQuery, 'domain' | 'shareType' | 'openType' | 'format' | 'updateCycle' | 'status' | 'linked' | 'facets'>>;

export interface SearchOptions<T = unknown> {
  /** A condition every result must meet, applied before ranking, facets and paging (the open catalogue: published and 无条件开放). */
  fixed?: (q: Knex.QueryBuilder) => void;
  /** The shape of each result; the registry's summary by default. */
  present?: (row: Record<string, any>) => T;
  /** Facets to count; all of FACETS by default. */
  facets?: readonly FacetName[];
}

type FacetCounts = Record<string, { value: string | number; count: number }[]>;

/** The relevance of a row (alias `r`) for a tsquery text. */
export function rankSql(knex: Knex, tsq: string): Knex.Raw {
  return knex.raw(`ts_rank(?::real[], r.search, ?::tsquery)`, [WEIGHTS, tsq]);
}

/**
 * Applies the caller's visibility, the text query, the facet filters and the fixed condition to
 * `qb` (a source aliased `r`). `text`: the text query as a condition the GIN index can serve
 * (true), tested on each row only (`'row'`: the planner cannot send it to the index), or not at all;
 * `filters`: the facet filters (false where the index keys hold them).
 */
function applyFilters(qb: Knex.QueryBuilder, query: CatalogueQuery, scoping: Scoping, tsq: string | null, fixed?: SearchOptions['fixed'], text: boolean | 'row' = true, filters = true) {
  whereInScope(qb, scoping, { department: 'r.department_id', seenByAll: (p) => p.whereNotNull('r.published_doc').whereNull('r.retired_at') });
  if (fixed) qb.where((w) => fixed(w));
  if (text && query.q !== undefined) {
    if (tsq === null) qb.whereRaw('false');
    else qb.whereRaw(text === 'row' ? 'ts_match_vq(r.search, ?::tsquery)' : 'r.search @@ ?::tsquery', [tsq]);
  }
  if (filters && query.department) qb.where('r.department_id', query.department);
  for (const [param, column] of Object.entries(FACETS)) {
    const v = (query as Record<string, unknown>)[param];
    if (filters && param !== 'department' && Array.isArray(v) && v.length) qb.whereIn(`r.${column}`, v);
  }
  if (query.status) qb.where('r.status', query.status);
  if (query.linked !== undefined) qb.where('r.linked', query.linked);
  return qb;
}

/**
 * The filtered set (alias `r`, no select, no order): the caller's visibility, the text query,
 * the facet filters and the fixed condition. Search, facets and the CKAN API build on it.
 */
export function filteredResources(knex: Knex, query: CatalogueQuery, scoping: Scoping, fixed?: SearchOptions['fixed']) {
  const tsq = query.q ? toTsquery(query.q) : null;
  return { base: applyFilters(knex('odx.resources as r'), query, scoping, tsq, fixed), tsq };
}

/**
 * Every condition of a query (visibility, fixed condition, filters, text) on `odx.resources as r`,
 * as the `where(text, filters)` the plans of search-plan.ts take.
 */
export function queryConditions(knex: Knex, query: CatalogueQuery, scoping: Scoping, fixed?: SearchOptions['fixed']) {
  const tsq = query.q ? toTsquery(query.q) : null;
  return (text: boolean | 'row', filters = true) => applyFilters(knex('odx.resources as r'), query, scoping, tsq, fixed, text, filters);
}

/** The relevance of a row of alias `s` (read by ctid: search-plan.ts, `candidates`). */
const rankOf = (tsq: string): Sql => ({ sql: 'ts_rank(?::real[], s.search, ?::tsquery)', bindings: [WEIGHTS, tsq] });

/** `grouping sets` over the facet columns of `names` plus the empty set (the total), as a json array of [grouping, value, count]. */
function facetJson(source: string, names: readonly FacetName[]): string {
  const cols = names.map((n) => FACETS[n]);
  return `(select json_agg(json_build_array(f.g, f.v, f.n)) from (
    select grouping(${cols.join(', ')}) as g, coalesce(${cols.map((c) => `${c}::text`).join(', ')}) as v, count(*) as n
    from ${source} group by grouping sets (${cols.map((c) => `(${c})`).join(', ')}, ())) f)`;
}

/** Facet counts (and the total) from `facetJson` rows, scaled by `scale`. */
function readFacetJson(rows: [number, string | null, number][] | null, names: readonly FacetName[], scale: number) {
  const facets: FacetCounts = {};
  const all = 2 ** names.length - 1;
  let total = 0;
  for (const name of names) facets[name] = [];
  for (const [g, v, n] of rows ?? []) {
    if (g === all) {
      total = n;
      continue;
    }
    const name = names[names.length - 1 - Math.log2(all ^ g)];
    if (v === null || name === undefined) continue;
    facets[name].push({ value: name === 'department' ? Number(v) : v, count: scale === 1 ? n : Math.max(1, Math.round(n * scale)) });
  }
  for (const name of names) facets[name] = sortFacet(facets[name]);
  return { facets, total };
}

function sortFacet(list: { value: string | number; count: number }[]) {
  return list.sort((a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value)));
}

/** The facet filters of a query, for its keys (search-plan.ts). */
export function filtersOf(query: CatalogueQuery): Filters {
  return { department: query.department, values: FILTERS.filter((f) => query[f]?.length).map((f) => [FACETS[f], query[f]!]) };
}

/** Whether anything but the caller's visibility narrows a browse (then the maintained counts do not apply). */
function narrowed(query: CatalogueQuery, options: SearchOptions): boolean {
  return Boolean(options.fixed || query.department || query.status || query.linked !== undefined || FILTERS.some((f) => query[f]?.length));
}

/**
 * Catalogue search: published entries for everyone, plus the caller's own department's
 * drafts. Relevance-ranked when `q` is given (among the newest RANKED matches), newest first
 * otherwise; keyset paging on (score, id) or id. The answer says how many entries match
 * (`total`, null when not counted), whether that and the facet counts are estimates
 * (`approximate`) and whether only the newest RANKED matches were ranked (`capped`).
 *
 * One statement per request: the matches, their ranking, the page with its rows and the facet
 * counts (exact, from the maintained counts or from a fixed sample) come back together.
 */
export async function searchResources<T = ReturnType<typeof presentResourceSummary>>(knex: Knex, query: CatalogueQuery, scoping: Scoping, options: SearchOptions<T> = {}) {
  const present = options.present ?? (presentResourceSummary as (row: Record<string, any>) => T);
  const names = options.facets ?? (Object.keys(FACETS) as FacetName[]);
  const wantFacets = query.facets ?? true;
  const tsq = query.q ? toTsquery(query.q) : null;
  if (query.q !== undefined && tsq === null) {
    // nothing searchable in q (only punctuation, or empty): nothing matches
    return {
      items: [],
      next: null,
      total: wantFacets ? 0 : null,
      approximate: false,
      capped: false,
      ...(wantFacets ? { facets: Object.fromEntries(names.map((n) => [n, []])) } : {}),
    };
  }
  const where = queryConditions(knex, query, scoping, options.fixed);
  const [stats, display] = await Promise.all([searchStats(knex), rowColumns(knex)]);
  const shape = shapeOf(stats, filtersOf(query), tsq ? queryTerms(query.q!) : []);
  const limit = query.limit;
  const facetCols = names.map((n) => `r.${FACETS[n]}`);
  // the facet estimate of a large set: the fixed 1/32 sample, read by its GIN index
  const sample = () => {
    const keys = shape.keys.length ? shape.keys : [[ALL]];
    return sqlOf(where(false).select(facetCols).whereRaw(`${SAMPLE_KEYS} @@ ?::tsquery and ${IN_SAMPLE}`, [keysTsquery(keys)]));
  };
  const page = (rows: Record<string, any>[]) => rows.filter((r) => r.id !== null);

  if (tsq) {
    const plan = choosePlan(stats, shape, true);
    const cand = candidates(knex, plan, shape, ['r.id', ...facetCols.filter((c) => c !== 'r.id')], where, true);
    let after: Sql = { sql: 'true', bindings: [] };
    if (query.cursor) {
      const [score, id] = decodeCursor(query.cursor, ['number', 'number']) as [number, number];
      after = { sql: '(p.rank < ?::real or (p.rank = ?::real and p.id < ?))', bindings: [score, score, id] };
    }
    const facets = wantFacets
      ? joinSql`case when c.n > ${RANKED} then (with sampled as (${sample()}) select ${facetJson('sampled', names)}) else ${facetJson('pool', names)} end`
      : { sql: 'null', bindings: [] };
    const statement = joinSql`with ${cand},
      pool as materialized (select c.*, ${rankOf(tsq)} as rank from (select * from cand order by id desc limit ${RANKED}) c join odx.resources s on s.ctid = c.ctid),
      page as (select p.id, p.ctid, p.rank, row_number() over (order by p.rank desc, p.id desc) as ord from pool p where ${after} order by p.rank desc, p.id desc limit ${limit + 1}),
      meta as (select json_build_object('n', c.n, 'facets', ${facets}) as meta from (select count(*)::int as n from cand) c)
      select case when coalesce(page.ord, 1) = 1 then meta.meta end as meta, page.rank, ${display.join(', ')}
      from meta left join (page join odx.resources r on r.ctid = page.ctid) on true
      order by page.rank desc, page.id desc`;
    const { rows } = await knex.raw(statement.sql, statement.bindings as Knex.RawBinding[]);
    const meta = rows[0].meta as { n: number; facets: [number, string | null, number][] | null };
    const complete = meta.n <= RANKED;
    const counted = wantFacets ? readFacetJson(meta.facets, names, complete ? 1 : SAMPLE_EVERY) : null;
    const found = page(rows);
    const items = found.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(present),
      next: found.length > limit ? encodeCursor([last.rank, last.id]) : null,
      total: complete ? meta.n : counted ? Math.max(RANKED + 1, Math.round(counted.total * SAMPLE_EVERY)) : null,
      approximate: !complete && counted !== null,
      capped: !complete,
      ...(counted ? { facets: counted.facets } : {}),
    };
  }

  // browsing: newest first over every entry the caller sees
  const pageQuery = where(false).select(display.map((c) => knex.raw(c))).orderBy('r.id', 'desc').limit(limit + 1);
  if (query.cursor) pageQuery.where('r.id', '<', decodeCursor(query.cursor, ['number'])[0] as number);
  let meta: Sql = { sql: 'null', bindings: [] };
  const exact = wantFacets && !narrowed(query, options);
  if (exact) {
    meta = maintainedCounts(scoping);
  } else if (wantFacets) {
    const cols = ['r.id', ...facetCols.filter((c) => c !== 'r.id')];
    const cand = candidates(knex, choosePlan(stats, shape, false), shape, cols, where, false);
    meta = joinSql`(with ${cand} select json_build_object('n', c.n, 'facets', case when c.n > ${RANKED} then (with sampled as (${sample()}) select ${facetJson('sampled', names)}) else ${facetJson('cand', names)} end)
      from (select count(*)::int as n from cand) c)`;
  }
  const statement = joinSql`with page as (${sqlOf(pageQuery)}), meta as (select ${meta} as meta)
    select case when page.id is null or page.id = (select max(id) from page) then meta.meta end as meta, page.* from meta left join page on true order by page.id desc`;
  const { rows } = await knex.raw(statement.sql, statement.bindings as Knex.RawBinding[]);
  const found = page(rows);
  const items = found.slice(0, limit);
  const next = found.length > limit ? encodeCursor([items[items.length - 1].id]) : null;
  if (!wantFacets) return { items: items.map(present), next, total: null, approximate: false, capped: false };
  if (exact) {
    const m = rows[0].meta as { counts: [string, string, number][] | null; deltas: number };
    if (m.deltas > COMPACT_AFTER) compactCounts(knex);
    const facets: FacetCounts = {};
    for (const name of names) facets[name] = [];
    const byColumn = new Map(names.map((n) => [FACETS[n] as string, n]));
    let total = 0;
    for (const [column, value, n] of m.counts ?? []) {
      if (column === 'share_type') total += n;
      const name = byColumn.get(column);
      if (name) facets[name].push({ value: name === 'department' ? Number(value) : value, count: n });
    }
    for (const name of names) sortFacet(facets[name]);
    return { items: items.map(present), next, total, approximate: false, capped: false, facets };
  }
  const m = rows[0].meta as { n: number; facets: [number, string | null, number][] | null };
  const complete = m.n <= RANKED;
  const counted = readFacetJson(m.facets, names, complete ? 1 : SAMPLE_EVERY);
  return {
    items: items.map(present),
    next,
    total: complete ? m.n : Math.max(RANKED + 1, Math.round(counted.total * SAMPLE_EVERY)),
    approximate: !complete,
    capped: false,
    facets: counted.facets,
  };
}

/**
 * The newest RANKED matches of a text query with their relevance, as CTEs (no `with`) ending in
 * `pool (id, rank)` — for a caller that pages in its own order (CKAN package_search) and must not
 * rank every match. Null when the query has no searchable text.
 */
export async function rankedPool(knex: Knex, query: CatalogueQuery, scoping: Scoping, fixed?: SearchOptions['fixed']): Promise<Sql | null> {
  const tsq = query.q ? toTsquery(query.q) : null;
  if (!tsq) return null;
  const where = queryConditions(knex, query, scoping, fixed);
  const stats = await searchStats(knex);
  const shape = shapeOf(stats, filtersOf(query), queryTerms(query.q!));
  const cand = candidates(knex, choosePlan(stats, shape, true), shape, ['r.id'], where, true);
  return joinSql`${cand}, pool as materialized (
    select c.id, ${rankOf(tsq)} as rank from (select * from cand order by id desc limit ${RANKED}) c join odx.resources s on s.ctid = c.ctid)`;
}

/** Folding the deltas into the counts once there are this many (search of a browse without filters). */
const COMPACT_AFTER = 200;

/**
 * The facet counts of every entry the caller sees, from the maintained counts (migration 007):
 * the published entries, plus the hidden ones (drafts, retired) of the caller's departments,
 * or of every department for the authority.
 */
function maintainedCounts(scoping: Scoping): Sql {
  // the authority sees every entry, published or not
  const hidden = scoping.departments === null ? 'true' : 'false';
  const own = scoping.departments?.length
    ? {
        sql: `union all select v.facet, v.value, 1 from odx.resources r, odx.resource_facet_values(r) v
              where r.department_id in (${scoping.departments.map(() => '?').join(', ')}) and (r.published_doc is null or r.retired_at is not null)`,
        bindings: scoping.departments,
      }
    : { sql: '', bindings: [] };
  return joinSql`(select json_build_object(
      'counts', (select json_agg(json_build_array(x.facet, x.value, x.n)) from (
        select facet, value, sum(n)::bigint as n from (
          select facet, value, n from odx.resource_facet_counts where not hidden or ${hidden}
          union all select facet, value, n from odx.resource_facet_deltas where not hidden or ${hidden}
          ${own}
        ) c group by facet, value having sum(n) > 0) x),
      'deltas', (select count(*) from odx.resource_facet_deltas)))`;
}

/** Folds the appended deltas into the maintained counts; one process at a time, in the background. */
function compactCounts(knex: Knex): void {
  knex
    .transaction(async (trx) => {
      const { rows } = await trx.raw(`select pg_try_advisory_xact_lock(hashtext('odx.resource_facet_counts')) as locked`);
      if (!rows[0].locked) return;
      await trx.raw(`
        with moved as (delete from odx.resource_facet_deltas returning facet, value, hidden, n)
        insert into odx.resource_facet_counts (facet, value, hidden, n)
        select facet, value, hidden, sum(n) from moved group by 1, 2, 3 order by 1, 2, 3
        on conflict (facet, value, hidden) do update set n = odx.resource_facet_counts.n + excluded.n`);
      await trx.raw(`delete from odx.resource_facet_counts where n = 0`);
    })
    .catch(() => undefined);
}

const columnsCache = new WeakMap<Knex, { at: number; columns: string[] }>();

/**
 * What a result row carries to the presenter: every column but the search vector, and the
 * working document only while nothing is published (a published entry is shown from its
 * published document). Both are a few kB a row, read, sent and parsed for nothing otherwise.
 */
async function rowColumns(knex: Knex): Promise<string[]> {
  const cached = columnsCache.get(knex);
  if (cached && Date.now() - cached.at < 60_000) return cached.columns;
  const { rows } = await knex.raw(`select attname from pg_attribute where attrelid = 'odx.resources'::regclass and attnum > 0 and not attisdropped order by attnum`);
  const columns = [
    ...rows.map((r: { attname: string }) => r.attname).filter((c: string) => c !== 'search' && c !== 'doc').map((c: string) => `r."${c}"`),
    'case when r.published_doc is null then r.doc end as doc',
  ];
  columnsCache.set(knex, { at: Date.now(), columns });
  return columns;
}

/** Exact counts per facet value over the whole filtered set, in one pass (GROUPING SETS); reads every match. */
export async function facetCounts(knex: Knex, filtered: Knex.QueryBuilder, names: readonly FacetName[] = Object.keys(FACETS) as FacetName[]) {
  const wanted = names.map((n) => [n, FACETS[n]] as const);
  const cols = wanted.map(([, c]) => c);
  const sql = filtered.clone().clearSelect().select(cols.map((c) => `r.${c}`)).count('* as n').toSQL();
  const grouped = `${sql.sql} group by grouping sets (${cols.map((c) => `(r.${c})`).join(', ')})`;
  const rows = (await knex.raw(grouped, sql.bindings as any[])).rows as Record<string, any>[];
  const facets: FacetCounts = {};
  for (const [name, column] of wanted) {
    facets[name] = rows
      .filter((r) => r[column] !== null && cols.every((c) => c === column || r[c] === null))
      .map((r) => ({ value: r[column], count: Number(r.n) }))
      .sort((a, b) => b.count - a.count);
  }
  return facets;
}
