import type { z } from 'zod';
import type { AuditEvent } from './chain.ts';
import type { AuditEventRecord } from './schema.ts';

export function presentAuditEvent(e: AuditEvent): z.output<typeof AuditEventRecord> {
  return {
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    actorId: e.actorId,
    departmentId: e.departmentId,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    purpose: e.purpose,
    detail: e.detail,
    rows: e.rows,
    requestId: e.requestId,
    prevHash: e.prevHash.toString('hex'),
    hash: e.hash.toString('hex'),
  };
}
