import type { Knex } from 'knex';
import type { Scoping } from '../../http/route.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import { toTsquery } from '../search-text.ts';
import { presentResourceSummary } from './presenter.ts';
import type { ResourceListQuery } from './schema.ts';

export const FACETS = { department: 'department_id', domain: 'domain', shareType: 'share_type', openType: 'open_type', format: 'format_type', updateCycle: 'update_cycle' } as const;
export type FacetName = keyof typeof FACETS;
// name (A) counts most, then item labels and tags (B), summary (C), the rest (D)
const WEIGHTS = '{0.1, 0.3, 0.6, 1.0}';

/** The search parameters the registry and the open catalogue share. */
export type CatalogueQuery = Pick<ResourceListQuery, 'q' | 'department' | 'cursor' | 'limit'> &
  Partial<Pick<ResourceListQuery, 'domain' | 'shareType' | 'openType' | 'format' | 'updateCycle' | 'status' | 'linked' | 'facets'>>;

export interface SearchOptions {
  /** A condition every result must meet, applied before ranking, facets and paging (the open catalogue: published and 无条件开放). */
  fixed?: (q: Knex.QueryBuilder) => void;
  /** The shape of each result; the registry's summary by default. */
  present?: (row: Record<string, any>) => unknown;
  /** Facets to count; all of FACETS by default. */
  facets?: readonly FacetName[];
}

/** The relevance of a row (alias `r`) for a tsquery text. */
export function rankSql(knex: Knex, tsq: string): Knex.Raw {
  return knex.raw(`ts_rank(?::real[], r.search, ?::tsquery)`, [WEIGHTS, tsq]);
}

/**
 * The filtered set (alias `r`, no select, no order): the caller's visibility, the text query,
 * the facet filters and the fixed condition. Search, facets and the CKAN API build on it.
 */
export function filteredResources(knex: Knex, query: CatalogueQuery, scoping: Scoping, fixed?: SearchOptions['fixed']) {
  const tsq = query.q ? toTsquery(query.q) : null;
  const base = knex('odx.resources as r');
  if (scoping.departments !== null) {
    const own = scoping.departments;
    base.where((w) => w.where((p) => p.whereNotNull('r.published_doc').whereNull('r.retired_at')).orWhereIn('r.department_id', own));
  }
  if (fixed) base.where((w) => fixed(w));
  if (query.q !== undefined) {
    if (tsq === null) base.whereRaw('false');
    else base.whereRaw('r.search @@ ?::tsquery', [tsq]);
  }
  if (query.department) base.where('r.department_id', query.department);
  for (const [param, column] of Object.entries(FACETS)) {
    const v = (query as Record<string, unknown>)[param];
    if (param !== 'department' && Array.isArray(v) && v.length) base.whereIn(`r.${column}`, v);
  }
  if (query.status) base.where('r.status', query.status);
  if (query.linked !== undefined) base.where('r.linked', query.linked);
  return { base, tsq };
}

/**
 * Catalogue search: published entries for everyone, plus the caller's own department's
 * drafts. Relevance-ranked when `q` is given, newest first otherwise; keyset paging on
 * (score, id) so a deep page costs what the first one does.
 */
export async function searchResources(knex: Knex, query: CatalogueQuery, scoping: Scoping, options: SearchOptions = {}) {
  const { base, tsq } = filteredResources(knex, query, scoping, options.fixed);
  const page = base.clone().select('r.*');
  if (tsq) {
    page.select({ rank: rankSql(knex, tsq) }).orderBy([{ column: 'rank', order: 'desc' }, { column: 'r.id', order: 'desc' }]);
    if (query.cursor) {
      const [score, id] = decodeCursor(query.cursor, ['number', 'number']) as [number, number];
      page.whereRaw(`(ts_rank(?::real[], r.search, ?::tsquery), r.id) < (?::real, ?)`, [WEIGHTS, tsq, score, id]);
    }
  } else {
    page.orderBy('r.id', 'desc');
    if (query.cursor) page.where('r.id', '<', decodeCursor(query.cursor, ['number'])[0] as number);
  }
  const rows = await page.limit(query.limit + 1);
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  const next = rows.length > query.limit ? encodeCursor(tsq ? [last.rank, last.id] : [last.id]) : null;
  const present = options.present ?? presentResourceSummary;
  const wantFacets = query.facets ?? true;
  return { items: items.map(present), next, ...(wantFacets ? { facets: await facetCounts(knex, base, options.facets) } : {}) };
}

/** Counts per facet value over the whole filtered set, in one pass (GROUPING SETS). */
export async function facetCounts(knex: Knex, filtered: Knex.QueryBuilder, names: readonly FacetName[] = Object.keys(FACETS) as FacetName[]) {
  const wanted = names.map((n) => [n, FACETS[n]] as const);
  const cols = wanted.map(([, c]) => c);
  const sql = filtered.clone().clearSelect().select(cols.map((c) => `r.${c}`)).count('* as n').toSQL();
  const grouped = `${sql.sql} group by grouping sets (${cols.map((c) => `(r.${c})`).join(', ')})`;
  const rows = (await knex.raw(grouped, sql.bindings as any[])).rows as Record<string, any>[];
  const facets: Record<string, { value: string | number; count: number }[]> = {};
  for (const [name, column] of wanted) {
    facets[name] = rows
      .filter((r) => r[column] !== null && cols.every((c) => c === column || r[c] === null))
      .map((r) => ({ value: r[column], count: Number(r.n) }))
      .sort((a, b) => b.count - a.count);
  }
  return facets;
}
