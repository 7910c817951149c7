/**
 * Every list a caller can send (comma-separated values, repeated keys, JSON lists, search terms)
 * has a bound: without one a single request could make thousands of queries or reach
 * PostgreSQL's parameter limit. Duplicates are dropped before counting.
 */

/** The bound of list parameters that name values (states, domains, facets, `fq_list` entries). */
export const LIST_MAX = 100;

/** The distinct values of a list, in first-seen order; `tooMany` when more than `max` remain. */
export function boundedList(values: readonly string[], max: number, tooMany: (message: string) => Error): string[] {
  const distinct = [...new Set(values)];
  if (distinct.length > max) throw tooMany(`at most ${max} distinct values (got ${distinct.length})`);
  return distinct;
}
