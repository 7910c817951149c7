/**
 * The preview's filters and sort, kept in the page's URL in the row API's own syntax
 * (`filter[col][op]=v`, `sort=a,-b`), so a filtered view can be shared and the same parameters
 * make the download links and the API snippets.
 */
import type { PreviewItem } from './rows.ts';

export type Operator = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'contains' | 'in' | 'isnull';

export interface RowFilter {
  column: string;
  op: Operator;
  value: string;
}

export interface RowQuery {
  filters: RowFilter[];
  sort: string[];
}

const FILTER = /^filter\[([^\]]+)\](?:\[([a-z]+)\])?$/;
const TEXT_TYPES = new Set(['C', 'M', 'G']);

/** Operators that fit an item's type (docs/data-api.md); masked items take none. */
export function operatorsFor(item: PreviewItem): Operator[] {
  if (item.masked) return [];
  if (item.type === 'L') return ['eq', 'isnull'];
  if (TEXT_TYPES.has(item.type)) return ['eq', 'ne', 'contains', 'in', 'isnull'];
  return ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'isnull'];
}

export const NUMERIC_TYPES = new Set(['N', 'Y', 'B', 'I', 'F']);

export function readRowQuery(params: URLSearchParams): RowQuery {
  const filters: RowFilter[] = [];
  for (const [key, value] of params) {
    const m = FILTER.exec(key);
    if (m) filters.push({ column: m[1], op: (m[2] ?? 'eq') as Operator, value });
  }
  const sort = (params.get('sort') ?? '').split(',').filter(Boolean);
  return { filters, sort };
}

/** The URL parameters of a row query: filters, sort; other parameters of the page are kept. */
export function writeRowQuery(params: URLSearchParams, q: RowQuery): URLSearchParams {
  const next = new URLSearchParams();
  for (const [k, v] of params) if (!FILTER.test(k) && k !== 'sort') next.append(k, v);
  for (const f of q.filters) next.append(`filter[${f.column}][${f.op}]`, f.value);
  if (q.sort.length) next.set('sort', q.sort.join(','));
  return next;
}

export function toApiParams(q: RowQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of q.filters) out[`filter[${f.column}][${f.op}]`] = f.value;
  if (q.sort.length) out.sort = q.sort.join(',');
  return out;
}

/** The query as a URL query string (without `?`), brackets left readable. */
export function rowQueryString(q: RowQuery, extra: Record<string, string> = {}): string {
  return Object.entries({ ...toApiParams(q), ...extra })
    .map(([k, v]) => `${encodeURIComponent(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encodeURIComponent(v)}`)
    .join('&');
}
