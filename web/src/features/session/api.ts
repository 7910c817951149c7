import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { ApiError, apiGet, apiSend } from '../../api/client.ts';
import type { Schema } from '../../api/types.ts';
import { forgetKeys } from './keyStore.ts';

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

const RANK = { self: 0, own: 1, any: 2 } as const;

/** Whether the person may call an operation with at least this reach: `own` for their department's records, `any` for every department's. */
export function mayReach(me: Me | null | undefined, operationId: string, reach: 'own' | 'any'): boolean {
  const has = me?.abilities[operationId];
  return !!has && RANK[has] >= RANK[reach];
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
      forgetKeys();
    },
  });
}

/** How people can sign in here (GET /api/v1/auth/methods): whether to offer 统一身份认证. */
export function useSignInMethods() {
  return useQuery({
    queryKey: ['auth', 'methods'],
    queryFn: ({ signal }) => apiGet<Schema<'SignInMethods'>>('/api/v1/auth/methods', {}, signal),
    staleTime: 10 * 60_000,
  });
}

/** Where the browser goes for single sign-on; the server redirects it to the provider and back to `next`. */
export function singleSignOnUrl(next: string): string {
  return `/api/v1/auth/oidc/start?returnTo=${encodeURIComponent(next)}`;
}

/** A refused sign-in in words: how long to wait when locked or slowed; the one answer for a wrong login or password. */
export function signInRefusal(err: ApiError): { kind: 'locked' | 'slowed' | 'wrong' | 'other'; seconds: number | null } {
  if (err.status === 429) {
    const seconds = Number(err.details?.retryAfter ?? err.retryAfter ?? NaN);
    return { kind: err.details?.limit === 'address' ? 'slowed' : 'locked', seconds: Number.isFinite(seconds) ? seconds : null };
  }
  if (err.status === 401) return { kind: 'wrong', seconds: null };
  return { kind: 'other', seconds: null };
}

const ENDED = 'odx.sessionEnded';

/**
 * The API said 401 to a signed-in person: the session ended under them. Everything of theirs leaves
 * the cache, and the sign-in page, which RequireSignIn now shows, says why (once).
 */
export function sessionEnded(client: QueryClient): void {
  if (!client.getQueryData(sessionKeys.me)) return;
  sessionStorage.setItem(ENDED, '1');
  forgetKeys();
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKeys.me[0] });
  client.setQueryData(sessionKeys.me, null);
}

/** Whether the last session ended by itself (read once: the notice is not shown again). */
export function takeSessionEnded(): boolean {
  const ended = sessionStorage.getItem(ENDED) === '1';
  sessionStorage.removeItem(ENDED);
  return ended;
}
