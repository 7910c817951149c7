import type { Knex } from 'knex';
import { pendingEvents, recordAudit, type Actor, type AuditEvent, type AuditInput } from './chain.ts';
import { notifyChainer } from './chainer.ts';

/** What a command may use: its transaction, who acts, and the recorder of its audit events. */
export interface CommandContext {
  trx: Knex.Transaction;
  actor: Actor;
  requestId?: string;
  audit(event: AuditInput): void;
}

export interface CommandOrigin {
  actor: Actor;
  requestId?: string;
}

export class UnauditedChangeError extends Error {}

/**
 * The one write path: runs `work` in a transaction and records the audit events it
 * collected in that same transaction, so a change and its events commit together or not
 * at all. A command that records no event is a bug and rolls back.
 */
export async function runCommand<T>(knex: Knex, origin: CommandOrigin, work: (ctx: CommandContext) => Promise<T>): Promise<T> {
  const result = await knex.transaction(async (trx) => {
    const events: AuditInput[] = [];
    const value = await work({ trx, actor: origin.actor, requestId: origin.requestId, audit: (e) => void events.push(e) });
    if (events.length === 0) throw new UnauditedChangeError('a command changed state without recording an audit event');
    await recordAudit(trx, pendingEvents(origin.actor, events, origin.requestId));
    return value;
  });
  notifyChainer(knex);
  return result;
}

/**
 * Records events that change nothing else (reads, downloads, verifications) in their own short
 * transaction. It commits without waiting for the WAL flush: a read must not pay a disk sync,
 * and at most the last ~200 ms of read events could be lost if the database server crashed
 * (docs/architecture.md). State changes never take this path.
 */
export async function recordEvents(knex: Knex, origin: CommandOrigin, events: AuditInput[]): Promise<void> {
  await recordAudit(knex, pendingEvents(origin.actor, events, origin.requestId), { waitForDisk: false });
  notifyChainer(knex);
}

export type { Actor, AuditEvent, AuditInput };
