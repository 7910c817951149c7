import { z } from 'zod';
import { csvList, limit, pageOf, timestamp } from '../../lib/zod-fields.ts';

export const ERROR_REPORT_STATES = ['open', 'accepted', 'fixed', 'rejected'] as const;

const text = (max: number) => z.string().trim().min(2).max(max);

/** POST /api/v1/error-reports: what the reporter says is wrong, and where. */
export const ErrorReportBody = z
  .object({
    resource: z.string().trim().min(1).max(200).describe('the dataset’s resource code (资源代码)'),
    rowKey: z.string().trim().min(1).max(500).optional().describe('the key of the wrong row, as the dataset shows it'),
    item: z.string().trim().min(1).max(63).optional().describe('the name of the wrong item (信息项)'),
    description: text(4000).describe('what is wrong'),
    evidence: z.string().trim().min(1).max(8000).optional().describe('evidence: a source, a document number, the correct value'),
  })
  .strict();
export type ErrorReportBody = z.infer<typeof ErrorReportBody>;

export const AcceptBody = z
  .object({
    note: z.string().trim().max(2000).optional(),
    loadId: z.number().int().positive().optional().describe('the load that fixed it, when already made: the report is then `fixed`'),
  })
  .strict()
  .default({});
export const RejectBody = z.object({ reason: text(2000) }).strict();
export const FixedBody = z.object({ loadId: z.number().int().positive().describe('a succeeded load of the resource finished after the report') }).strict();

export const ErrorReportQuery = z
  .object({
    role: z.enum(['provider', 'reporter']).optional().describe('provider: reports on the caller’s department’s data; reporter: reports the caller’s department (or the caller) made'),
    state: csvList().pipe(z.array(z.enum(ERROR_REPORT_STATES))).optional(),
    overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('open reports past their deadline (true) or not (false)'),
    resource: z.string().trim().min(1).max(200).optional().describe('a resource code'),
    limit: limit(),
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type ErrorReportQuery = z.infer<typeof ErrorReportQuery>;

export const ErrorReportRecord = z
  .object({
    id: z.number().int(),
    state: z.string().describe('open, accepted (to be fixed by a later load), fixed (linked to the load), rejected'),
    resource: z.object({ id: z.number().int(), code: z.string(), name: z.string().nullable() }),
    providerDepartmentId: z.number().int(),
    reporterId: z.number().int().nullable(),
    reporterDepartmentId: z.number().int().nullable(),
    channel: z.string().describe('how the reporter reaches the data: open, shared, own, oversight'),
    rowKey: z.string().nullable(),
    item: z.string().nullable(),
    description: z.string(),
    evidence: z.string().nullable(),
    limitDays: z.number().int().describe('working days the providing department has to answer'),
    dueAt: timestamp,
    overdue: z.boolean().describe('still open at or after its deadline'),
    createdAt: timestamp,
    answeredAt: timestamp.nullable(),
    late: z.boolean().nullable().describe('answered at or after the deadline'),
    answer: z.string().nullable().describe('the acceptance note or the reason of the rejection'),
    fixedLoadId: z.number().int().nullable(),
    fixedAt: timestamp.nullable(),
  })
  .meta({ id: 'ErrorReport', description: 'An error report (校核纠错) on a dataset and its answer; shown to its reporter, the providing department, the authority and administrators' });

export const ErrorReportPage = pageOf(ErrorReportRecord).meta({ id: 'ErrorReportPage' });
