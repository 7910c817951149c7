import { z } from 'zod';
import { timestamp } from '../lib/zod-fields.ts';

export const AuditListQuery = z.object({
  actor: z.string().max(200).optional().describe('who acted, as events name them (principal:<login>, system:<name>) or a login alone'),
  actorId: z.coerce.number().int().positive().optional(),
  departmentId: z.coerce.number().int().positive().optional(),
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(200).optional(),
  action: z.string().max(100).optional().describe('what happened, e.g. resource.publish; ending in * every action that starts so (resource.*)'),
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
    keyId: z.string().describe('names the key: SHA-256 (hex) of the public key’s DER (SubjectPublicKeyInfo), as `openssl pkey -pubin -in key.pem -outform DER | openssl dgst -sha256` prints it; not signed, it follows from publicKey'),
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

const hex = z.string().regex(/^[0-9a-f]{64}$/, 'a hash: 64 lowercase hex digits / 哈希值：64 位小写十六进制数字');

export const AuditVerifyBody = z
  .object({
    from: z.enum(['genesis', 'checkpoint']).optional().describe('start a verification: from the first event, or from the newest signed checkpoint (the events before it are not recomputed)'),
    after: z.number().int().min(0).optional().describe('continue a verification after this seq: the `verifiedTo` of the previous step'),
    hash: hex.optional().describe('with `after`: the `hash` of the previous step'),
    limit: z.number().int().min(1).max(100_000).default(20_000).describe('at most this many events in this step'),
  })
  .refine((b) => (b.from === undefined) !== (b.after === undefined), { message: 'give either `from` (a new verification) or `after` with `hash` (the next step) / 须给出 from（开始校验）或 after 与 hash（继续上一步），二者取其一', path: ['from'] })
  .refine((b) => (b.after === undefined) === (b.hash === undefined), { message: '`after` and `hash` go together / after 与 hash 须同时给出', path: ['hash'] });

export const AuditVerifyStep = z
  .object({
    state: z.enum(['running', 'intact', 'broken']).describe('running: call again with `after` = verifiedTo and `hash`; intact: every event from the start to headSeq recomputes; broken: see firstBadSeq'),
    start: z
      .object({
        kind: z.enum(['genesis', 'checkpoint']),
        seq: z.number().int().describe('events up to this seq are not recomputed by this verification (0: from the first event)'),
        checkpointId: z.number().int().nullable(),
        signedAt: z.string().meta({ format: 'date-time' }).nullable(),
      })
      .nullable()
      .describe('what the verification rests on; on its first step only'),
    verifiedTo: z.number().int().describe('the last seq recomputed and found right'),
    hash: z.string().describe('hex hash of the event at verifiedTo: pass it back with `after` to continue'),
    checked: z.number().int().describe('events recomputed in this step'),
    headSeq: z.number().int().describe('the head of the chain when the step began'),
    hashAlgorithm: z.enum(['SHA-256', 'SM3']),
    firstBadSeq: z.number().int().nullable().describe('the first seq that does not hold'),
    problem: z.enum(['missing', 'prev_hash', 'hash', 'head', 'checkpoint']).nullable().describe('missing: an event is gone; prev_hash: an event does not point back to the one before; hash: an event’s content was changed; head: the head does not match the last event; checkpoint: the chain differs from the newest signed checkpoint'),
    detail: z.string().nullable().describe('the problem in words (English, as `odx audit verify` prints it)'),
  })
  .meta({ id: 'AuditVerifyStep', description: 'A step of verifying the audit chain: how far it got, and whether the chain holds' });
