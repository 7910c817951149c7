import type { Knex } from 'knex';
import { chainPending, type Actor } from './chain.ts';
import { runCommand, type CommandContext } from './command.ts';
import { hashAlgorithmOf, keyIdOf, type HeadSigner, type SignedHead } from './signing.ts';

/**
 * Signed checkpoints: the chain's head, signed and kept in odx.audit_checkpoints, made once a day
 * by every server and on demand by the authority, and published to anyone
 * (GET /api/v1/audit/checkpoints) so that copies live outside the installation. A copy kept
 * elsewhere proves that the chain up to its seq was not rewritten later: `odx audit verify
 * --against` checks the chain against it (verify.ts).
 */
export type CheckpointReason = 'daily' | 'on demand';

export interface Checkpoint extends SignedHead {
  id: number;
  reason: CheckpointReason;
}

const DAY_MS = 86_400_000;

/** Signs the head as the chain stands in the command's transaction (chain pending events first) and keeps it. */
export async function checkpointCreator(ctx: CommandContext, signer: HeadSigner, reason: CheckpointReason): Promise<Checkpoint> {
  const head = await ctx.trx('odx.audit_head').first('seq', 'hash');
  const signed = signer.sign(head);
  const [row] = await ctx.trx('odx.audit_checkpoints')
    .insert({
      seq: signed.seq,
      hash: head.hash,
      signed_at: signed.signedAt,
      message: signed.message,
      signature: signed.signature,
      algorithm: signed.algorithm,
      public_key: signed.publicKey,
      reason,
    })
    .returning('*');
  ctx.audit({ action: 'audit.checkpoint', targetType: 'audit', targetId: signed.seq, detail: { seq: signed.seq, hash: signed.hash, reason } });
  return presentCheckpoint(row);
}

const CHECKPOINTER: Actor = { kind: 'system', label: 'system:checkpoint' };
const NOT_DUE = Symbol('not due');

/** Makes the daily checkpoint when one is due; a server calls this every hour. Returns it, or null when none was due. */
export async function dailyCheckpoint(knex: Knex, signer: HeadSigner): Promise<Checkpoint | null> {
  await chainPending(knex);
  return runCommand(knex, { actor: CHECKPOINTER }, async (ctx) => {
    if (!(await dailyCheckpointDue(ctx.trx))) throw NOT_DUE;
    return checkpointCreator(ctx, signer, 'daily');
  }).catch((err: unknown) => {
    if (err === NOT_DUE) return null;
    throw err;
  });
}

/** Whether a daily checkpoint is due: none yet, or the newest is a day old. Servers of one installation take turns on a lock. */
async function dailyCheckpointDue(trx: Knex.Transaction): Promise<boolean> {
  await trx.raw(`select pg_advisory_xact_lock(hashtext('odx.audit_checkpoint'))`);
  const newest = await trx('odx.audit_checkpoints').max('signed_at as at').first();
  return !newest?.at || Date.now() - new Date(newest.at).getTime() >= DAY_MS;
}

export function presentCheckpoint(r: Record<string, any>): Checkpoint {
  return {
    id: r.id,
    seq: r.seq,
    hash: r.hash.toString('hex'),
    signedAt: new Date(r.signed_at).toISOString(),
    message: r.message,
    signature: r.signature,
    algorithm: r.algorithm,
    hashAlgorithm: hashAlgorithmOf(r.algorithm),
    publicKey: r.public_key,
    keyId: keyIdOf(r.public_key),
    reason: r.reason,
  };
}
