import { z } from 'zod';
import { csvList } from '../lib/zod-fields.ts';
import { RowFilterSchema } from './rows.ts';
import { STATES } from './states.ts';

const reason = z.string().trim().min(2).max(2000);

/** The share-request document itself is validated against catalog-schemas/share-request.schema.json. */
export const RequestBody = z.record(z.string(), z.unknown());
export const CreateQuery = z.object({
  /** Request a 不予共享 resource as a dispute to the authority, citing the legal basis (`legalBasis`). */
  dispute: z.enum(['true', 'false']).transform((v) => v === 'true').default(false),
});

export const Period = z
  .object({ kind: z.enum(['30d', '90d', '180d', 'long_term', 'until']), until: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional() })
  .strict()
  .refine((p) => (p.kind === 'until') === (p.until !== undefined), { message: '`until` is required with kind `until` and not allowed otherwise' });
export type Period = z.infer<typeof Period>;

/** What a decision may narrow: fewer items, a shorter period, a lower rate, only some rows, some masked items raw. */
export const Terms = z
  .object({
    items: z.array(z.string().min(1).max(63)).min(1).max(1000).optional(),
    period: Period.optional(),
    rateLimit: z.number().int().min(1).max(100_000).optional(),
    rowFilter: RowFilterSchema.optional(),
    note: z.string().max(2000).optional(),
  })
  .strict();

export const ApproveBody = Terms.extend({ raw: z.array(z.string().min(1).max(63)).max(1000).optional() }).strict().default({});
export type ApproveBody = z.infer<typeof ApproveBody>;

export const CheckBody = z
  .object({ decision: z.enum(['pass', 'reject']), reason: reason.optional() })
  .strict()
  .refine((b) => b.decision === 'pass' || b.reason !== undefined, { message: 'a rejection needs a reason', path: ['reason'] });

export const ReasonBody = z.object({ reason }).strict();
export const DisputeBody = z.object({ reason, legalBasis: z.string().trim().min(2).max(2000).optional() }).strict();

export const DecideBody = Terms.extend({ decision: z.enum(['grant', 'deny']), reason })
  .strict()
  .refine((b) => b.decision === 'grant' || (b.items === undefined && b.period === undefined && b.rateLimit === undefined && b.rowFilter === undefined), {
    message: 'terms go with a grant, not a denial',
  });
export type DecideBody = z.infer<typeof DecideBody>;

export const WithdrawBody = z.object({ note: z.string().max(2000).optional() }).strict().default({});

export const InboxQuery = z.object({
  role: z.enum(['consumer', 'provider', 'authority']).optional(),
  state: csvList().pipe(z.array(z.enum(STATES))).optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  resource: z.coerce.number().int().positive().optional(),
  demand: z.coerce.number().int().positive().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type InboxQuery = z.infer<typeof InboxQuery>;

export const GRANT_STATUSES = ['active', 'suspended', 'revoked', 'superseded', 'expired'] as const;
export const GrantListQuery = z.object({
  role: z.enum(['consumer', 'provider']).optional(),
  status: csvList().pipe(z.array(z.enum(GRANT_STATUSES))).optional(),
  resource: z.coerce.number().int().positive().optional(),
  mode: z.enum(['query', 'download', 'verify']).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type GrantListQuery = z.infer<typeof GrantListQuery>;

export const CredentialBody = z
  .object({
    systemId: z.number().int().positive(),
    login: z.string().regex(/^[a-z0-9][a-z0-9._@-]{1,63}$/, 'lower-case letters, digits and . _ @ -, 2 to 64 characters'),
    displayName: z.string().min(1).max(100).optional(),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();
export type CredentialBody = z.infer<typeof CredentialBody>;

export const VerifyBody = z
  .object({
    match: z.record(z.string().min(1).max(63), z.union([z.string().max(500), z.number(), z.boolean()])),
    purpose: z.string().trim().min(2).max(500).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b.match).length > 0, { message: 'name at least one item to match', path: ['match'] });
