import { useQuery } from '@tanstack/react-query';
import { apiGet } from '../../api/client.ts';
import type { Schema } from '../../api/types.ts';

/** The name of a department (GET /api/v1/departments/:id), for the top bar and the overview. */
export function useDepartmentName(id: number | null): string | undefined {
  const q = useQuery({
    queryKey: ['departments', id],
    queryFn: ({ signal }) => apiGet<Schema<'DepartmentRecord'>>(`/api/v1/departments/${id}`, {}, signal),
    enabled: id !== null,
    staleTime: 10 * 60_000,
  });
  return q.data?.name;
}
