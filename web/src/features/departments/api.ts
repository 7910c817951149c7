import { useDatasetSearch } from '../search/api.ts';

/**
 * The departments that open data, with their counts: the department facet of the open catalogue's
 * search over everything (the public API has no other list of departments with open data).
 */
export function useOpenDepartments() {
  return useDatasetSearch({ limit: 1 });
}

/** One department's open datasets. */
export function useDepartmentDatasets(id: string) {
  return useDatasetSearch({ department: id, facets: false, limit: 50 });
}
