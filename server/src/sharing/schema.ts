import { z } from 'zod';
import { TokenWithSecret } from '../auth/accounts/schema.ts';
import { catalogDocument, csvList, listOf, pageOf, timestamp } from '../lib/zod-fields.ts';
import { RowFilterSchema } from './row-filters.ts';
import { STATES } from './states.ts';

const reason = z.string().trim().min(2).max(2000);

/** The share-request document itself is validated against catalog-schemas/share-request.schema.json. */
export const RequestBody = catalogDocument('share-request');
export const CreateQuery = z.object({
  dispute: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .default(false)
    .describe('request a 不予共享 resource as a dispute to the authority, citing the legal basis (`legalBasis`)'),
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

const int = z.number().int();

export const ShareRequestRecord = z
  .object({
    id: int,
    state: z.enum(STATES),
    waitingFor: z.enum(['authority', 'provider', 'consumer']).nullable().describe('whose move it is; null when closed'),
    shareType: z.string().describe('the resource’s 共享类型 when requested'),
    accessMode: z.string().describe('query, download or verify'),
    resource: z.object({ id: int, code: z.string().nullable(), name: z.string().nullable() }),
    consumerDepartmentId: int,
    providerDepartmentId: int,
    demandId: int.nullable(),
    consumerSystemId: int.nullable(),
    requestedBy: int.nullable(),
    request: catalogDocument('share-request').describe('the request document as submitted'),
    dataOnPlatform: z.boolean().nullable(),
    submittedAt: timestamp,
    stageStartedAt: timestamp.nullable(),
    limitDays: int.nullable().describe('working days allowed for the current stage'),
    dueAt: timestamp.nullable().describe('deadline of the current stage'),
    overdue: z.boolean(),
    daysLeft: int
      .nullable()
      .describe('working days left to the deadline, counted as the limit is (today not counted): the whole limit on the day it starts, 0 on the deadline’s day, minus the working days since when overdue; null when nobody is waited for'),
    reason: z.string().nullable(),
    dispute: z.object({ reason: z.string(), legalBasis: z.string().nullable(), at: timestamp }).nullable(),
    grantId: int.nullable(),
    checkedAt: timestamp.nullable(),
    decidedAt: timestamp.nullable(),
    closedAt: timestamp.nullable(),
  })
  .meta({ id: 'ShareRequestRecord', description: 'A share request (共享申请) as its consumer, its provider and the authority see it' });

export const ShareRequestStep = z
  .object({
    step: z.string(),
    from: z.string().nullable(),
    to: z.string(),
    at: timestamp,
    by: z.string(),
    byId: int.nullable(),
    automatic: z.boolean(),
    note: z.string().nullable(),
    dueAt: timestamp.nullable(),
    late: z.boolean().nullable().describe('the step came after its deadline'),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'ShareRequestStep', description: 'A step of a share request: who, when, late or not' });

export const GrantRecord = z
  .object({
    id: int,
    requestId: int.nullable().describe('the share request it was decided on; null for an open-data application’s grant'),
    applicationId: int.nullable().describe('the open-data application (有条件开放) it was decided on; null for a share request’s grant'),
    consumerDepartmentId: int.nullable().describe('the consumer department holding it; null when a developer account holds it'),
    developerId: int.nullable().describe('the developer account holding it (an approved open-data application); null for a department’s grant'),
    providerDepartmentId: int,
    resource: z.object({ id: int, code: z.string().nullable(), name: z.string().nullable() }),
    mode: z.string().describe('query, download or verify'),
    items: z.array(z.string()).describe('the items (信息项) granted'),
    rowFilter: z.unknown().describe('only rows matching this filter; null for all'),
    raw: z.array(z.string()).nullable().describe('masked items approved unmasked'),
    rateLimit: int.nullable().describe('calls per minute'),
    startsAt: timestamp,
    endsAt: timestamp.nullable(),
    status: z.string().describe('active, suspended, revoked, superseded or expired'),
    live: z.boolean().describe('reads are allowed now'),
    statusReason: z.string().nullable(),
    statusAt: timestamp.nullable(),
    supersededBy: int.nullable(),
    decidedBy: z.string().nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'Grant', description: 'A grant: what a consumer department, or a developer account on an approved open-data application, may read of a resource, how, and until when' });

export const ShareRequestView = ShareRequestRecord.extend({
  steps: z.array(ShareRequestStep),
  grant: GrantRecord.nullable(),
}).meta({ id: 'ShareRequestWithSteps', description: 'A share request with every step and its grant' });

export const ShareRequestPage = pageOf(ShareRequestRecord);
export const GrantPage = pageOf(GrantRecord);

export const CredentialRecord = z
  .object({
    id: int,
    login: z.string(),
    displayName: z.string(),
    departmentId: int.nullable(),
    system: z.object({ id: int, name: z.string() }).describe('the system (系统清单) the credential is bound to'),
    roles: z.array(z.string()),
    createdAt: timestamp,
    disabledAt: timestamp.nullable(),
  })
  .meta({ id: 'ConsumerCredential', description: 'A consumer credential: an account of a system, bound to it' });

export const CredentialList = listOf(CredentialRecord);
export const CredentialCreated = CredentialRecord.extend({ token: TokenWithSecret }).meta({
  id: 'ConsumerCredentialCreated',
  description: 'A new consumer credential with its read-only token and the secret, shown once',
});

export const VerifyResult = z.object({ matched: z.boolean().describe('a record with these values exists') }).meta({ id: 'VerifyResult' });
