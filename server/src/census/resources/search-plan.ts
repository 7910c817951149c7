import type { Knex } from 'knex';
import { BUCKET, BUCKET_BITS, RECENT_KEYS, bucketOf, bucketTemplate, facetKey, type KeyQuery } from './search-keys.ts';
import { lexemeShare, valueShare, type SearchStats } from './search-stats.ts';

/**
 * How a catalogue query finds its newest matches (search.ts): the keys it needs, what the
 * statistics expect of them, the cheapest way to read them, and the SQL of that way.
 */

/**
 * How many matches a query ranks: the newest RANKED of them. Up to that many matches the
 * ranking, the total and the facet counts are exact; beyond it the newest RANKED matches are
 * ranked and paged, and the total and facet counts are estimated from a sample. Ranking and
 * counting every match of a common term (信息 is in most entries) costs a pass over most of
 * the table on every request; docs/search.md has the measurements and the trade-off.
 */
export const RANKED = 500;
/** A department's entries are read by its index when it has at most this many. */
export const WALKED = 20_000;
/**
 * Costs (µs, measured with EXPLAIN ANALYZE at 100,000 entries; docs/search.md) the plan is
 * chosen by: reading one id bucket of `resources_recent` (`BUCKET_SCAN`: looking up the
 * query's keys there and starting the scan), a row read by a bitmap scan and sorted (`ROW`), an
 * entry read walking the primary key and tested (`WALK`), a match of the GIN index of the
 * vector, read and sorted (`MATCH`).
 */
const BUCKET_SCAN = 15;
const ROW = 2;
const WALK = 1;
const MATCH = 2.7;

/** The facet filters of a query, by the column they filter. */
export interface Filters {
  department?: number;
  values: [column: string, values: (string | number)[]][];
}

/** SQL text with `?` placeholders and its bindings, to be put together into one statement. */
export interface Sql {
  sql: string;
  bindings: unknown[];
}
export const sqlOf = (qb: Knex.QueryBuilder | Knex.Raw): Sql => {
  const s = qb.toSQL();
  return { sql: s.sql, bindings: [...s.bindings] };
};
/** Joins SQL pieces: `parts` strings interleaved with pieces, like a template literal. */
export function joinSql(strings: TemplateStringsArray, ...pieces: (Sql | string | number)[]): Sql {
  let sql = strings[0];
  const bindings: unknown[] = [];
  pieces.forEach((p, i) => {
    if (typeof p === 'object') {
      sql += p.sql;
      bindings.push(...p.bindings);
    } else sql += String(p);
    sql += strings[i + 1];
  });
  return { sql, bindings };
}

/**
 * How the newest RANKED+1 matches are found (`candidates`):
 * - `recent`: bucket by bucket of `resources_recent`, newest first, until enough are found.
 *   Cost: the buckets read and the matches in them.
 * - `walk`: the newest `window` entries (primary key), each tested, then the older ones from the
 *   GIN index of the vector: a term in most entries (信息 is in 70% of them), no filters.
 * - `index`: every match from the GIN index of the vector, newest first (a rare term in a large
 *   catalogue: fewer matches than buckets to read).
 * - `department`: the department's entries from id `from` on (its index), each tested, then its
 *   older ones (a small department in a large catalogue).
 * - `newest`: the newest entries meeting conditions no index holds (browsing).
 */
export type Plan = { kind: 'recent' } | { kind: 'walk'; window: number } | { kind: 'index' } | { kind: 'department'; from: number } | { kind: 'newest' };

export interface Shape {
  /** Keys the matches hold: the query's lexemes and the facet filters (search-keys.ts). */
  keys: KeyQuery;
  /** Share of entries the keys select. */
  share: number;
  /** Share of entries the text alone selects. */
  textShare: number;
  /** The department filtered on, if any. */
  department?: number;
}

/**
 * The keys of a query (the lexemes of its terms, its facet filters) and what the statistics
 * expect of them. A term needs all its bigrams, which come together: its rarest bounds it.
 * Terms are neither independent (养老保险 参保) nor always together, so the share of several
 * is taken halfway (geometrically) between the product of their shares and the rarest one.
 */
export function shapeOf(stats: SearchStats, filters: Filters, terms: string[][]): Shape {
  const keys: KeyQuery = [...new Set(terms.flat())].map((lexeme) => [lexeme]);
  const termShares = terms.map((term) => Math.min(...term.map((l) => lexemeShare(stats, l))));
  const textShare = terms.length ? Math.sqrt(termShares.reduce((p, s) => p * s, 1) * Math.min(...termShares)) : 1;
  let share = textShare;
  const filter = (column: string, values: (string | number)[]) => {
    keys.push(values.map((v) => facetKey(column, v)));
    share *= valueShare(stats, column, values);
  };
  if (filters.department) filter('department_id', [filters.department]);
  for (const [column, values] of filters.values) filter(column, values);
  return { keys, share, textShare, department: filters.department };
}

