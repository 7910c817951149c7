import { z } from 'zod';

export const AuditListQuery = z.object({
  actor: z.string().max(200).optional(),
  actorId: z.coerce.number().int().positive().optional(),
  departmentId: z.coerce.number().int().positive().optional(),
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  order: z.enum(['asc', 'desc']).default('desc'),
  /** Keyset cursor: the `next` value of the previous page. */
  cursor: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type AuditListQuery = z.infer<typeof AuditListQuery>;

export const CheckpointListQuery = z.object({
  /** Keyset cursor: the `next` value of the previous page (newest first). */
  cursor: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type CheckpointListQuery = z.infer<typeof CheckpointListQuery>;
