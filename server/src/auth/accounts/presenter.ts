import type { TokenRecord } from '../tokens.ts';
import type { PrincipalRecord, TokenRecord as TokenView } from './schema.ts';

export function presentPrincipal(r: Record<string, any>): PrincipalRecord {
  return {
    id: r.id,
    login: r.login,
    displayName: r.display_name,
    departmentId: r.department_id,
    roles: r.roles,
    kind: r.kind,
    email: r.email,
    phone: r.phone,
    createdAt: r.created_at,
    disabledAt: r.disabled_at,
  };
}

/** A token as listed: never its secret, nor its hash. */
export function presentToken(t: TokenRecord): TokenView {
  return {
    id: t.id,
    principalId: t.principalId,
    login: t.login,
    name: t.name,
    prefix: t.prefix,
    scopes: t.scopes,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt,
    revokedAt: t.revokedAt,
  };
}
