import { z } from 'zod';
import { listOf, timestamp } from '../../lib/zod-fields.ts';
import { ROLES, SCOPES } from '../roles.ts';

export const Role = z.enum(ROLES);
export const Scope = z.enum(SCOPES);

/** A person given the consumer role would read shared data bound to no system: that role comes only with a consumer credential. */
const GrantableRoles = z
  .array(Role)
  .min(1)
  .refine((roles) => !roles.includes('consumer'), {
    message: 'the consumer role comes only with a consumer credential bound to a registered system (POST /api/v1/consumer-credentials) / consumer 角色只能通过绑定已登记系统的接口凭证获得',
  });

export const PrincipalCreate = z.object({
  login: z.string().regex(/^[a-z0-9][a-z0-9._@-]{1,63}$/, 'lower-case letters, digits and . _ @ -, 2 to 64 characters'),
  displayName: z.string().min(1).max(100),
  departmentId: z.number().int().positive().nullable(),
  roles: GrantableRoles,
  kind: z.enum(['user', 'system']).default('user'),
  email: z.string().email().optional(),
  phone: z.string().max(30).optional(),
});
export type PrincipalCreate = z.infer<typeof PrincipalCreate>;

export const PrincipalUpdate = z
  .object({ displayName: z.string().min(1).max(100), roles: GrantableRoles, disabled: z.boolean() })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });
export type PrincipalUpdate = z.infer<typeof PrincipalUpdate>;

export const TokenCreate = z.object({
  name: z.string().min(1).max(100),
  scopes: z.array(Scope).min(1).default(['read', 'write']),
  expiresInDays: z.number().int().min(1).max(3650).nullable().optional().describe('days until expiry; null for a token that never expires (admins only)'),
  principalId: z.number().int().positive().optional().describe('issue the token for another account (admins, and officers for their department)'),
});
export type TokenCreate = z.infer<typeof TokenCreate>;

export const TokenListQuery = z.object({ principalId: z.coerce.number().int().positive().optional() });

export const PrincipalRecord = z
  .object({
    id: z.number().int(),
    login: z.string(),
    displayName: z.string(),
    departmentId: z.number().int().nullable().describe('null for accounts outside departments (developers, some admins)'),
    roles: z.array(Role),
    kind: z.enum(['user', 'system']).describe('a person, or a system (consumer credential)'),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    createdAt: timestamp,
    disabledAt: timestamp.nullable().describe('when the account was disabled; null while it may sign in'),
  })
  .meta({ id: 'Principal', description: 'An account (a person or a system) with its roles' });
export type PrincipalRecord = z.output<typeof PrincipalRecord>;

export const Me = z
  .object({
    id: z.number().int(),
    login: z.string(),
    displayName: z.string(),
    departmentId: z.number().int().nullable(),
    roles: z.array(Role),
    kind: z.enum(['user', 'system']),
    tokenId: z.number().int().nullable().describe('the token this request was made with (null when signed in by a session)'),
    sessionId: z.number().int().nullable().describe('the session this request was made with (null when called with a token)'),
    scopes: z.array(Scope).describe('what the call may do: read (GET), write (everything else)'),
  })
  .meta({ id: 'Me', description: 'The calling account, and the token or session it called with' });

export const MeWithAbilities = Me.extend({
  abilities: z
    .record(z.string(), z.enum(['any', 'own', 'self']))
    .describe("what the caller may call, by operationId, with its reach: any department, its own department ('own') or its own records ('self'); public operations are left out"),
}).meta({ id: 'MeWithAbilities', description: 'The calling account, and what the route table lets it do' });

export const TokenRecord = z
  .object({
    id: z.number().int(),
    principalId: z.number().int(),
    login: z.string().describe('login of the account the token acts for'),
    name: z.string(),
    prefix: z.string().describe('the first characters of the secret, to recognise it'),
    scopes: z.array(Scope),
    createdAt: timestamp,
    expiresAt: timestamp.nullable().describe('null: never expires'),
    lastUsedAt: timestamp.nullable(),
    revokedAt: timestamp.nullable(),
  })
  .meta({ id: 'Token', description: 'An API token, never with its secret' });
export type TokenRecord = z.output<typeof TokenRecord>;

export const TokenWithSecret = TokenRecord.extend({
  secret: z.string().describe('the bearer token; shown in this response only (ODX stores a hash)'),
}).meta({ id: 'TokenWithSecret', description: 'A new API token with its secret, shown once' });

export const PrincipalList = listOf(PrincipalRecord);
export const TokenList = listOf(TokenRecord);
export const TokenRevoked = z.object({ id: z.number().int(), revokedAt: timestamp }).or(TokenRecord);

export const PasswordIssued = z
  .object({
    principalId: z.number().int(),
    login: z.string(),
    password: z.string().describe('the new password; in this response only (ODX stores a scrypt hash), to be handed to the person, who changes it at 我的账号'),
    sessionsEnded: z.number().int().describe("how many of the account's sessions were ended"),
  })
  .meta({ id: 'PasswordIssued', description: 'A password an administrator gave an account, shown once' });
