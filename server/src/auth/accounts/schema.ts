import { z } from 'zod';
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
  /** Days until expiry; null for a token that never expires (admins only). */
  expiresInDays: z.number().int().min(1).max(3650).nullable().optional(),
  /** Issue the token for another principal (admins, and officers for their department). */
  principalId: z.number().int().positive().optional(),
});
export type TokenCreate = z.infer<typeof TokenCreate>;

export const TokenListQuery = z.object({ principalId: z.coerce.number().int().positive().optional() });
