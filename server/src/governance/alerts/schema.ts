import { z } from 'zod';
import { csvList, limit, pageOf, timestamp } from '../../lib/zod-fields.ts';

export const ALERT_KINDS = ['request_due', 'error_report_due', 'stale_resource', 'leak_watch'] as const;

export const AlertQuery = z
  .object({
    kind: csvList().pipe(z.array(z.enum(ALERT_KINDS))).optional(),
    acknowledged: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    limit: limit(),
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type AlertQuery = z.infer<typeof AlertQuery>;

export const SuspendFromAlertBody = z.object({ reason: z.string().trim().min(2).max(2000) }).strict();
export const AcknowledgeBody = z.object({}).strict().default({});

export const WebhookDelivery = z
  .object({
    attempt: z.number().int(),
    at: timestamp,
    url: z.string(),
    status: z.number().int().nullable().describe('the receiver’s HTTP status; null when no answer came'),
    error: z.string().nullable(),
    durationMs: z.number().int(),
  })
  .meta({ id: 'WebhookDelivery', description: 'One attempt to post an alert to the webhook' });

export const AlertRecord = z
  .object({
    id: z.number().int(),
    kind: z.string().describe('request_due, error_report_due, stale_resource, leak_watch'),
    departmentId: z.number().int().nullable().describe('the department that is to act; null: the authority'),
    target: z.object({ type: z.string().describe('share_request, error_report, resource, grant, account'), id: z.string() }),
    detail: z.record(z.string(), z.unknown()).describe('deadline, resource code, days overdue, reads today and the usual day: never a value of the data'),
    raisedAt: timestamp,
    acknowledgedAt: timestamp.nullable(),
    acknowledgedBy: z.number().int().nullable(),
    webhook: z.object({ state: z.string().describe('none, pending, delivered, failed'), attempts: z.number().int() }),
    deliveries: z.array(WebhookDelivery).optional().describe('every attempt to post it to the webhook (on GET /api/v1/alerts/:id)'),
  })
  .meta({ id: 'Alert', description: 'An alert of the console’s notification list, also posted to the webhook' });

export const AlertPage = pageOf(AlertRecord).meta({ id: 'AlertPage' });
