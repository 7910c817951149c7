export const ROLES = ['admin', 'authority', 'officer', 'registrar', 'consumer', 'developer'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = ['read', 'write'] as const;
export type Scope = (typeof SCOPES)[number];

/** A caller that presented a valid token, or a session cookie of a person who signed in. */
export interface Principal {
  id: number;
  login: string;
  displayName: string;
  departmentId: number | null;
  roles: Role[];
  kind: 'user' | 'system';
  /** The token presented, or null when the caller is signed in by a session cookie. */
  tokenId: number | null;
  /** The session (its row id, as listed by GET /api/v1/auth/sessions), or null for a token. */
  sessionId: number | null;
  scopes: Scope[];
}

/** The principal behind a credential, from a row of odx.principals (columns as the credential checks select them). */
export function principalFromRow(row: Record<string, any>, via: Pick<Principal, 'tokenId' | 'sessionId' | 'scopes'>): Principal {
  // the consumer role reads shared data as a registered system, read-only, whatever an older account says
  const roles = (row.roles as Role[]).filter((r) => r !== 'consumer' || row.system_id != null);
  const consumer = roles.includes('consumer');
  return {
    id: row.id,
    login: row.login,
    displayName: row.display_name,
    departmentId: row.department_id,
    roles,
    kind: row.kind,
    tokenId: via.tokenId,
    sessionId: via.sessionId,
    scopes: consumer ? via.scopes.filter((s) => s === 'read') : via.scopes,
  };
}
