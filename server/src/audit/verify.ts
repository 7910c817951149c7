import type { Knex } from 'knex';
import { chainHash, GENESIS_HASH, hashedContent, rowToEvent } from './chain.ts';

export interface VerifyResult {
  ok: boolean;
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
  const head = (await knex('odx.audit_head').first('seq', 'hash')) as { seq: number; hash: Buffer };
  let prevHash: Buffer = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const rows = await knex('odx.audit_events').where('seq', '>=', expectedSeq).orderBy('seq').limit(batch);
    for (const row of rows) {
      const e = rowToEvent(row);
      const fail = (problem: string): VerifyResult => ({ ok: false, checked, headSeq: head.seq, firstBadSeq: e.seq, problem });
      if (e.seq !== expectedSeq) return { ok: false, checked, headSeq: head.seq, firstBadSeq: expectedSeq, problem: `event ${expectedSeq} is missing` };
      if (!e.prevHash.equals(prevHash)) return fail('prev_hash does not match the hash of the event before it');
      if (!chainHash(prevHash, hashedContent(e)).equals(e.hash)) return fail('hash does not match the event content');
      prevHash = e.hash;
      expectedSeq++;
      checked++;
    }
    onProgress?.({ checked, total: head.seq });
    if (rows.length < batch) break;
  }
  if (checked !== head.seq || !prevHash.equals(head.hash)) {
    return { ok: false, checked, headSeq: head.seq, firstBadSeq: checked + 1, problem: `the chain ends at ${checked} but its head says ${head.seq}` };
  }
  return { ok: true, checked, headSeq: head.seq };
}
