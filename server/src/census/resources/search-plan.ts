import type { Knex } from 'knex';
import { BUCKET, RECENT_KEYS, bucketOf, bucketsTsqueries, facetKey, type KeyQuery } from './search-keys.ts';
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
/**
 * The newest RANKED+1 matches are read from the newest id buckets of the `resources_recent`
 * index (search-keys.ts): enough buckets to hold MARGIN times that many matches by the
 * statistics; when they hold fewer, LATER times as many buckets, then the rest of the table.
 */
export const MARGIN = 1.25;
export const LATER = 8;
/** A department's entries are walked newest first (its index) when it has at most this many. */
export const WALKED = 20_000;
/**
 * Relative costs (about µs on the reference machine) the plan is chosen by: a posting the GIN
 * index reads (`POSTING`), a match it hands over (`MATCH`), a row read from the heap (`ROW`).
 */
const POSTING = 0.2;
const MATCH = 0.3;
const ROW = 1.2;

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
 * - `recent`: from the newest buckets of `resources_recent` — the buckets `from`..`to`, then
 *   (when they hold too few matches) `later`..`from`-1, then the rest of the table; entries
 *   newer than the statistics' newest id (`after`) are read by id. Cost: the matches found.
 * - `index`: every match from the GIN index of the search vector, newest first (a rare term).
 * - `department`: the department's entries from id `from` on (its index), each tested, then its older ones.
 * - `newest`: the newest entries meeting conditions no index holds (browsing).
 */
export type Plan =
  | { kind: 'recent'; from: number; to: number; later: number; after: number }
  | { kind: 'index' }
  | { kind: 'department'; from: number }
  | { kind: 'newest' };

export interface Shape {
  /** Keys the matches hold: the query's lexemes and the facet filters (search-keys.ts). */
  keys: KeyQuery;
  /** Share of entries the keys select, and the sum of the shares of the keys (GIN postings per entry). */
  share: number;
  postings: number;
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
  const keys: KeyQuery = [];
  let postings = 0;
  const termShares = terms.map((term) => Math.min(...term.map((l) => lexemeShare(stats, l))));
  const textShare = terms.length ? Math.sqrt(termShares.reduce((p, s) => p * s, 1) * Math.min(...termShares)) : 1;
  for (const lexeme of new Set(terms.flat())) {
    keys.push([lexeme]);
    postings += lexemeShare(stats, lexeme);
  }
  let share = textShare;
  const filter = (column: string, values: (string | number)[]) => {
    const s = valueShare(stats, column, values);
    keys.push(values.map((v) => facetKey(column, v)));
    share *= s;
    postings += s;
  };
  if (filters.department) filter('department_id', [filters.department]);
  for (const [column, values] of filters.values) filter(column, values);
  return { keys, share, postings, textShare, department: filters.department };
}

/** Chooses how to find the newest matches: the cheapest by the statistics (see the constants above). */
export function choosePlan(stats: SearchStats, shape: Shape, text: boolean): Plan {
  const rows = Math.max(1, stats.rows);
  const wanted = RANKED + 1;
  const top = bucketOf(stats.maxId);
  const options: [number, Plan][] = [];
  if (shape.keys.length) {
    // the ids holding MARGIN times `wanted` expected matches, from the newest one down
    const ids = (MARGIN * wanted) / Math.max(shape.share, 1 / rows);
    const from = Math.max(0, Math.min(top, bucketOf(stats.maxId - ids)));
    const k = top - from + 1;
    const read = Math.min(rows, stats.maxId - from * BUCKET + 1);
    options.push([
      read * shape.postings * POSTING + read * shape.share * (MATCH + ROW) + k * shape.keys.length,
      { kind: 'recent', from, to: top, later: Math.max(0, top - LATER * k + 1), after: (top + 1) * BUCKET - 1 },
    ]);
  }
  if (text) options.push([rows * shape.textShare * (MATCH + ROW), { kind: 'index' }]);
  if (shape.department) {
    const departmentShare = valueShare(stats, 'department_id', [shape.department]);
    const departmentRows = rows * departmentShare;
    // the department's entries needed to find MARGIN times `wanted` matches, and the ids they span
    const needed = Math.min(departmentRows, (MARGIN * wanted) / Math.max(shape.share / Math.max(departmentShare, 1e-9), 1e-9));
    const from = Math.max(0, Math.floor(stats.maxId - needed / Math.max(departmentShare, 1e-9)));
    if (departmentRows <= WALKED) options.push([ROW * needed, { kind: 'department', from }]);
  }
  if (!options.length) return { kind: 'newest' };
  return options.sort((a, b) => a[0] - b[0])[0][1];
}

