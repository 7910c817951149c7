import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, apiGet, apiSend } from '../../api/client.ts';
import type { Schema } from '../../api/types.ts';

/** The signed-in person as GET /api/v1/me gives it, with what the route table lets them call. */
export type Me = Schema<'MeWithAbilities'>;

export const sessionKeys = { me: ['me'] as const };

/** The signed-in person, or null for a visitor; a 401 is the normal answer for the public. */
export function useMe() {
  return useQuery({
    queryKey: sessionKeys.me,
    queryFn: async ({ signal }) => {
      try {
        return await apiGet<Me>('/api/v1/me', {}, signal);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 60_000,
  });
}

/** Whether the person may call an operation (by its operationId in /openapi.json), as the server's gate decides. */
export function may(me: Me | null | undefined, operationId: string): boolean {
  return !!me && operationId in me.abilities;
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { login: string; password: string }) => apiSend<Schema<'Me'>>('POST', '/api/v1/auth/sign-in', body),
    // the session's abilities come from /me: ask again rather than guess them
    onSuccess: () => client.invalidateQueries({ queryKey: sessionKeys.me }),
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => apiSend<unknown>('POST', '/api/v1/auth/sign-out'),
    // nothing of the signed-in person may stay in the cache for the next one at this browser
    onSuccess: () => {
      client.clear();
      client.setQueryData(sessionKeys.me, null);
    },
  });
}
