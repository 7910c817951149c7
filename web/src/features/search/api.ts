import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../api/client.ts';
import type { DatasetLike } from '../../components/DatasetCard.tsx';

/** GET /api/v1/datasets: one result (docs/open-api.md). */
export interface DatasetSummary extends DatasetLike {
  summary: string;
  format: { type: string; subtype?: string };
  updateCycle: string;
  tags: string[];
  publishedAt: string;
  dataUpdatedAt: string | null;
  score?: number;
}

export interface Facet {
  value: string | number;
  count: number;
  label?: string | null;
}

export interface SearchResult {
  items: DatasetSummary[];
  next: string | null;
  total: number;
  approximate: boolean;
  facets?: Record<'department' | 'domain' | 'format' | 'updateCycle', Facet[]>;
}

export interface SearchParams {
  q?: string;
  department?: string;
  domain?: string[];
  format?: string[];
  updateCycle?: string[];
  cursor?: string;
  limit?: number;
  facets?: boolean;
}

export const searchKeys = {
  all: ['datasets', 'search'] as const,
  search: (p: SearchParams) => [...searchKeys.all, p] as const,
};

export function useDatasetSearch(p: SearchParams) {
  return useQuery({
    queryKey: searchKeys.search(p),
    queryFn: ({ signal }) => apiGet<SearchResult>('/api/v1/datasets', { ...p, facets: p.facets === false ? 'false' : undefined }, signal),
    placeholderData: keepPreviousData,
  });
}
