/**
 * The index keys of a catalogue entry (migration 007, `odx.search_keys`): every lexeme of its
 * search vector, one key per facet value (`~domain=market`, `~department_id=7`, …) and `~`
 * (every entry). In the `resources_recent` index each key also carries the entry's id bucket
 * (`信息/97`: entries 99,328–100,351 holding 信息), so the newest matches of a query are read
 * bucket after bucket, newest first, each bucket a small index scan; `resources_sample` holds
 * the plain keys of a fixed 1/32 sample.
 * The encoding here must stay the one of the migration.
 */

/** Ids per bucket: 2^BUCKET_BITS. */
export const BUCKET_BITS = 10;
export const BUCKET = 2 ** BUCKET_BITS;
/**
 * One entry in SAMPLE_EVERY is in the facet sample: a fixed random sample of runs of four
 * consecutive ids (`hashint8(id >> 2) & 31 = 0`), so that a run mostly shares a heap page.
 */
export const SAMPLE_EVERY = 32;

const COLUMNS = 'r.search, r.id, r.department_id, r.domain, r.share_type, r.open_type, r.format_type, r.update_cycle';
/** The expression of `resources_recent` (the planner matches it textually). */
export const RECENT_KEYS = `odx.search_keys(${COLUMNS}, true)`;
/** The expression and predicate of `resources_sample`. */
export const SAMPLE_KEYS = `odx.search_keys(${COLUMNS}, false)`;
export const IN_SAMPLE = `(hashint8(r.id >> 2) & ${SAMPLE_EVERY - 1}) = 0`;

/** The key of every entry. */
export const ALL = '~';
export const facetKey = (column: string, value: string | number) => `~${column}=${value}`;

const quote = (key: string) => `'${key.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/**
 * A condition on keys: every group must hold, a group holds when any of its keys does
 * (the lexemes of the query are one-key groups; a filter on several values is one group).
 */
export type KeyQuery = string[][];

/** The tsquery of `keys`. */
export function keysTsquery(keys: KeyQuery): string {
  return keys.map((group) => (group.length === 1 ? quote(group[0]) : `(${group.map(quote).join(' | ')})`)).join(' & ');
}

/**
 * The tsquery of `keys` in one bucket, with `@` for the bucket's number (search-plan.ts puts
 * it in, bucket after bucket). Keys hold letters, digits, `~`, `=` and `_` only, never `/@`.
 */
export function bucketTemplate(keys: KeyQuery): string {
  return keysTsquery(keys.map((group) => group.map((key) => `${key}/@`)));
}

export const bucketOf = (id: number) => Math.floor(id / BUCKET);
