export const ROLES = ['admin', 'authority', 'officer', 'registrar', 'consumer', 'developer'] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = ['read', 'write'] as const;
export type Scope = (typeof SCOPES)[number];

/** A caller that presented a valid token. */
export interface Principal {
  id: number;
  login: string;
  displayName: string;
  departmentId: number | null;
  roles: Role[];
  kind: 'user' | 'system';
  tokenId: number;
  scopes: Scope[];
}
