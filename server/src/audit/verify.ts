import type { Knex } from 'knex';
import { recordedSuite } from '../db/crypto-suite.ts';
import type { CryptoSuite } from '../lib/crypto-suite.ts';
import { chainHash, GENESIS_HASH, hashedContent, rowToEvent, type AuditEvent } from './chain.ts';
import { verifySignedHead, type SignedHead } from './signing.ts';

export interface VerifyResult {
  ok: boolean;
  /** The chain's hash: the installation's suite as recorded. */
  hashAlgorithm: CryptoSuite['hashAlgorithm'];
  checked: number;
  headSeq: number;
  firstBadSeq?: number;
  problem?: string;
}

export interface VerifyProgress {
  checked: number;
  total: number;
}

/**
 * Walks the whole chain in seq order, recomputing every hash from the stored fields.
 * Any row rewritten behind the triggers' back, removed, or inserted out of order
 * breaks the recomputation at that seq.
 */
export async function verifyChain(knex: Knex, onProgress?: (p: VerifyProgress) => void, batch = 5000): Promise<VerifyResult> {
  // read now, not remembered: a record changed behind the database's back shows as a broken chain
  const suite = await recordedSuite(knex);
  const { hashAlgorithm } = suite;
  const head = (await knex('odx.audit_head').first('seq', 'hash')) as { seq: number; hash: Buffer };
  let prevHash: Buffer = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const rows = await knex('odx.audit_events').where('seq', '>=', expectedSeq).orderBy('seq').limit(batch);
    for (const row of rows) {
      const e = rowToEvent(row);
      const broken = checkLink(e, expectedSeq, prevHash, suite);
      if (broken) return { ok: false, hashAlgorithm, checked, headSeq: head.seq, firstBadSeq: broken.seq, problem: broken.problem };
      prevHash = e.hash;
      expectedSeq++;
      checked++;
    }
    onProgress?.({ checked, total: head.seq });
    if (rows.length < batch) break;
  }
  if (checked !== head.seq || !prevHash.equals(head.hash)) {
    return { ok: false, hashAlgorithm, checked, headSeq: head.seq, firstBadSeq: checked + 1, problem: `the chain ends at ${checked} but its head says ${head.seq}` };
  }
  return { ok: true, hashAlgorithm, checked, headSeq: head.seq };
}

/** Why a link of the chain does not hold: an event missing, its prev_hash not the hash before it, or its hash not its content's. */
export type LinkProblem = 'missing' | 'prev_hash' | 'hash';

/**
 * Checks one event as the `expectedSeq`th of the chain after `prevHash`: the seq it must have, the
 * hash it must point back to, and the hash its stored fields must give. Null when it holds.
 */
export function checkLink(e: AuditEvent, expectedSeq: number, prevHash: Buffer, suite: CryptoSuite): { seq: number; code: LinkProblem; problem: string } | null {
  if (e.seq !== expectedSeq) return { seq: expectedSeq, code: 'missing', problem: `event ${expectedSeq} is missing` };
  if (!e.prevHash.equals(prevHash)) return { seq: e.seq, code: 'prev_hash', problem: 'prev_hash does not match the hash of the event before it' };
  if (!chainHash(prevHash, hashedContent(e), suite).equals(e.hash)) return { seq: e.seq, code: 'hash', problem: `hash does not match the event content (${suite.hashAlgorithm})` };
  return null;
}

export interface KeptHeadCheck {
  seq: number;
  ok: boolean;
  problem?: string;
}

/**
 * Checks the chain against signed heads kept elsewhere (a head from GET /api/v1/audit/head, or
 * checkpoints): each must carry a valid signature — by this installation's key when it is known —
 * and the chain must hold an event at its seq with its hash. A head past the chain's end names
 * the missing seqs (a gap); a different hash at its seq names that seq, after the last kept head
 * that still matches (the rewrite lies between them).
 */
export async function verifyAgainst(knex: Knex, kept: SignedHead[], installationKey?: string): Promise<KeptHeadCheck[]> {
  const head = (await knex('odx.audit_head').first('seq')) as { seq: number };
  const sorted = [...kept].sort((a, b) => a.seq - b.seq);
  const bySeq = new Map<number, Buffer>(
    (await knex('odx.audit_events').whereIn('seq', sorted.map((k) => k.seq)).select('seq', 'hash')).map((r: { seq: number; hash: Buffer }) => [r.seq, r.hash]),
  );
  const checks: KeptHeadCheck[] = [];
  let lastGood: number | undefined;
  for (const k of sorted) {
    const fail = (problem: string) => checks.push({ seq: k.seq, ok: false, problem });
    if (!verifySignedHead(k)) {
      fail(`the kept head at seq ${k.seq} has no valid signature: it was altered after signing, or is not a signed head`);
    } else if (installationKey && normalisePem(k.publicKey) !== normalisePem(installationKey)) {
      fail(`the kept head at seq ${k.seq} was signed by another key than this installation's`);
    } else if (k.seq > head.seq) {
      fail(`gap: the chain ends at seq ${head.seq} but a head was signed at seq ${k.seq}: events ${head.seq + 1}–${k.seq} are missing`);
    } else if (k.seq > 0 && !bySeq.has(k.seq)) {
      fail(`gap: event ${k.seq}, signed in a kept head, is missing from the chain`);
    } else if (k.seq > 0 && bySeq.get(k.seq)!.toString('hex') !== k.hash) {
      fail(`foreign seq ${k.seq}: the chain holds hash ${bySeq.get(k.seq)!.toString('hex')} there, the kept head signed ${k.hash}; the chain was rewritten ${lastGood === undefined ? 'at or before' : `after seq ${lastGood} (which matches its kept head) and at or before`} seq ${k.seq}`);
    } else {
      checks.push({ seq: k.seq, ok: true });
      lastGood = k.seq;
    }
  }
  return checks;
}

const normalisePem = (pem: string) => pem.replace(/\s+/g, '');

/** Kept heads from a file's text: one signed head, an array of them, or a page of GET /api/v1/audit/checkpoints. */
export function parseKeptHeads(text: string): SignedHead[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(value) ? value : value && typeof value === 'object' && Array.isArray((value as { items?: unknown }).items) ? (value as { items: unknown[] }).items : [value];
  const fields = ['seq', 'hash', 'signedAt', 'message', 'signature', 'publicKey'];
  list.forEach((h, i) => {
    const missing = fields.filter((f) => !h || typeof h !== 'object' || !(f in h));
    if (missing.length) throw new Error(`entry ${i} is not a signed head (missing ${missing.join(', ')})`);
  });
  if (list.length === 0) throw new Error('no signed head in it');
  return list as SignedHead[];
}
