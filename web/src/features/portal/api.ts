import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../../api/client.ts';
import type { Schema } from '../../api/types.ts';

/** GET /api/v1/open/summary (docs/open-api.md). */
export type OpenSummary = Schema<'OpenSummary'>;

export const portalKeys = { summary: ['open', 'summary'] as const };

export function useOpenSummary() {
  return useQuery({ queryKey: portalKeys.summary, queryFn: ({ signal }) => apiGet<OpenSummary>('/api/v1/open/summary', {}, signal) });
}
