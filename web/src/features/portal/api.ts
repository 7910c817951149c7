import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../../api/client.ts';
import type { DatasetLike } from '../../components/DatasetCard.tsx';

/** GET /api/v1/open/summary (docs/open-api.md). */
export interface OpenSummary {
  datasets: number;
  departments: number;
  rows: number;
  downloadsThisMonth: number;
  newest: (DatasetLike & { publishedAt: string })[];
  mostUsed: (DatasetLike & { publishedAt: string; uses: number })[];
}

export const portalKeys = { summary: ['open', 'summary'] as const };

export function useOpenSummary() {
  return useQuery({ queryKey: portalKeys.summary, queryFn: ({ signal }) => apiGet<OpenSummary>('/api/v1/open/summary', {}, signal) });
}