/** Chooses how to find the newest matches: the cheapest by the statistics (see the constants above). */
export function choosePlan(stats: SearchStats, shape: Shape, text: boolean): Plan {
  const rows = Math.max(1, stats.rows);
  const wanted = RANKED + 1;
  const share = Math.max(shape.share, 1 / rows);
  const options: [number, Plan][] = [];
  if (shape.keys.length) {
    const buckets = Math.min(bucketOf(stats.maxId) + 1, Math.ceil(wanted / share / BUCKET));
    // the buckets read hold all their matches: half a bucket's more than wanted, on average
    options.push([buckets * BUCKET_SCAN + Math.min(rows * share, wanted + (share * BUCKET) / 2) * ROW, { kind: 'recent' }]);
  }
  if (text) {
    options.push([rows * shape.textShare * MATCH, { kind: 'index' }]);
    // entries walked to find `wanted` matches (filters would make it longer: not with them); the window holds three times as many
    const walked = wanted / share;
    if (shape.keys.every((group) => !group[0].startsWith('~')) && walked * 3 <= WALKED) {
      options.push([walked * WALK, { kind: 'walk', window: Math.max(1_000, Math.ceil(walked * 3)) }]);
    }
  }
  if (shape.department) {
    const departmentShare = valueShare(stats, 'department_id', [shape.department]);
    const departmentRows = rows * departmentShare;
    // the department's entries expected to hold 1.25 times `wanted` matches, and the ids they span
    const needed = Math.min(departmentRows, (1.25 * wanted) / Math.max(shape.share / Math.max(departmentShare, 1e-9), 1e-9));
    const from = Math.max(0, Math.floor(stats.maxId - needed / Math.max(departmentShare, 1e-9)));
    if (departmentRows <= WALKED) options.push([ROW * needed, { kind: 'department', from }]);
  }
  if (!options.length) return { kind: 'newest' };
  return options.sort((a, b) => a[0] - b[0])[0][1];
}

/**
 * The SQL of the newest RANKED+1 matches, newest first, as the CTE `cand`: the columns `cols` of
 * alias `r` and its `ctid`, by which the caller reads more of those rows only (the search vector
 * to rank them: it is 1.8 kB a row, and is neither sorted nor kept here). `where(text, filters)`
 * applies every condition: the text query as a condition the GIN index can serve (true), tested
 * on each row only ('row'), or not at all (false); the facet filters unless `filters` is false
 * (the keys hold them) — search.ts, `applyFilters`.
 */
export function candidates(knex: Knex, plan: Plan, shape: Shape, cols: string[], where: (text: boolean | 'row', filters?: boolean) => Knex.QueryBuilder, text: boolean): Sql {
  const wanted = RANKED + 1;
  const select = (text: boolean | 'row', filters = true) => where(text, filters).select([...cols, 'r.ctid']);
  let cand: Sql;
  if (plan.kind === 'recent') {
    // Bucket after bucket, from the one of the newest id down (generate_series), each bucket's
    // matches newest first: the nested loop stops at the `wanted`th match. A bucket's keys are
    // one tsquery (the template with its number), so GIN skips along the rarest key. The facet
    // filters are in the keys; as conditions on their columns too, they would tempt the planner
    // to AND in the department's index on every bucket.
    const bucket = select(false, false).whereRaw(`${RECENT_KEYS} @@ replace(?, '/@', '/' || b.n)::tsquery`, [bucketTemplate(shape.keys)]).orderBy('r.id', 'desc');
    cand = joinSql`select l.* from generate_series((select max(id) from odx.resources) >> ${BUCKET_BITS}, 0, -1) b(n) cross join lateral (${sqlOf(bucket)}) l limit ${wanted}`;
  } else if (plan.kind === 'walk') {
    // The newest entries by the primary key, each tested. The conditions stay outside the limited
    // scan, so the planner cannot sort the filtered set instead; it stops at the `wanted`th match.
    // Older matches (if the window holds too few) come from the GIN index of the vector.
    const newest = (c: string) => `(select ${c} from odx.resources r order by r.id desc limit ${plan.window})`;
    const walk = where('row').from(knex.raw(`${newest('r.*, r.ctid')} as r`)).select([...cols, 'r.ctid']).orderBy('r.id', 'desc').limit(wanted);
    const older = select(true).whereRaw(`r.id < (select min(w.id) from ${newest('r.id')} w) and (select count(*) from w0) < ${wanted}`);
    return joinSql`w0 as materialized (${sqlOf(walk)}), w1 as materialized (select * from (${sqlOf(older)} offset 0) n order by n.id desc limit ${wanted}),
      cand as materialized (select * from (select * from w0 union all select * from w1) u order by u.id desc limit ${wanted})`;
  } else if (plan.kind === 'index') {
    // every match (offset 0: planned on its own, so by the GIN index, not by walking the primary key)
    cand = joinSql`select * from (${sqlOf(select(true))} offset 0) n order by n.id desc limit ${wanted}`;
  } else if (plan.kind === 'department') {
    // the department's newest entries (its (department_id, id) index), each tested; its older ones only if too few
    const department = (range: (q: Knex.QueryBuilder) => void) => sqlOf(select('row').where('r.department_id', shape.department!).where(range).orderBy('r.id', 'desc').limit(wanted));
    const newer = department((q) => q.where('r.id', '>=', plan.from));
    const older = department((q) => q.where('r.id', '<', plan.from).whereRaw(`(select count(*) from d0) < ${wanted}`));
    return joinSql`d0 as materialized (${newer}), d1 as materialized (${older}),
      cand as materialized (select * from (select * from d0 union all select * from d1) u order by u.id desc limit ${wanted})`;
  } else {
    cand = sqlOf(select(text).orderBy('r.id', 'desc').limit(wanted));
  }
  return joinSql`cand as materialized (${cand})`;
}
