import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from '../../api/client.ts';
import type { Schema } from '../../api/types.ts';

export type ConditionalDataset = Schema<'ConditionalDataset'>;
export type ApplicationDoc = Schema<'OpenApplication'>;
export type Application = Schema<'OpenApplicationRecord'>;
export type ApplicationWithGrant = Schema<'OpenApplicationWithGrant'>;
export type ApplicationPage = { items: Application[]; next: string | null };
export type Grant = Schema<'Grant'>;

const keys = {
  dataset: (code: string) => ['conditional-datasets', code] as const,
  list: (params: object) => ['open-applications', 'list', params] as const,
  one: (id: number) => ['open-applications', 'one', id] as const,
};

/** A conditionally open dataset's public metadata (GET /api/v1/conditional-datasets/:code); null when there is none with that code. */
export function useConditionalDataset(code: string) {
  return useQuery({ queryKey: keys.dataset(code), queryFn: ({ signal }) => apiGet<ConditionalDataset>(`/api/v1/conditional-datasets/${encodeURIComponent(code)}`, {}, signal) });
}

/** Applications in the caller's reach: a developer's own, a department's to answer. */
export function useApplications(params: { state?: string; overdue?: boolean }) {
  return useQuery({
    queryKey: keys.list(params),
    queryFn: ({ signal }) => apiGet<ApplicationPage>('/api/v1/open-applications', { state: params.state, overdue: params.overdue ? 'true' : undefined, limit: 100 }, signal),
  });
}

/** One application with its grant (for the terms approved). */
export function useApplication(id: number, enabled: boolean) {
  return useQuery({ queryKey: keys.one(id), queryFn: ({ signal }) => apiGet<ApplicationWithGrant>(`/api/v1/open-applications/${id}`, {}, signal), enabled });
}

export function useApply() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (doc: ApplicationDoc) => apiSend<ApplicationWithGrant>('POST', '/api/v1/open-applications', doc),
    onSuccess: () => client.invalidateQueries({ queryKey: ['open-applications'] }),
  });
}

export interface ApproveTerms {
  items?: string[];
  rowFilter?: { column: string; op: 'in'; value: string[] }[];
  period?: { kind: '30d' | '90d' | '180d' | 'long_term' };
  rateLimit?: number;
  note?: string;
}

/** approve / refuse (the providing officer), withdraw (the developer). */
export function useAnswer() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, step, body }: { id: number; step: 'approve' | 'refuse' | 'withdraw'; body: ApproveTerms | { reason: string } | object }) =>
      apiSend<ApplicationWithGrant>('POST', `/api/v1/open-applications/${id}/${step}`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['open-applications'] }),
  });
}

/** A further read-only API key for the signed-in developer; its secret is in this answer only. */
export function useNewKey() {
  return useMutation({ mutationFn: () => apiSend<Schema<'TokenWithSecret'>>('POST', '/api/v1/developer/keys', { name: 'api key' }) });
}
