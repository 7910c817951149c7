import type { Config } from '../../config.ts';

/** A session as its owner sees it in the list: never its secret, nor its hash. */
export function presentSession(r: Record<string, any>, currentId: number | null, config: Config) {
  return {
    id: r.id,
    method: r.method,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    /** When it ends if no request comes before (last seen is kept to the minute). */
    idleExpiresAt: new Date(Math.min(r.last_seen_at.getTime() + config.sessionIdleMinutes * 60_000, r.expires_at.getTime())),
    expiresAt: r.expires_at,
    address: r.address,
    userAgent: r.user_agent,
    current: r.id === currentId,
  };
}
