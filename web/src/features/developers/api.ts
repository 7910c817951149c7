import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from '../../api/client.ts';
import type { Schema } from '../../api/types.ts';
import { forgetKey, rememberKey } from '../session/keyStore.ts';

export type DeveloperKey = Schema<'Token'>;
export type Usage = Schema<'DeveloperUsage'>;

export const developerKeys = { keys: ['developer', 'keys'] as const, usage: ['developer', 'usage'] as const };

/** Signs a developer up (POST /api/v1/developer/accounts); the first key's secret is remembered for the snippets. */
export function useSignUp() {
  return useMutation({
    mutationFn: (body: { email: string; name?: string; purpose?: string; password: string }) => apiSend<Schema<'DeveloperSignedUp'>>('POST', '/api/v1/developer/accounts', body),
    onSuccess: (r) => rememberKey(r.key.id, r.key.secret),
  });
}

/** Your keys (GET /api/v1/developer/keys), never their secrets. */
export function useDeveloperKeys(enabled: boolean) {
  return useQuery({ queryKey: developerKeys.keys, queryFn: ({ signal }) => apiGet<{ items: DeveloperKey[] }>('/api/v1/developer/keys', {}, signal), enabled });
}

export function useCreateKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => apiSend<Schema<'TokenWithSecret'>>('POST', '/api/v1/developer/keys', { name }),
    onSuccess: (key) => {
      rememberKey(key.id, key.secret);
      void client.invalidateQueries({ queryKey: developerKeys.keys });
    },
  });
}

export function useRevokeKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => apiSend<DeveloperKey>('POST', `/api/v1/developer/keys/${id}/revoke`),
    onSuccess: (key) => {
      forgetKey(key.id);
      void client.invalidateQueries({ queryKey: developerKeys.keys });
    },
  });
}

/** Your calls with your keys by day, dataset and key, and your rate-limit state (GET /api/v1/developer/usage). */
export function useUsage(days: number, enabled: boolean) {
  return useQuery({ queryKey: [...developerKeys.usage, days], queryFn: ({ signal }) => apiGet<Usage>('/api/v1/developer/usage', { days }, signal), enabled });
}

/** A key that can still be used: not revoked, not expired (the same rule as the token table's). */
export { isActive } from '../../components/TokenTable.tsx';
