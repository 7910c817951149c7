import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from '../../api/client.ts';
import type { Answer, Schema } from '../../api/types.ts';

export type WaitingWork = Schema<'WaitingWork'>;

/** What waits on the caller, by kind (GET /api/v1/work/waiting): the bell and the inbox tabs' counts. */
export function useWaiting(enabled: boolean) {
  return useQuery({
    queryKey: ['work', 'waiting'],
    queryFn: ({ signal }) => apiGet<WaitingWork>('/api/v1/work/waiting', {}, signal),
    enabled,
    refetchInterval: 60_000,
  });
}

/** The parameters of a page of the share requests the department is to answer (the inbox's first tab); its prefetch asks for the same page. */
export function answerPage(overdue: boolean, cursor: string | undefined) {
  return { role: 'provider', state: 'provider_review', overdue: overdue ? 'true' : undefined, cursor, limit: 20 };
}

/** The department's catalogue entries in one status (GET /api/v1/resources), a page at a time. */
export function useResourcesIn(status: 'submitted' | 'approved', department: number | undefined, cursor: string | undefined) {
  return useQuery({
    queryKey: ['resources', 'status', status, department, cursor],
    queryFn: ({ signal }) => apiGet<Answer<'searchResources'>>('/api/v1/resources', { status, department, facets: 'false', cursor, limit: 20 }, signal),
    placeholderData: keepPreviousData,
  });
}

/** A lifecycle step of a catalogue entry: approve, return, publish, retire (POST /api/v1/resources/:id/<step>). */
export function useResourceStep() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, step, note }: { id: number; step: 'approve' | 'return' | 'publish' | 'retire'; note?: string }) =>
      apiSend<Schema<'Resource'>>('POST', `/api/v1/resources/${id}/${step}`, note ? { note } : {}),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: ['resources'] }), qc.invalidateQueries({ queryKey: ['work'] })]),
  });
}
