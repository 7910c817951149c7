import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../api/client.ts';
import { toApiParams, type RowQuery } from './rowQuery.ts';

/** An item as the open catalogue publishes it (GET /api/v1/datasets/:code, docs/open-api.md). */
export interface PublishedItem {
  name: string;
  label: string;
  type: string;
  length?: number;
  scale?: number;
  required?: boolean;
  key?: boolean;
  description?: string;
  masked: string | null;
}

export interface Dataset {
  code: string;
  name: string;
  summary: string;
  department: { id: number; name: string; uscc: string };
  category: string;
  domain: string | null;
  format: { type: string; subtype?: string };
  tags: string[];
  updateCycle: string;
  publishedAt: string;
  dataUpdatedAt: string | null;
  rows: number | null;
  licence: { id: string; url: string; title: string };
  items: PublishedItem[];
  quality: { rows: number; columns: Record<string, { nulls?: number; invalid?: number; distinctEstimate?: number; min?: unknown; max?: unknown }> } | null;
  links: { rows: string | null; datapackage: string | null; downloads: Record<string, string> };
}

/** GET /api/v1/datasets/:code/rows (docs/data-api.md). */
export interface RowsPage {
  items: Record<string, unknown>[];
  next: string | null;
  version: number;
  count?: number;
  countKind?: string;
}

/** Paths of a dataset in the open API; same-origin, so they work wherever the portal is served. */
export const datasetApi = (code: string) => {
  const base = `/api/v1/datasets/${encodeURIComponent(code)}`;
  return { self: base, rows: `${base}/rows`, download: `${base}/download`, datapackage: `${base}/datapackage.json` };
};

export const datasetKeys = {
  one: (code: string) => ['datasets', 'one', code] as const,
  rows: (code: string, q: RowQuery, extra: object) => ['datasets', 'rows', code, q, extra] as const,
};

export function useDataset(code: string) {
  return useQuery({ queryKey: datasetKeys.one(code), queryFn: ({ signal }) => apiGet<Dataset>(datasetApi(code).self, {}, signal) });
}

/** A page of rows for the preview table, with an exact count of the matches when filtered. */
export function usePreviewRows(code: string, q: RowQuery, page: { cursor?: string; limit: number }, enabled: boolean) {
  const count = q.filters.length ? 'exact' : undefined;
  return useQuery({
    queryKey: datasetKeys.rows(code, q, { ...page, count }),
    queryFn: ({ signal }) => apiGet<RowsPage>(datasetApi(code).rows, { ...toApiParams(q), cursor: page.cursor, limit: page.limit, count }, signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}

/** The rows a chart is drawn from: the chosen columns of the filtered rows, up to the API's page limit. */
export const CHART_ROW_LIMIT = 10_000;
export function useChartRows(code: string, q: RowQuery, fields: string[], enabled: boolean) {
  return useQuery({
    queryKey: datasetKeys.rows(code, q, { fields, chart: true }),
    queryFn: ({ signal }) => apiGet<RowsPage>(datasetApi(code).rows, { ...toApiParams({ ...q, sort: [] }), fields, limit: CHART_ROW_LIMIT, count: 'exact' }, signal),
    enabled: enabled && fields.length > 0,
  });
}
