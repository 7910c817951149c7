import type { Knex } from 'knex';
import type { Scoping } from '../../http/route.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import { queryTerms, toTsquery } from '../search-text.ts';
import { presentResourceSummary } from './presenter.ts';
import type { ResourceListQuery } from './schema.ts';

export const FACETS = { department: 'department_id', domain: 'domain', shareType: 'share_type', openType: 'open_type', format: 'format_type', updateCycle: 'update_cycle' } as const;
export type FacetName = keyof typeof FACETS;
const FACET_COLUMNS = Object.values(FACETS);
// ts_rank weights in the order {D, C, B, A}: name (A) counts most, then item labels and tags (B), summary (C), the rest (D)
const WEIGHTS = '{0.1, 0.3, 0.6, 1.0}';

/**
 * How many matches a query ranks: the newest RANKED of them. Up to that many matches the
 * ranking, the total and the facet counts are exact; beyond it the newest RANKED matches are
 * ranked and paged, and the total and facet counts are estimated from a sample. Ranking and
 * counting every match of a common term (信息 is in most entries) costs a pass over most of
 * the table on every request; docs/search.md has the measurements and the trade-off.
 */
export const RANKED = 500;
/**
 * A text query finds its newest RANKED+1 matches one of two ways. The GIN index hands over
 * every match (E of them), each read from a random heap page; a walk down the newest entries
 * tests each row's vector (it is in the row) and stops at the RANKED+1st match, reading about
 * RANKED * N / E rows, in order. The walk is taken when that is cheaper, reading a heap row at
 * random counting INDEX_ROW_COST rows read in order: E > sqrt(RANKED * N / INDEX_ROW_COST),
 * about 3,200 at 100,000 entries. E comes from the column statistics; a walk that finds too
 * few matches in WALKED rows hands over to the index.
 */
export const INDEX_ROW_COST = 5;
export const WALKED = 20_000;
/**
 * The share of the table (percent) a facet estimate reads: a fixed block sample. A count c
 * then rests on ~0.03 c sampled rows, about ±1/sqrt(0.03 c): ±25% just above RANKED, ±6% at
 * 10,000; the cost grows with the table (3,000 rows at 100,000 entries).
 */
export const SAMPLE_PERCENT = 3;

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

type FacetCounts = Record<string, { value: string | number; count: number }[]>;
type Candidate = Record<string, any> & { id: number; rank?: number };

/** The relevance of a row (alias `r`) for a tsquery text. */
export function rankSql(knex: Knex, tsq: string): Knex.Raw {
  return knex.raw(`ts_rank(?::real[], r.search, ?::tsquery)`, [WEIGHTS, tsq]);
}

