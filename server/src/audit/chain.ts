import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { canonicalJson } from '../lib/canonical-json.ts';

/** Who did something: a signed-in principal, the CLI operator, the platform itself, or the anonymous public. */
export interface Actor {
  kind: 'principal' | 'cli' | 'system' | 'anonymous';
  id?: number;
  label: string;
  departmentId?: number | null;
}

export interface AuditInput {
  action: string;
  departmentId?: number | null;
  targetType?: string;
  targetId?: string | number;
  purpose?: string;
  detail?: Record<string, unknown>;
  rows?: number;
}

export interface AuditEvent {
  seq: number;
  at: Date;
  actor: string;
  actorId: number | null;
  departmentId: number | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  purpose: string | null;
  detail: Record<string, unknown>;
  rows: number | null;
  requestId: string | null;
  prevHash: Buffer;
  hash: Buffer;
}

export const GENESIS_HASH = Buffer.alloc(32);

/** The fields a hash covers, in the form that is hashed: everything but the hashes themselves. */
export function hashedContent(e: Omit<AuditEvent, 'prevHash' | 'hash'>): string {
  return canonicalJson({
    seq: e.seq,
    at: e.at.toISOString(),
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
  });
}

export function chainHash(prevHash: Buffer, content: string): Buffer {
  return createHash('sha256').update(prevHash).update(content, 'utf8').digest();
}

/**
 * Appends events to the chain inside the caller's transaction. The head row is locked
 * until that transaction ends, which makes concurrent writers form one linear chain;
 * callers append last so the lock is held only for the commit.
 */
export async function appendAudit(trx: Knex.Transaction, actor: Actor, inputs: AuditInput[], requestId?: string): Promise<AuditEvent[]> {
  if (inputs.length === 0) return [];
  const head = (await trx.raw('select seq, hash from odx.audit_head for update')).rows[0] as { seq: number; hash: Buffer };
  let prevHash = head.hash;
  const at = new Date();
  const events = inputs.map((input, i) => {
    const body = {
      seq: head.seq + i + 1,
      at,
      actor: actor.label,
      actorId: actor.id ?? null,
      departmentId: input.departmentId ?? null,
      action: input.action,
      targetType: input.targetType ?? null,
      targetId: input.targetId === undefined ? null : String(input.targetId),
      purpose: input.purpose ?? null,
      // a JSON round trip gives exactly what jsonb will hand back when the chain is verified
      detail: JSON.parse(JSON.stringify(input.detail ?? {})) as Record<string, unknown>,
      rows: input.rows ?? null,
      requestId: requestId ?? null,
    };
    const hash = chainHash(prevHash, hashedContent(body));
    const event: AuditEvent = { ...body, prevHash, hash };
    prevHash = hash;
    return event;
  });
  await trx('odx.audit_events').insert(
    events.map((e) => ({
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      actor_id: e.actorId,
      department_id: e.departmentId,
      action: e.action,
      target_type: e.targetType,
      target_id: e.targetId,
      purpose: e.purpose,
      detail: JSON.stringify(e.detail),
      rows: e.rows,
      request_id: e.requestId,
      prev_hash: e.prevHash,
      hash: e.hash,
    })),
  );
  const last = events[events.length - 1];
  await trx('odx.audit_head').update({ seq: last.seq, hash: last.hash });
  return events;
}

export function rowToEvent(r: Record<string, any>): AuditEvent {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    actorId: r.actor_id,
    departmentId: r.department_id,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    purpose: r.purpose,
    detail: r.detail,
    rows: r.rows,
    requestId: r.request_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
