import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../../api/client.ts';
import type { Schema } from '../../api/types.ts';

/** A department (GET /api/v1/departments/:id): the person's own, for the top bar, the overview and the forms that name it. */
export function useDepartment(id: number | null) {
  return useQuery({
    queryKey: ['departments', id],
    queryFn: ({ signal }) => apiGet<Schema<'DepartmentRecord'>>(`/api/v1/departments/${id}`, {}, signal),
    enabled: id !== null,
    staleTime: 10 * 60_000,
  });
}

export function useDepartmentName(id: number | null): string | undefined {
  return useDepartment(id).data?.name;
}