/** Applies the caller's visibility, the text query, the facet filters and the fixed condition to `qb` (a source aliased `r`). */
function applyFilters(qb: Knex.QueryBuilder, query: CatalogueQuery, scoping: Scoping, tsq: string | null, fixed?: SearchOptions['fixed'], text = true) {
  if (scoping.departments !== null) {
    const own = scoping.departments;
    qb.where((w) => w.where((p) => p.whereNotNull('r.published_doc').whereNull('r.retired_at')).orWhereIn('r.department_id', own));
  }
  if (fixed) qb.where((w) => fixed(w));
  if (text && query.q !== undefined) {
    if (tsq === null) qb.whereRaw('false');
    else qb.whereRaw('r.search @@ ?::tsquery', [tsq]);
  }
  if (query.department) qb.where('r.department_id', query.department);
  for (const [param, column] of Object.entries(FACETS)) {
    const v = (query as Record<string, unknown>)[param];
    if (param !== 'department' && Array.isArray(v) && v.length) qb.whereIn(`r.${column}`, v);
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
 * Catalogue search: published entries for everyone, plus the caller's own department's
 * drafts. Relevance-ranked when `q` is given (among the newest RANKED matches), newest first
 * otherwise; keyset paging on (score, id) or id. The answer says how many entries match
 * (`total`, null when not counted), whether that and the facet counts are estimates
 * (`approximate`) and whether only the newest RANKED matches were ranked (`capped`).
 */
export async function searchResources(knex: Knex, query: CatalogueQuery, scoping: Scoping, options: SearchOptions = {}) {
  const tsq = query.q ? toTsquery(query.q) : null;
  const filtered = (from: string | Knex.Raw = 'odx.resources as r', text = true) => applyFilters(knex.from(from as string), query, scoping, tsq, options.fixed, text);
  const present = options.present ?? presentResourceSummary;
  const names = options.facets ?? (Object.keys(FACETS) as FacetName[]);
  const wantFacets = query.facets ?? true;
  const facetColumns = ['r.id', ...FACET_COLUMNS.map((c) => `r.${c}`)];

  if (tsq) {
    // filters no index orders by id: with them the planner may sort the filtered set (see newestMatches)
    const unordered = Boolean(options.fixed || query.status || query.linked !== undefined || (['domain', 'shareType', 'openType', 'format', 'updateCycle'] as const).some((f) => query[f]?.length));
    const stats = await searchStats(knex);
    const expected = expectedMatches(stats, queryTerms(query.q!));
    // a query sure to match more than RANKED entries counts its facets while its matches are found
    const early = wantFacets && !filteredBeyondText(query, options) && expected > 2 * RANKED ? quiet(sampledFacets(knex, filtered, names)) : null;
    const walk = expected * expected * INDEX_ROW_COST > (RANKED + 1) * stats.rows;
    const rows = await newestMatches(knex, tsq, walk, filtered, facetColumns, unordered);
    const complete = rows.length <= RANKED;
    const estimate = complete || !wantFacets ? null : (early ?? sampledFacets(knex, filtered, names));
    const pool = (rows as Candidate[]).sort((a, b) => b.id - a.id).slice(0, RANKED).sort((a, b) => b.rank! - a.rank! || b.id - a.id);
    let start = 0;
    if (query.cursor) {
      const [score, id] = decodeCursor(query.cursor, ['number', 'number']) as [number, number];
      start = pool.findIndex((c) => c.rank! < score || (c.rank === score && c.id < id));
      if (start < 0) start = pool.length;
    }
    const page = pool.slice(start, start + query.limit + 1);
    const shown = await knex('odx.resources as r').whereIn('r.id', page.map((c) => c.id)).select(await rowColumns(knex));
    const full = new Map(shown.map((r: Record<string, any>) => [r.id, r]));
    const items = page.slice(0, query.limit).map((c): Candidate => ({ ...(full.get(c.id) as Candidate), rank: c.rank }));
    const last = items[items.length - 1];
    const next = page.length > query.limit ? encodeCursor([last.rank, last.id]) : null;
    const counted = await estimate;
    return {
      items: items.map(present),
      next,
      total: complete ? pool.length : (counted?.total ?? null),
      approximate: counted?.approximate ?? false,
      capped: !complete,
      ...(wantFacets ? { facets: counted?.facets ?? countFacets(pool, names) } : {}),
    };
  }

  const page = filtered().select(await rowColumns(knex)).orderBy('r.id', 'desc').limit(query.limit + 1);
  if (query.cursor) page.where('r.id', '<', decodeCursor(query.cursor, ['number'])[0] as number);
  // the page, the newest RANKED+1 entries (are there more?) and, for a large catalogue, the sample run at once
  const early = wantFacets && !filteredBeyondText(query, options) && (await searchStats(knex)).rows > 2 * RANKED ? quiet(sampledFacets(knex, filtered, names)) : null;
  const newestQuery = wantFacets ? filtered().select(facetColumns).orderBy('r.id', 'desc').limit(RANKED + 1) : null;
  const [rows, newestRows] = await Promise.all([page, newestQuery]);
  const items = rows.slice(0, query.limit);
  const next = rows.length > query.limit ? encodeCursor([items[items.length - 1].id]) : null;
  if (!wantFacets) return { items: items.map(present), next, total: null, approximate: false, capped: false };
  const newest = newestRows as Candidate[];
  const complete = newest.length <= RANKED;
  const estimate = complete ? null : await (early ?? sampledFacets(knex, filtered, names));
  return {
    items: items.map(present),
    next,
    total: estimate?.total ?? newest.length,
    approximate: estimate?.approximate ?? false,
    capped: false,
    facets: estimate?.facets ?? countFacets(newest, names),
  };
}

/**
 * The newest RANKED+1 matches of a text query (fewer when there are fewer), each with its
 * facet columns and its rank: from the GIN index, or (`walk`, for a common query) by walking
 * the newest visible entries (an index scan by id; the vector is in the row) up to the
 * RANKED+1st match, falling back to the index after WALKED entries. ts_rank is computed only
 * for the rows returned.
 */
async function newestMatches(
  knex: Knex,
  tsq: string,
  walk: boolean,
  filtered: (from?: string, text?: boolean) => Knex.QueryBuilder,
  facetColumns: string[],
  unordered: boolean,
): Promise<Candidate[]> {
  const columns = facetColumns.map((c) => c.replace('r.', 'c.')).join(', ');
  if (walk) {
    const newest = filtered(undefined, false).select([...facetColumns, 'r.search']).orderBy('r.id', 'desc').limit(WALKED).toSQL();
    const sql = `select ${columns}, ts_rank(?::real[], c.search, ?::tsquery) as rank from (${newest.sql}) c where ts_match_vq(c.search, ?::tsquery) limit ${RANKED + 1}`;
    const bindings = [WEIGHTS, tsq, ...newest.bindings, tsq];
    // The walk must come in id order from an index (the primary key, or department_id, id),
    // never from sorting the filtered set, which the planner prefers when a filter on a column
    // without an index leaves fewer rows than WALKED: it cannot know the walk stops early.
    const rows = unordered
      ? await knex.transaction(async (trx) => {
          await trx.raw('set local enable_sort = off');
          return (await trx.raw(sql, bindings)).rows as Candidate[];
        })
      : ((await knex.raw(sql, bindings)).rows as Candidate[]);
    if (rows.length > RANKED) return rows;
  }
  const newest = filtered().select([...facetColumns, 'r.search']).orderBy('r.id', 'desc').limit(RANKED + 1).toSQL();
  const { rows } = await knex.raw(`select ${columns}, ts_rank(?::real[], c.search, ?::tsquery) as rank from (${newest.sql}) c`, [WEIGHTS, tsq, ...newest.bindings]);
  return rows;
}

/** Matches expected from the statistics: a term's bigrams come together (its rarest bounds it); separate terms are taken as independent. */
function expectedMatches(stats: SearchStats, terms: string[][]): number {
  const share = (lexeme: string) => stats.frequency.get(lexeme) ?? stats.floor;
  return stats.rows * terms.reduce((p, term) => p * Math.min(...term.map(share)), 1);
}

/** Whether anything but the text narrows the search (then the statistics say little about the count). */
function filteredBeyondText(query: CatalogueQuery, options: SearchOptions): boolean {
  return Boolean(
    options.fixed || query.department || query.status || query.linked !== undefined || (['domain', 'shareType', 'openType', 'format', 'updateCycle'] as const).some((f) => query[f]?.length),
  );
}

/** A promise started ahead that may go unused: its failure is reported where it is awaited, or nowhere. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

interface SearchStats {
  at: number;
  rows: number;
  /** Share of entries holding each of the most common lexemes (ANALYZE's most_common_elems). */
  frequency: Map<string, number>;
  /** Every other lexeme is in fewer entries than this share. */
  floor: number;
}
const STATS_TTL_MS = 60_000;
const statsCache = new WeakMap<Knex, SearchStats>();

/** The table's size and lexeme frequencies from the planner statistics, kept for a minute. */
async function searchStats(knex: Knex): Promise<SearchStats> {
  const cached = statsCache.get(knex);
  if (cached && Date.now() - cached.at < STATS_TTL_MS) return cached;
  const { rows } = await knex.raw(`
    select c.reltuples::float8 as rows, s.most_common_elems::text::text[] as elems, s.most_common_elem_freqs as freqs
    from pg_class c left join pg_stats s on s.schemaname = 'odx' and s.tablename = 'resources' and s.attname = 'search'
    where c.oid = 'odx.resources'::regclass`);
  const r = rows[0] ?? {};
  const elems: string[] = r.elems ?? [];
  const freqs: number[] = r.freqs ?? [];
  const stats: SearchStats = {
    at: Date.now(),
    rows: Math.max(0, Number(r.rows ?? 0)),
    frequency: new Map(elems.map((e, i) => [e, freqs[i]])),
    // without statistics every lexeme may be in every entry
    floor: elems.length ? (freqs[elems.length] ?? 1) : 1,
  };
  statsCache.set(knex, stats);
  return stats;
}

const columnsCache = new WeakMap<Knex, { at: number; columns: (string | Knex.Raw)[] }>();

/**
 * What a result row carries to the presenter: every column but the search vector, and the
 * working document only while nothing is published (a published entry is shown from its
 * published document). Both are a few kB a row, read, sent and parsed for nothing otherwise.
 */
async function rowColumns(knex: Knex): Promise<(string | Knex.Raw)[]> {
  const cached = columnsCache.get(knex);
  if (cached && Date.now() - cached.at < STATS_TTL_MS) return cached.columns;
  const { rows } = await knex.raw(`select attname from pg_attribute where attrelid = 'odx.resources'::regclass and attnum > 0 and not attisdropped order by attnum`);
  const columns = [
    ...rows.map((r: { attname: string }) => r.attname).filter((c: string) => c !== 'search' && c !== 'doc').map((c: string) => `r.${c}`),
    knex.raw('case when r.published_doc is null then r.doc end as doc'),
  ];
  columnsCache.set(knex, { at: Date.now(), columns });
  return columns;
}

function sortFacet(counts: Map<string | number, number>) {
  return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value)));
}

