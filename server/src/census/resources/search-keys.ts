/**
 * The index keys of a catalogue entry (migration 007, `odx.search_keys`): every lexeme of its
 * search vector, one key per facet value (`~domain=market`, `~department_id=7`, …) and `~`
 * (every entry). In the `resources_recent` index each key also carries the entry's id bucket
 * (`信息/97`: entries 99,328–100,351 holding 信息), so the newest matches of a query are read
 * from its newest buckets only; `resources_sample` holds the plain keys of a fixed 1/32 sample.
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

/** The tsquery of `keys` for the plain keys, or for the keys of one bucket. */
export function keysTsquery(keys: KeyQuery, bucket?: number): string {
  const k = (key: string) => quote(bucket === undefined ? key : `${key}/${bucket}`);
  return keys.map((group) => (group.length === 1 ? k(group[0]) : `(${group.map(k).join(' | ')})`)).join(' & ');
}

/**
 * The conditions of `keys` in the buckets `from`..`to`, one tsquery per group (any of its keys
 * in any of the buckets). Each is a separate condition on the index, so GIN intersects them by
 * skipping along the rarest; an entry's keys all carry its own bucket, so an entry meeting every
 * condition holds the whole query in one bucket.
 */
export function bucketsTsqueries(keys: KeyQuery, from: number, to: number): string[] {
  return keys.map((group) => {
    const parts: string[] = [];
    for (let b = to; b >= from; b--) for (const key of group) parts.push(quote(`${key}/${b}`));
    return parts.join(' | ');
  });
}

export const bucketOf = (id: number) => Math.floor(id / BUCKET);
