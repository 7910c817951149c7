import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../../api/client.ts';
import { toApiParams, type RowQuery } from '../../components/preview/rowQuery.ts';
import type { PreviewItem, RowsPage } from '../../components/preview/rows.ts';

/** An item as the open catalogue publishes it (GET /api/v1/datasets/:code, docs/open-api.md); the preview table's columns. */
export interface PublishedItem extends PreviewItem {
  length?: number;
  scale?: number;
  required?: boolean;
  key?: boolean;
  description?: string;
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

/** Paths of a dataset in the open API; same-origin, so they work wherever the portal is served. */
export const datasetApi = (code: string) => {
  const base = `/api/v1/datasets/${encodeURIComponent(code)}`;
  return { self: base, rows: `${base}/rows`, download: `${base}/download`, datapackage: `${base}/datapackage.json` };
};

export const datasetKeys = {
  one: (code: string) => ['datasets', 'one', code] as const,
  chart: (code: string, q: RowQuery, fields: string[]) => ['datasets', 'chart', code, q, fields] as const,
};

export function useDataset(code: string) {
  return useQuery({ queryKey: datasetKeys.one(code), queryFn: ({ signal }) => apiGet<Dataset>(datasetApi(code).self, {}, signal) });
}

/** The rows a chart is drawn from: the chosen columns of the filtered rows, up to the API's page limit. */
export const CHART_ROW_LIMIT = 10_000;
export function useChartRows(code: string, q: RowQuery, fields: string[], enabled: boolean) {
  return useQuery({
    queryKey: datasetKeys.chart(code, q, fields),
    queryFn: ({ signal }) => apiGet<RowsPage>(datasetApi(code).rows, { ...toApiParams({ ...q, sort: [] }), fields, limit: CHART_ROW_LIMIT, count: 'exact' }, signal),
    enabled: enabled && fields.length > 0,
  });
}
