import { z } from 'zod';
import { catalogDocument, csvList, pageOf, timestamp } from '../../lib/zod-fields.ts';
import { GrantRecord, Terms } from '../../sharing/schema.ts';

export const APPLICATION_STATES = ['provider_review', 'granted', 'refused', 'withdrawn'] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

/** The application document itself is validated against catalog-schemas/open-application.schema.json. */
export const ApplicationBody = catalogDocument('open-application');

/** An approval narrows, never widens: fewer items, a row filter, a shorter period, a lower rate. Masked items stay masked for developers. */
export const ApplicationApproveBody = Terms.default({});
export type ApplicationApproveBody = z.infer<typeof ApplicationApproveBody>;

export const ApplicationRefuseBody = z.object({ reason: z.string().trim().min(2).max(2000) }).strict();
export const ApplicationWithdrawBody = z.object({ note: z.string().max(2000).optional() }).strict().default({});

export const ApplicationListQuery = z.object({
  state: csvList().pipe(z.array(z.enum(APPLICATION_STATES))).optional().describe('provider_review, granted, refused, withdrawn'),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('only applications past (true) or within (false) their deadline'),
  resource: z.coerce.number().int().positive().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ApplicationListQuery = z.infer<typeof ApplicationListQuery>;

const int = z.number().int();

export const OpenApplicationRecord = z
  .object({
    id: int,
    state: z.enum(APPLICATION_STATES),
    waitingFor: z.string().nullable().describe('provider while the providing department has to answer; null once answered or withdrawn'),
    accessMode: z.string().describe('query or download'),
    resource: z.object({ id: int, code: z.string(), name: z.string().nullable() }),
    providerDepartment: z.object({ id: int, name: z.string().nullable() }),
    developer: z.object({ id: int, displayName: z.string().nullable(), email: z.string().nullable() }),
    application: catalogDocument('open-application').describe('the application document as submitted'),
    submittedAt: timestamp,
    limitDays: int.nullable().describe('working days the providing department has to answer'),
    dueAt: timestamp.nullable().describe('the deadline of the answer (24:00 Asia/Shanghai of the last working day); null once answered'),
    overdue: z.boolean().describe('waiting, and the deadline has passed'),
    reason: z.string().nullable().describe('why it was refused'),
    note: z.string().nullable().describe('the officer’s note with an approval, or the developer’s with a withdrawal'),
    decidedAt: timestamp.nullable(),
    late: z.boolean().nullable().describe('the answer came after the deadline'),
    grantId: int.nullable(),
  })
  .meta({ id: 'OpenApplicationRecord', description: 'An application for conditionally open data (有条件开放) as its developer, the providing department and the authority see it' });

export const OpenApplicationView = OpenApplicationRecord.extend({ grant: GrantRecord.nullable() }).meta({
  id: 'OpenApplicationWithGrant',
  description: 'An application for conditionally open data with the grant its approval made',
});

export const OpenApplicationPage = pageOf(OpenApplicationRecord);

export const CodeParams = z.object({ code: z.string().min(1).max(100) });

export const ConditionalItem = z
  .object({
    name: z.string(),
    label: z.string(),
    type: z.string().describe('数据类型 code (C, N, D, ...)'),
    description: z.string().nullable(),
    masked: z.string().nullable().describe('the mask rule its values are served under, or null'),
  })
  .meta({ id: 'ConditionalItem', description: 'An item of a conditionally open dataset that may be applied for' });

export const ConditionalDataset = z
  .object({
    code: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    openCondition: z.string().nullable().describe('开放条件: what an applicant must meet'),
    department: z.object({ id: int, name: z.string() }),
    domain: z.string().nullable(),
    updateCycle: z.string().nullable(),
    publishedAt: timestamp.nullable(),
    loaded: z.boolean().describe('data is loaded here, so an approved applicant can read it at once'),
    items: z.array(ConditionalItem).describe('the items an application may ask for (不予开放 items and unmasked personal items are left out)'),
    limitDays: int.describe('working days the providing department has to answer an application'),
  })
  .meta({ id: 'ConditionalDataset', description: 'A conditionally open dataset (有条件开放): its metadata and conditions, public; its rows only under an approved application' });

export const ConditionalDatasetList = z.object({ items: z.array(ConditionalDataset) }).meta({ id: 'ConditionalDatasetList' });
