import type { Knex } from 'knex';
import { appendAudit, type Actor, type AuditEvent, type AuditInput } from './chain.ts';

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
 * The one write path: runs `work` in a transaction, then appends the audit events it
 * recorded to the chain in that same transaction, so a change and its event commit
 * together or not at all. A command that records no event is a bug and rolls back.
 */
export async function runCommand<T>(knex: Knex, origin: CommandOrigin, work: (ctx: CommandContext) => Promise<T>): Promise<T> {
  return knex.transaction(async (trx) => {
    const events: AuditInput[] = [];
    const result = await work({ trx, actor: origin.actor, requestId: origin.requestId, audit: (e) => void events.push(e) });
    if (events.length === 0) throw new UnauditedChangeError('a command changed state without recording an audit event');
    await appendAudit(trx, origin.actor, events, origin.requestId);
    return result;
  });
}

export type { Actor, AuditEvent, AuditInput };
