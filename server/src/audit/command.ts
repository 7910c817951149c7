import type { Knex } from 'knex';
import { pendingEvents, recordAudit, type Actor, type AuditEvent, type AuditInput, type PendingEvent } from './chain.ts';
import { notifyChainer } from './chainer.ts';
import { dataChanged } from '../db/change-feed.ts';

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
  dataChanged(knex);
  notifyChainer(knex);
  return result;
}

/**
 * Records events that change nothing else (reads, downloads, verifications) in their own short
 * transaction, and resolves once they are stored. It commits without waiting for the WAL flush: a
 * read must not pay a disk sync, and at most the last ~200 ms of read events could be lost if the
 * database server crashed (docs/architecture.md). State changes never take this path.
 */
export function recordEvents(knex: Knex, origin: CommandOrigin, events: AuditInput[]): Promise<void> {
  let batch = readBatches.get(knex);
  if (!batch) readBatches.set(knex, (batch = new ReadBatch(knex)));
  return batch.add(pendingEvents(origin.actor, events, origin.requestId));
}

/**
 * Group commit of read events: the first event is written at once; events that arrive while a
 * write is in flight wait for it and go together in the next statement. A busy API writes its
 * read audit in a few statements a millisecond instead of one per request, and an idle one adds
 * no delay.
 */
class ReadBatch {
  private waiting: { events: PendingEvent[]; settle(err?: unknown): void }[] = [];
  private writing = false;

  constructor(private readonly knex: Knex) {}

  add(events: PendingEvent[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, settle: (err) => (err ? reject(err) : resolve()) });
      if (!this.writing) void this.write();
    });
  }

  private async write(): Promise<void> {
    this.writing = true;
    while (this.waiting.length) {
      const batch = this.waiting.splice(0, READ_BATCH);
      try {
        await recordAudit(this.knex, batch.flatMap((b) => b.events), { waitForDisk: false });
        for (const b of batch) b.settle();
      } catch (err) {
        // one request's bad event must not fail the others': write them one by one
        if (batch.length === 1) batch[0].settle(err);
        else for (const b of batch) await recordAudit(this.knex, b.events, { waitForDisk: false }).then(() => b.settle(), b.settle);
      }
      notifyChainer(this.knex);
    }
    this.writing = false;
  }
}

// the events of a batch travel as one JSON parameter; this keeps a statement well under a megabyte
const READ_BATCH = 500;
const readBatches = new WeakMap<Knex, ReadBatch>();

export type { Actor, AuditEvent, AuditInput };
