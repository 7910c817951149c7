import type { Knex } from 'knex';

/**
 * What the search planner knows about the catalogue, from PostgreSQL's own statistics
 * (refreshed by ANALYZE, read at most once a minute): its size, its newest id, the share of
 * entries holding each of the commonest lexemes (`most_common_elems` of the search vector) and
 * of each facet value (`most_common_vals` of the facet columns).
 */
export interface SearchStats {
  at: number;
  rows: number;
  /** The newest id when read; entries added since are found by id (search.ts, `newer`). */
  maxId: number;
  /** Share of entries holding each of the commonest lexemes. */
  lexemes: Map<string, number>;
  /** Every other lexeme is in fewer entries than this share. */
  lexemeFloor: number;
  /** Share of entries per facet column and value; `rest` is the share of any other single value. */
  values: Map<string, { shares: Map<string, number>; rest: number }>;
}

const TTL_MS = 60_000;
const cache = new WeakMap<Knex, SearchStats>();
const FACET_COLUMNS = ['department_id', 'domain', 'share_type', 'open_type', 'format_type', 'update_cycle'];

export async function searchStats(knex: Knex): Promise<SearchStats> {
  const cached = cache.get(knex);
  if (cached && Date.now() - cached.at < TTL_MS) return cached;
  const { rows } = await knex.raw(
    `select s.attname, s.null_frac, s.n_distinct, s.most_common_vals::text::text[] as vals, s.most_common_freqs as freqs,
            s.most_common_elems::text::text[] as elems, s.most_common_elem_freqs as elem_freqs
     from pg_stats s where s.schemaname = 'odx' and s.tablename = 'resources' and s.attname in (${FACET_COLUMNS.map(() => '?').join(', ')}, 'search')`,
    FACET_COLUMNS,
  );
  const [{ reltuples, max_id }] = (
    await knex.raw(`select c.reltuples::float8 as reltuples, (select max(id) from odx.resources) as max_id from pg_class c where c.oid = 'odx.resources'::regclass`)
  ).rows;
  const search = rows.find((r: { attname: string }) => r.attname === 'search');
  const elems: string[] = search?.elems ?? [];
  const elemFreqs: number[] = search?.elem_freqs ?? [];
  const values = new Map<string, { shares: Map<string, number>; rest: number }>();
  for (const r of rows) {
    if (r.attname === 'search') continue;
    const vals: string[] = r.vals ?? [];
    const freqs: number[] = r.freqs ?? [];
    const distinct = r.n_distinct < 0 ? -r.n_distinct * Math.max(1, reltuples) : r.n_distinct;
    const left = Math.max(0, 1 - r.null_frac - freqs.reduce((s, f) => s + f, 0));
    const others = Math.max(1, distinct - vals.length);
    values.set(r.attname, { shares: new Map(vals.map((v, i) => [v, freqs[i]])), rest: vals.length && left === 0 ? 0 : Math.min(1, left / others) });
  }
  const stats: SearchStats = {
    at: Date.now(),
    rows: Math.max(0, Number(reltuples)),
    maxId: Number(max_id ?? 0),
    lexemes: new Map(elems.map((e, i) => [e, elemFreqs[i]])),
    // without statistics every lexeme may be in every entry
    lexemeFloor: elems.length ? (elemFreqs[elems.length] ?? 1) : 1,
    values,
  };
  cache.set(knex, stats);
  return stats;
}

/** Share of entries holding a lexeme. */
export function lexemeShare(stats: SearchStats, lexeme: string): number {
  return stats.lexemes.get(lexeme) ?? stats.lexemeFloor;
}

/** Share of entries whose `column` is one of `values` (1 without statistics). */
export function valueShare(stats: SearchStats, column: string, values: (string | number)[]): number {
  const s = stats.values.get(column);
  if (!s) return 1;
  return Math.min(1, values.reduce((sum: number, v) => sum + (s.shares.get(String(v)) ?? s.rest), 0));
}
