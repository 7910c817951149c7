import fs from 'node:fs/promises';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { CommandOrigin } from '../audit/command.ts';
import { loadErrorZh } from '../../../loaders/index.ts';
import { executeLoad, failLoad } from './service.ts';

/**
 * Runs uploaded loads in the background of a server process. Shutdown aborts them: an
 * aborted load rolls back and is marked failed, the resource keeps its current version.
 */
export class LoadRunner {
  private readonly running = new Map<number, { abort: AbortController; done: Promise<void> }>();

  constructor(
    private readonly knex: Knex,
    private readonly log: Logger,
    private readonly retention: number,
  ) {}

  start(loadId: number, file: string, origin: CommandOrigin): void {
    const abort = new AbortController();
    const done = executeLoad(this.knex, origin, loadId, file, { retention: this.retention, signal: abort.signal })
      .then((o) => this.log.info({ loadId, ok: o.ok, rows: o.result?.rows, error: o.error }, 'load finished'))
      .catch(async (err) => {
        this.log.error({ err, loadId }, 'load crashed');
        // the load fails now with its cause, rather than later as "interrupted" when its heartbeat goes stale
        await failLoad(this.knex, origin, loadId, { code: 'internal', message: (err as Error).message, messageZh: loadErrorZh('internal', (err as Error).message) }).catch((e) => this.log.error({ err: e, loadId }, 'could not record the failed load'));
      })
      .finally(async () => {
        this.running.delete(loadId);
        await fs.rm(file, { force: true });
      });
    this.running.set(loadId, { abort, done });
  }

  /** Resolves when the load (if it runs here) has finished. */
  async wait(loadId: number): Promise<void> {
    await this.running.get(loadId)?.done;
  }

  async stop(): Promise<void> {
    for (const r of this.running.values()) r.abort.abort();
    await Promise.all([...this.running.values()].map((r) => r.done));
  }
}
