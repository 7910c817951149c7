/**
 * The sharing workflow as the console calls it (docs/sharing.md): share requests and their steps,
 * grants, consumer credentials, the resources asked for, and the departments they name.
 */
import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend, type QueryValue } from '../../api/client.ts';
import type { Answer, Schema } from '../../api/types.ts';

export type ShareRequest = Schema<'ShareRequestRecord'>;
export type ShareRequestView = Schema<'ShareRequestWithSteps'>;
export type Grant = Schema<'Grant'>;
export type ResourceRecord = Schema<'Resource'>;
export type ShareRequestPage = Answer<'listShareRequests'>;

export const sharingKeys = {
  requests: (params: object) => ['share-requests', 'list', params] as const,
  request: (id: number) => ['share-requests', 'one', id] as const,
  grants: (params: object) => ['grants', 'list', params] as const,
  grant: (id: number) => ['grants', 'one', id] as const,
};

/** A page of share requests (GET /api/v1/share-requests): role, state, overdue, keyset cursor. */
export function useShareRequests(params: Record<string, QueryValue>, enabled = true) {
  return useQuery({ ...shareRequestsQuery(params), placeholderData: keepPreviousData, enabled });
}

/** The query of a page of share requests, shared by the hook and a route loader that starts it before the page's code has loaded. */
export function shareRequestsQuery(params: Record<string, QueryValue>) {
  return queryOptions({
    queryKey: sharingKeys.requests(params),
    queryFn: ({ signal }) => apiGet<ShareRequestPage>('/api/v1/share-requests', params, signal),
  });
}

export function useShareRequest(id: number) {
  return useQuery({ queryKey: sharingKeys.request(id), queryFn: ({ signal }) => apiGet<ShareRequestView>(`/api/v1/share-requests/${id}`, {}, signal) });
}

/** Anything that changes a request or a grant changes the inboxes and the bell too. */
function useInvalidateWork() {
  const qc = useQueryClient();
  return () => Promise.all(['share-requests', 'grants', 'work', 'resources'].map((k) => qc.invalidateQueries({ queryKey: [k] })));
}

export type ShareStep = 'approve' | 'refuse' | 'dispute' | 'decide' | 'withdraw' | 'check';

/** A step of a share request (POST /api/v1/share-requests/:id/<step>). */
export function useShareStep() {
  const invalidate = useInvalidateWork();
  return useMutation({
    mutationFn: ({ id, step, body }: { id: number; step: ShareStep; body: object }) => apiSend<ShareRequestView>('POST', `/api/v1/share-requests/${id}/${step}`, body),
    onSuccess: invalidate,
  });
}

export function useCreateShareRequest() {
  const invalidate = useInvalidateWork();
  return useMutation({
    mutationFn: ({ doc, dispute }: { doc: Schema<'ShareRequest'>; dispute: boolean }) =>
      apiSend<ShareRequestView>('POST', `/api/v1/share-requests${dispute ? '?dispute=true' : ''}`, doc),
    onSuccess: invalidate,
  });
}

export function useGrants(params: Record<string, QueryValue>) {
  return useQuery({
    queryKey: sharingKeys.grants(params),
    queryFn: ({ signal }) => apiGet<Answer<'listGrants'>>('/api/v1/grants', params, signal),
    placeholderData: keepPreviousData,
  });
}

export function useGrant(id: number) {
  return useQuery({ queryKey: sharingKeys.grant(id), queryFn: ({ signal }) => apiGet<Grant>(`/api/v1/grants/${id}`, {}, signal) });
}

export function useGrantStep() {
  const invalidate = useInvalidateWork();
  return useMutation({
    mutationFn: ({ id, step, reason }: { id: number; step: 'suspend' | 'resume' | 'revoke'; reason?: string }) =>
      apiSend<Grant>('POST', `/api/v1/grants/${id}/${step}`, reason ? { reason } : {}),
    onSuccess: invalidate,
  });
}

/** A catalogue entry with its published document (its items), GET /api/v1/resources/:id. */
export function useResource(id: number | undefined) {
  return useQuery({
    queryKey: ['resources', 'one', id],
    queryFn: ({ signal }) => apiGet<ResourceRecord>(`/api/v1/resources/${id}`, {}, signal),
    enabled: id !== undefined,
    staleTime: 60_000,
  });
}

/** Published entries for the resource picker (GET /api/v1/resources?q=). */
export function usePublishedResources(q: string) {
  return useQuery({
    queryKey: ['resources', 'published', q],
    queryFn: ({ signal }) => apiGet<Answer<'searchResources'>>('/api/v1/resources', { q: q || undefined, status: 'published', facets: 'false', limit: 20 }, signal),
    placeholderData: keepPreviousData,
  });
}

/** Department names by id, for the parties of requests and grants. */
export function useDepartmentNames(): (id: number | null | undefined) => string {
  const q = useQuery({
    queryKey: ['departments', 'all'],
    queryFn: ({ signal }) => apiGet<Answer<'listDepartments'>>('/api/v1/departments', {}, signal),
    staleTime: 10 * 60_000,
  });
  const byId = new Map((q.data?.items ?? []).map((d) => [d.id, d.name]));
  return (id) => (id == null ? '' : (byId.get(id) ?? `#${id}`));
}

export function useCredentials(enabled: boolean) {
  return useQuery({ queryKey: ['consumer-credentials'], queryFn: ({ signal }) => apiGet<Answer<'listConsumerCredentials'>>('/api/v1/consumer-credentials', {}, signal), enabled });
}

export function useCreateCredential() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { systemId: number; login: string; displayName?: string; expiresInDays?: number }) =>
      apiSend<Schema<'ConsumerCredentialCreated'>>('POST', '/api/v1/consumer-credentials', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['consumer-credentials'] }),
  });
}

/** The department's systems (系统清单), for binding a credential or naming the consumer system. */
export function useOwnSystems(departmentId: number | null) {
  return useQuery({
    queryKey: ['systems', 'of', departmentId],
    queryFn: ({ signal }) => apiGet<Answer<'listSystems'>>('/api/v1/systems', { department: departmentId ?? undefined, limit: 100 }, signal),
    enabled: departmentId !== null,
  });
}
