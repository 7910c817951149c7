/**
 * Where a preview table's rows come from: the open row API (GET /api/v1/datasets/:code/rows) in the
 * portal, the shared row API (GET /api/v1/shared/:code/rows, with the purpose of the read) in the
 * console. Both answer the same page shape and take the same filter and sort syntax (docs/data-api.md).
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../api/client.ts';
import { toApiParams, type RowQuery } from './rowQuery.ts';

/** An item (column) as a preview shows it: `masked` names the mask rule when its values are masked. */
export interface PreviewItem {
  name: string;
  label: string;
  type: string;
  masked: string | null;
}

/** A page of rows (docs/data-api.md). */
export interface RowsPage {
  items: Record<string, unknown>[];
  next: string | null;
  version: number;
  count?: number;
  countKind?: string;
}

export interface RowsSource {
  /** The row API's path. */
  path: string;
  /** Parameters every call carries (the purpose of a shared read). */
  params?: Record<string, string>;
}

export const rowKeys = (source: RowsSource, q: RowQuery, extra: object) => ['rows', source.path, source.params ?? {}, q, extra] as const;

/** A page of rows for the preview table, with an exact count of the matches when filtered. */
export function usePreviewRows(source: RowsSource, q: RowQuery, page: { cursor?: string; limit: number }, enabled: boolean) {
  const count = q.filters.length ? 'exact' : undefined;
  return useQuery({
    queryKey: rowKeys(source, q, { ...page, count }),
    queryFn: ({ signal }) => apiGet<RowsPage>(source.path, { ...source.params, ...toApiParams(q), cursor: page.cursor, limit: page.limit, count }, signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}
