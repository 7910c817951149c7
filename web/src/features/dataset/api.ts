import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../../api/client.ts';
import { toApiParams, type RowQuery } from '../../components/preview/rowQuery.ts';
import type { RowsPage } from '../../components/preview/rows.ts';
import type { Schema } from '../../api/types.ts';

/** GET /api/v1/datasets/:code (docs/open-api.md). */
export type Dataset = Schema<'Dataset'>;

/** An item as the open catalogue publishes it; the preview table's columns. */
export type PublishedItem = Schema<'PublishedItem'>;

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