/** Exact counts per facet value over a complete set of matches. */
function countFacets(rows: Record<string, unknown>[], names: readonly FacetName[]): FacetCounts {
  const facets: FacetCounts = {};
  for (const name of names) {
    const counts = new Map<string | number, number>();
    for (const r of rows) {
      const v = r[FACETS[name]] as string | number | null;
      if (v !== null && v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    facets[name] = sortFacet(counts);
  }
  return facets;
}

/**
 * Facet counts and the total of a large match set, estimated from a fixed block sample of
 * SAMPLE_PERCENT of the table (TABLESAMPLE SYSTEM ... REPEATABLE) and scaled up. The sample is the
 * same on every request, so counts do not jitter between pages and its pages stay cached.
 */
async function sampledFacets(knex: Knex, filtered: (from: string | Knex.Raw) => Knex.QueryBuilder, names: readonly FacetName[]) {
  const percent = SAMPLE_PERCENT;
  const source = knex.raw(`odx.resources as r tablesample system (${percent.toFixed(4)}) repeatable (20260101)`);
  const sql = filtered(source).select(FACET_COLUMNS.map((c) => `r.${c}`)).count('* as n').toSQL();
  const grouped = `${sql.sql} group by grouping sets (${FACET_COLUMNS.map((c) => `(r.${c})`).join(', ')})`;
  const rows = (await knex.raw(grouped, sql.bindings as any[])).rows as Record<string, any>[];
  const scale = 100 / percent;
  const only = (column: string) => rows.filter((r) => r[column] !== null && FACET_COLUMNS.every((c) => c === column || r[c] === null));
  const facets: FacetCounts = {};
  for (const name of names) {
    facets[name] = sortFacet(new Map(only(FACETS[name]).map((r) => [r[FACETS[name]], Math.max(1, Math.round(Number(r.n) * scale))])));
  }
  // every row has a share type, so its group sizes add up to the sampled matches
  const sampled = only('share_type').reduce((s, r) => s + Number(r.n), 0);
  return { total: Math.max(RANKED + 1, Math.round(sampled * scale)), approximate: true, facets };
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
