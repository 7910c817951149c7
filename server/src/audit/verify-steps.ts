import type { Knex } from 'knex';
import { recordedSuite } from '../db/crypto-suite.ts';
import type { CryptoSuite } from '../lib/crypto-suite.ts';
import { GENESIS_HASH, rowToEvent } from './chain.ts';
import { presentCheckpoint } from './checkpoints.ts';
import { verifySignedHead } from './signing.ts';
import { checkLink, type LinkProblem } from './verify.ts';

/**
 * The audit chain verified in steps, for the console (POST /api/v1/audit/verify). Each call
 * recomputes at most `limit` events after the point the previous step reached and says where it
 * stopped, so a chain of millions of events is verified in calls of a fraction of a second: no
 * request holds a connection or the event loop for long, no job is kept on one server (any server
 * of a cluster answers the next step), and the page shows the progress between steps. The same
 * recomputation as `odx audit verify` (verify.ts `checkLink`).
 */

/** Where a verification starts: the first event, or the newest signed checkpoint (its signature and its event's hash checked first). */
export interface VerifyStart {
  kind: 'genesis' | 'checkpoint';
  /** The events up to this seq are not recomputed by this verification (0 from the first event). */
  seq: number;
  checkpointId: number | null;
  signedAt: string | null;
}

export type StepProblem = LinkProblem | 'head' | 'checkpoint';

export interface VerifyStep {
  state: 'running' | 'intact' | 'broken';
  /** Set on the first step only: what this verification rests on. */
  start: VerifyStart | null;
  /** The last seq recomputed and found right; the next step continues after it. */
  verifiedTo: number;
  /** The hash of the event at verifiedTo (hex): the next step checks that the following event points back to it. */
  hash: string;
  /** Events recomputed in this step. */
  checked: number;
  /** The chain's head when this step began: the verification ends there. */
  headSeq: number;
  hashAlgorithm: CryptoSuite['hashAlgorithm'];
  firstBadSeq: number | null;
  problem: StepProblem | null;
  /** The problem in words (English, as `odx audit verify` prints it). */
  detail: string | null;
}

/** A new verification: where it starts. From a checkpoint, the checkpoint's signature and the chain's hash at its seq must hold. */
export async function startVerification(knex: Knex, from: 'genesis' | 'checkpoint', installationKey: string, limit: number): Promise<VerifyStep> {
  if (from === 'checkpoint') {
    const row = await knex('odx.audit_checkpoints').orderBy('id', 'desc').first();
    if (row && row.seq > 0) {
      const cp = presentCheckpoint(row);
      const start: VerifyStart = { kind: 'checkpoint', seq: cp.seq, checkpointId: cp.id, signedAt: cp.signedAt };
      const at = await knex('odx.audit_events').where({ seq: cp.seq }).first('hash');
      const fail = async (detail: string): Promise<VerifyStep> => ({ ...(await stopped(knex, start, cp.seq)), problem: 'checkpoint', detail });
      if (!verifySignedHead(cp) || cp.publicKey.replace(/\s+/g, '') !== installationKey.replace(/\s+/g, '')) {
        return fail(`checkpoint ${cp.id} does not carry a valid signature by this installation's key`);
      }
      if (!at) return fail(`event ${cp.seq}, signed in checkpoint ${cp.id}, is missing from the chain`);
      if (at.hash.toString('hex') !== cp.hash) return fail(`the chain holds another hash at seq ${cp.seq} than checkpoint ${cp.id} signed: it was rewritten at or before seq ${cp.seq}`);
      return { ...(await verifyStep(knex, cp.seq, cp.hash, limit)), start };
    }
  }
  const start: VerifyStart = { kind: 'genesis', seq: 0, checkpointId: null, signedAt: null };
  return { ...(await verifyStep(knex, 0, GENESIS_HASH.toString('hex'), limit)), start };
}

async function stopped(knex: Knex, start: VerifyStart, badSeq: number): Promise<VerifyStep> {
  const head = (await knex('odx.audit_head').first('seq')) as { seq: number };
  const { hashAlgorithm } = await recordedSuite(knex);
  return { state: 'broken', start, verifiedTo: start.seq, hash: '', checked: 0, headSeq: head.seq, hashAlgorithm, firstBadSeq: badSeq, problem: null, detail: null };
}

/**
 * Recomputes up to `limit` events after `after`, whose hash the caller holds (from the previous
 * step), reading `batch` events a query so the event loop is free between batches of hashing.
 * Only events up to the head as it stands now: events chained meanwhile are not part of
 * this verification, and do not make it report a chain longer than its head.
 */
export async function verifyStep(knex: Knex, after: number, afterHash: string, limit: number, batch = 2000): Promise<VerifyStep> {
  const suite = await recordedSuite(knex);
  const head = (await knex('odx.audit_head').first('seq', 'hash')) as { seq: number; hash: Buffer };
  let prevHash: Buffer = Buffer.from(afterHash, 'hex');
  let seq = after;
  let checked = 0;
  const base = { start: null, headSeq: head.seq, hashAlgorithm: suite.hashAlgorithm };
  const broken = (firstBadSeq: number, problem: StepProblem, detail: string): VerifyStep => ({
    ...base, state: 'broken', verifiedTo: seq, hash: prevHash.toString('hex'), checked, firstBadSeq, problem, detail,
  });
  const last = Math.min(head.seq, after + limit);
  while (seq < last) {
    const rows = await knex('odx.audit_events').where('seq', '>', seq).andWhere('seq', '<=', last).orderBy('seq').limit(batch);
    if (rows.length === 0) break;
    for (const row of rows) {
      const e = rowToEvent(row);
      const bad = checkLink(e, seq + 1, prevHash, suite);
      if (bad) return broken(bad.seq, bad.code, bad.problem);
      prevHash = e.hash;
      seq = e.seq;
      checked++;
    }
  }
  if (seq < last) return broken(seq + 1, 'missing', `event ${seq + 1} is missing`);
  if (seq < head.seq) return { ...base, state: 'running', verifiedTo: seq, hash: prevHash.toString('hex'), checked, firstBadSeq: null, problem: null, detail: null };
  if (!prevHash.equals(head.hash)) return broken(seq, 'head', `the chain's head names another hash at seq ${seq} than its last event has`);
  return { ...base, state: 'intact', verifiedTo: seq, hash: prevHash.toString('hex'), checked, firstBadSeq: null, problem: null, detail: null };
}
