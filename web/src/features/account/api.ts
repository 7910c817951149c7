import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from '../../api/client.ts';
import type { Schema } from '../../api/types.ts';
import { forgetKeys } from '../session/keyStore.ts';

export type SessionRow = Schema<'Session'>;
export type TokenRow = Schema<'Token'>;

export const accountKeys = { sessions: ['account', 'sessions'] as const, tokens: ['account', 'tokens'] as const };

/** Your open sessions (GET /api/v1/auth/sessions). */
export function useSessions() {
  return useQuery({ queryKey: accountKeys.sessions, queryFn: ({ signal }) => apiGet<Schema<'SessionList'>>('/api/v1/auth/sessions', {}, signal) });
}

/** Ends one of your sessions (DELETE /api/v1/auth/sessions/:id). */
export function useEndSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => apiSend<unknown>('DELETE', `/api/v1/auth/sessions/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: accountKeys.sessions }),
  });
}

/** Ends every session of the account, this one too (POST /api/v1/auth/sign-out-everywhere). */
export function useSignOutEverywhere() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => apiSend<Schema<'SessionsEnded'>>('POST', '/api/v1/auth/sign-out-everywhere'),
    onSuccess: () => {
      client.clear();
      client.setQueryData(['me'], null);
      forgetKeys();
    },
  });
}

/** Changes your password (POST /api/v1/auth/password); your other sessions end. */
export function useChangePassword() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { current: string; new: string }) => apiSend<unknown>('POST', '/api/v1/auth/password', body),
    onSuccess: () => client.invalidateQueries({ queryKey: accountKeys.sessions }),
  });
}

/** Your API tokens, never their secrets (GET /api/v1/tokens answers your own to everyone but officers and admins, who get more: the page asks for its own). */
export function useTokens(principalId: number) {
  return useQuery({
    queryKey: [...accountKeys.tokens, principalId],
    queryFn: ({ signal }) => apiGet<{ items: TokenRow[] }>('/api/v1/tokens', { principalId }, signal),
  });
}

export function useCreateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; scopes: ('read' | 'write')[]; expiresInDays: number }) => apiSend<Schema<'TokenWithSecret'>>('POST', '/api/v1/tokens', body),
    onSuccess: () => client.invalidateQueries({ queryKey: accountKeys.tokens }),
  });
}

export function useRevokeToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => apiSend<unknown>('POST', `/api/v1/tokens/${id}/revoke`),
    onSuccess: () => client.invalidateQueries({ queryKey: accountKeys.tokens }),
  });
}
