import os from 'node:os';
import type { Knex } from 'knex';
import type { Logger } from 'pino';

/**
 * Periodic work (the load sweep, the daily audit checkpoint, the monthly indicator snapshot) run
 * once per period across all the processes of an installation, on PostgreSQL alone: each job has
 * a row in odx.jobs (migration 016) saying when it is next due, and every process tries to claim
 * due jobs with one INSERT … ON CONFLICT DO UPDATE … WHERE next_at <= now(). Row locking makes
 * the claims of two processes serial, and the loser re-reads the row the winner moved forward and
 * claims nothing, so a period's run happens in exactly one process. A failed run is recorded
 * (failures, last_error) and retried after `retryMs` instead of a whole period.
 *
 * Why not pg-boss or graphile-worker: these three jobs need "once per period, somewhere", which
 * this table gives in one statement per job and tick with no extra schema, worker loop or
 * dependency; docs/architecture.md ("Periodic work") says when a queue would be worth it.
 */
export interface Job {
  name: string;
  /** How often the job runs across the installation. */
  everyMs: number;
  /** How soon a failed run is tried again (default: a minute, or the period when shorter). */
  retryMs?: number;
  run(): Promise<unknown>;
}

const CLAIM_SQL = `insert into odx.jobs as j (name, next_at, started_at, claimed_by, runs)
  values (?, clock_timestamp() + ? * interval '1 millisecond', clock_timestamp(), ?, 1)
  on conflict (name) do update set next_at = excluded.next_at, started_at = excluded.started_at, claimed_by = excluded.claimed_by, runs = j.runs + 1
  where j.next_at <= clock_timestamp()
  returning runs`;

export class Scheduler {
  private timer?: NodeJS.Timeout;
  private readonly running = new Map<string, Promise<void>>();
  /** Who claimed a run, as odx.jobs shows it: the host and process. */
  readonly worker = `${os.hostname()}:${process.pid}`;

  constructor(
    private readonly knex: Knex,
    private readonly jobs: Job[],
    private readonly log: Logger,
    /** How often this process looks for due jobs. */
    private readonly tickMs = 5_000,
  ) {}

  /** Looks for due jobs now and then every tick. */
  start(): this {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
    return this;
  }

  /** Stops looking and waits for the runs in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.running.values());
  }

  private tick(): void {
    for (const job of this.jobs) {
      if (this.running.has(job.name)) continue;
      const run = this.claimAndRun(job).finally(() => this.running.delete(job.name));
      this.running.set(job.name, run);
    }
  }

  private async claimAndRun(job: Job): Promise<void> {
    let claimed: unknown[];
    try {
      claimed = (await this.knex.raw(CLAIM_SQL, [job.name, job.everyMs, this.worker])).rows;
    } catch (err) {
      this.log.warn({ err, job: job.name }, 'could not claim a periodic job; trying again on the next tick');
      return;
    }
    if (!claimed.length) return;
    try {
      await job.run();
      await this.knex('odx.jobs').where({ name: job.name }).update({ finished_at: this.knex.raw('clock_timestamp()'), last_error: null });
    } catch (err) {
      this.log.error({ err, job: job.name }, 'a periodic job failed; it is tried again soon');
      const retryMs = job.retryMs ?? Math.min(60_000, job.everyMs);
      await this.knex('odx.jobs')
        .where({ name: job.name })
        .update({
          failures: this.knex.raw('failures + 1'),
          last_error: String((err as Error)?.message ?? err).slice(0, 2000),
          last_failed_at: this.knex.raw('clock_timestamp()'),
          next_at: this.knex.raw(`clock_timestamp() + ? * interval '1 millisecond'`, [retryMs]),
        })
        .catch((e: unknown) => this.log.warn({ err: e, job: job.name }, 'could not record a periodic job failure'));
    }
  }
}
