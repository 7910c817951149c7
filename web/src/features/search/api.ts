import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../api/client.ts';
import type { Schema } from '../../api/types.ts';

/** GET /api/v1/datasets: one page of the open catalogue's search (docs/open-api.md). */
export type SearchResult = Schema<'DatasetSearchPage'>;

/** One value of a facet, with how many results have it (and a department's name as its label). */
export type Facet = NonNullable<SearchResult['facets']>[string][number];

/** The search's question, as the page keeps it in its URL (lists as arrays; the client comma-joins them). */
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
