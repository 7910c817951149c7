import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { suiteOf } from '../db/crypto-suite.ts';
import { preparedRows } from '../db/prepared.ts';
import { canonicalJson } from '../lib/canonical-json.ts';
import type { CryptoSuite } from '../lib/crypto-suite.ts';

/** Who did something: a signed-in principal, the CLI operator, the platform itself, or the anonymous public. */
export interface Actor {
  kind: 'principal' | 'cli' | 'system' | 'anonymous';
  id?: number;
  label: string;
  departmentId?: number | null;
  /** The API token the principal called with (absent for a session or the CLI): reads record it, so a developer's usage is told by key. */
  tokenId?: number;
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

/** An event's hash in the installation's suite: SHA-256 or SM3 (both through OpenSSL) of the previous hash and the event's canonical JSON. */
export function chainHash(prevHash: Buffer, content: string, suite: CryptoSuite): Buffer {
  return createHash(suite.hash).update(prevHash).update(content, 'utf8').digest();
}

/** An event as recorded, before the chain: its detail already JSON text, taken when it was recorded. */
export type PendingEvent = Omit<AuditEvent, 'seq' | 'prevHash' | 'hash' | 'detail'> & { detail: string };

/** Builds the stored form of events recorded now by an actor. */
export function pendingEvents(actor: Actor, inputs: AuditInput[], requestId?: string): PendingEvent[] {
  const at = new Date();
  return inputs.map((input) => ({
    at,
    actor: actor.label,
    actorId: actor.id ?? null,
    departmentId: input.departmentId ?? null,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId === undefined ? null : String(input.targetId),
    purpose: input.purpose ?? null,
    // the chain hashes what jsonb hands back, so text is all the database needs
    detail: JSON.stringify(input.detail ?? {}),
    rows: input.rows ?? null,
    requestId: requestId ?? null,
  }));
}

/**
 * Writes events to odx.audit_pending with the caller's connection or transaction: a change
 * and its events commit together. No lock is taken, so concurrent writers do not queue. The
 * events travel as one JSON parameter, so a command may record any number of them.
 * `waitForDisk: false` (reads, outside any transaction: see recordEvents) makes the statement's
 * own transaction commit without waiting for the WAL flush.
 */
export async function recordAudit(db: Knex | Knex.Transaction, events: PendingEvent[], opts: { waitForDisk?: boolean } = {}): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => ({
    at: e.at.toISOString(),
    actor: e.actor,
    actor_id: e.actorId,
    department_id: e.departmentId,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId,
    purpose: e.purpose,
    detail: e.detail,
    rows: e.rows,
    request_id: e.requestId,
  }));
  const sql = `insert into odx.audit_pending (at, actor, actor_id, department_id, action, target_type, target_id, purpose, detail, rows, request_id)
     select e.at, e.actor, e.actor_id, e.department_id, e.action, e.target_type, e.target_id, e.purpose, e.detail::jsonb, e.rows, e.request_id
     from jsonb_to_recordset(?::jsonb) as e(at timestamptz, actor text, actor_id bigint, department_id bigint, action text,
       target_type text, target_id text, purpose text, detail text, rows bigint, request_id text)
     ${opts.waitForDisk === false ? `, (select set_config('synchronous_commit', 'off', true)) as async_commit` : ''}`;
  // outside a transaction (read events) the statement is a prepared one of the app's pool
  if (db.isTransaction) await db.raw(sql, [JSON.stringify(rows)]);
  else await preparedRows(db as Knex, sql, [JSON.stringify(rows)]);
}

const CHAIN_BATCH = 4000;
const HASH_SLICE = 200;

/**
 * Moves committed pending events into the hash chain, oldest first, in batches. An advisory
 * lock makes chainers take turns, so the chain stays linear however many processes
 * run one. With `wait: false` it returns at once when another chainer holds the head.
 * Returns how many events it chained.
 */
export async function chainPending(knex: Knex, opts: { wait?: boolean } = {}): Promise<number> {
  let total = 0;
  const suite = await suiteOf(knex);
  for (;;) {
    // a pass with nothing to chain takes no lock and opens no transaction: an idle server sweeps five times a second
    if (!(await knex.raw('select exists (select from odx.audit_pending) as waiting')).rows[0].waiting) return total;
    const moved = await knex.transaction(async (trx) => {
      // chainers take turns on this lock; the application may read the head but not lock or write it
      const lock = opts.wait === false ? 'pg_try_advisory_xact_lock' : 'pg_advisory_xact_lock';
      const got = (await trx.raw(`select ${lock}(hashtext('odx.audit_chain')) as got`)).rows[0].got;
      if (got === false) return 0;
      const head = (await trx.raw('select seq, hash from odx.audit_head')).rows[0] as { seq: number; hash: Buffer };
      const rows = (await trx.raw('select * from odx.audit_pending order by id limit ?', [CHAIN_BATCH])).rows as Record<string, any>[];
      if (rows.length === 0) return 0;
      let prevHash: Buffer = head.hash;
      const ids: number[] = [];
      const hashes: string[] = [];
      for (let i = 0; i < rows.length; i++) {
        // hashing a batch takes long enough to hold up other work of the thread: let it through every so often
        if (i > 0 && i % HASH_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
        prevHash = chainHash(prevHash, hashedContent({ ...rowToEvent(rows[i]), seq: head.seq + i + 1 }), suite);
        ids.push(rows[i].id);
        hashes.push(prevHash.toString('hex'));
      }
      // the database moves the very rows read after the head, and the head after them (migration 011)
      return (await trx.raw('select odx.audit_chain(?, ?::bigint[], ?::text[]) as moved', [head.seq, ids, hashes])).rows[0].moved as number;
    });
    total += moved;
    if (moved < CHAIN_BATCH) return total;
  }
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
