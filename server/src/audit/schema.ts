import { z } from 'zod';
import { timestamp } from '../lib/zod-fields.ts';

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
  cursor: z.coerce.number().int().min(0).optional().describe('keyset cursor: the `next` value of the previous page'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type AuditListQuery = z.infer<typeof AuditListQuery>;

export const AuditEventRecord = z
  .object({
    seq: z.number().int().describe('position in the chain, from 1'),
    at: timestamp,
    actor: z.string().describe('who acted: principal:<login>, anonymous, system:<name>'),
    actorId: z.number().int().nullable(),
    departmentId: z.number().int().nullable().describe('the department the event concerns'),
    action: z.string().describe('what happened, e.g. resource.publish, dataset.rows'),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    purpose: z.string().nullable().describe('the purpose the caller gave for a read of shared data'),
    detail: z.record(z.string(), z.unknown()),
    rows: z.number().int().nullable().describe('rows a read returned'),
    requestId: z.string().nullable(),
    prevHash: z.string().describe('hex hash of the previous event (SHA-256, or SM3 in the 国密 suite)'),
    hash: z.string().describe('hex hash of prevHash and this event in canonical JSON (SHA-256, or SM3 in the 国密 suite)'),
  })
  .meta({ id: 'AuditEvent', description: 'An event of the hash-chained audit trail' });

export const AuditPage = z.object({
  items: z.array(AuditEventRecord),
  next: z.number().int().nullable().describe('cursor of the next page (pass as `cursor`); null on the last page'),
});

export const SignedHead = z
  .object({
    seq: z.number().int(),
    hash: z.string().describe('hex hash of the last event'),
    signedAt: z.string().meta({ format: 'date-time' }),
    message: z.string().describe('the exact bytes signed: canonical JSON of { seq, hash, signedAt }'),
    signature: z.string().describe('base64 signature of message: Ed25519, or SM2 (GB/T 32918, DER as GB/T 35276, user ID 1234567812345678)'),
    algorithm: z.enum(['Ed25519', 'SM2']).describe('the signature algorithm: Ed25519, or SM2 in the 国密 suite'),
    hashAlgorithm: z.enum(['SHA-256', 'SM3']).describe('the hash of the audit chain: SHA-256, or SM3 in the 国密 suite'),
    publicKey: z.string().describe('the installation’s public key (PEM)'),
  })
  .meta({ id: 'SignedHead', description: 'The head of the audit chain signed with the installation’s key: keep a copy to prove later that the log was not rewritten' });

export const CheckpointListQuery = z.object({
  cursor: z.coerce.number().int().min(1).optional().describe('keyset cursor: the `next` value of the previous page (newest first)'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type CheckpointListQuery = z.infer<typeof CheckpointListQuery>;

export const Checkpoint = SignedHead.extend({
  id: z.number().int(),
  reason: z.string().describe('daily, or on demand'),
}).meta({ id: 'Checkpoint', description: 'A signed head of the audit chain kept and published by the installation' });

export const CheckpointPage = z.object({
  items: z.array(Checkpoint),
  next: z.number().int().nullable().describe('cursor of the next page (pass as `cursor`); null on the last page'),
});