/**
 * The SQL of the newest RANKED+1 matches, newest first, as the CTE `cand` of one statement of
 * up to three stages: a later stage runs only when the earlier ones found too few. Each stage
 * reads the columns `cols` of alias `r`, keeps the newest, and returns `out` of them (alias
 * `m`): the ranking is computed for those rows only, and the wide search vector goes no further
 * than the stage. `where(text)`
 * applies every condition: the text query as a condition the GIN index can serve (true), tested
 * on each row only ('row'), or not at all (false) — search.ts, `applyFilters`.
 */
export function candidates(plan: Plan, shape: Shape, cols: string[], out: Sql, where: (text: boolean | 'row') => Knex.QueryBuilder, text: boolean): Sql {
  const wanted = RANKED + 1;
  const select = (text: boolean | 'row') => where(text).select(cols);
  // the inner query is planned on its own (offset 0): GIN bitmap scans, never an index walk testing every row
  // (`out`, the ranking, is computed for the newest `wanted` rows only)
  const newestOf = (inner: Sql, fence = true) => joinSql`select ${out} from (select * from (${inner}${fence ? ' offset 0' : ''}) n order by n.id desc limit ${wanted}) m`;
  // the condition of a stage that runs only when the stages before it found fewer than `wanted`
  const unless = (before: number) => `(${Array.from({ length: before }, (_, i) => `(select count(*) from s${i})`).join(' + ')}) < ${wanted}`;
  const stages: Sql[] = [];
  if (plan.kind === 'recent') {
    const inBuckets = (from: number, to: number) => {
      const qb = select(false);
      for (const tsquery of bucketsTsqueries(shape.keys, from, to)) qb.whereRaw(`${RECENT_KEYS} @@ ?::tsquery`, [tsquery]);
      return qb;
    };
    const newer = sqlOf(select('row').where('r.id', '>', plan.after));
    stages.push(newestOf(joinSql`(${sqlOf(inBuckets(plan.from, plan.to))} offset 0) union all (${newer})`, false));
    if (plan.later < plan.from) stages.push(newestOf(sqlOf(inBuckets(plan.later, plan.from - 1).whereRaw(unless(1)))));
    if (plan.later > 0) {
      const older = select(text).where('r.id', '<', plan.later * BUCKET).whereRaw(unless(stages.length));
      stages.push(text ? newestOf(sqlOf(older)) : newestOf(sqlOf(older.orderBy('r.id', 'desc').limit(wanted)), false));
    }
  } else if (plan.kind === 'index') {
    stages.push(newestOf(sqlOf(select(true))));
  } else if (plan.kind === 'department') {
    // the department's newest entries (its (department_id, id) index), each tested; then its older ones
    const department = (range: (q: Knex.QueryBuilder) => void) => newestOf(sqlOf(select('row').where('r.department_id', shape.department!).where(range)));
    stages.push(department((q) => q.where('r.id', '>=', plan.from)));
    stages.push(department((q) => q.where('r.id', '<', plan.from).whereRaw(unless(1))));
  } else {
    stages.push(newestOf(sqlOf(select(text).orderBy('r.id', 'desc').limit(wanted)), false));
  }
  const ctes = stages.map((s, i) => joinSql`s${i} as materialized (${s})`).reduce((a, b) => joinSql`${a}, ${b}`);
  const all = stages.map((_, i) => `select * from s${i}`).join(' union all ');
  return joinSql`${ctes}, cand as materialized (select * from (${all}) u order by u.id desc limit ${wanted})`;
}

