import PgBoss from 'pg-boss';
import type { Knex } from 'knex';
import type { Logger } from 'pino';

/**
 * Periodic work (the load sweep, the audit checkpoint, the monthly indicator snapshot, the alert
 * checks, webhook deliveries) runs through pg-boss, a maintained PostgreSQL job queue, so each
 * period's run happens once across all the processes of an installation, failures are retried
 * and recorded, and an operator reads the record in SQL (docs/operations.md, "Background work").
 *
 * Every process, every tick, offers each job for the current period (`sendThrottled`: one job per
 * name and time slot, the slot unique in pg-boss's table), and every process works the queues;
 * the first to fetch a job (FOR UPDATE SKIP LOCKED) runs it. The queues and pg-boss's schema are
 * created by `odx migrate` as the schema's owner (migration 022): the application role only reads
 * and writes their rows. pg-boss talks through the application's own pool, so the connection
 * budget (ODX_DB_POOL) is unchanged.
 */
export interface Job {
  /** A queue of migration 022's list (QUEUES). */
  name: string;
  /** How often the job runs across the installation (rounded to whole seconds, at least 1). */
  everyMs: number;
  /** How soon a failed run is tried again (default: a minute, or the period when shorter). */
  retryMs?: number;
  /** How long a run may take before pg-boss counts it failed (default 15 minutes). */
  timeoutMs?: number;
  run(): Promise<unknown>;
}

export const JOB_SCHEMA = 'pgboss';
/** A failed run is retried this often before its period's job is marked failed; the next period sends a new one. */
const RETRIES = 2;

/** pg-boss's database adapter over a connection of the knex pool (pg's positional parameters, unlike knex.raw). */
function knexAdapter(knex: Knex) {
  return {
    async executeSql(text: string, values?: unknown[]) {
      const conn = await knex.client.acquireConnection();
      try {
        return await conn.query(text, values);
      } finally {
        await knex.client.releaseConnection(conn);
      }
    },
  };
}

const seconds = (ms: number) => Math.max(1, Math.round(ms / 1000));

export class Scheduler {
  private readonly boss: PgBoss;
  private timer?: NodeJS.Timeout;
  private started?: Promise<void>;

  constructor(
    knex: Knex,
    private readonly jobs: Job[],
    private readonly log: Logger,
    /** How often this process offers due jobs and looks for work. */
    private readonly tickMs = 5_000,
  ) {
    this.boss = new PgBoss({
      db: knexAdapter(knex),
      schema: JOB_SCHEMA,
      // the schema is the owner's (migration 022); the application never creates or migrates it
      migrate: false,
      // no cron: periods are throttled sends
      schedule: false,
      supervise: true,
      // completed and failed runs stay readable for a week, then go
      deleteAfterDays: 7,
    });
    this.boss.on('error', (err) => this.log.warn({ err }, 'the job queue reported an error; it tries again'));
  }

  /** Offers due jobs now and every tick, and works the queues. */
  start(): this {
    this.started = this.begin().catch((err) => this.log.error({ err }, 'the job queue did not start: periodic work is not running (run odx migrate?)'));
    return this;
  }

  private async begin(): Promise<void> {
    await this.boss.start();
    const pollingIntervalSeconds = Math.max(0.5, this.tickMs / 1000);
    for (const job of this.jobs) {
      await this.boss.work(job.name, { pollingIntervalSeconds, batchSize: 1 }, async () => {
        try {
          await job.run();
        } catch (err) {
          this.log.error({ err, job: job.name }, 'a periodic job failed; it is tried again soon');
          throw err;
        }
      });
    }
    await this.offer();
    this.timer = setInterval(() => void this.offer(), this.tickMs);
    this.timer.unref();
  }

  /** One job per name and period: a second offer in the same slot, from any process, adds nothing. */
  private async offer(): Promise<void> {
    for (const job of this.jobs) {
      const options = { retryLimit: RETRIES, retryDelay: seconds(job.retryMs ?? Math.min(60_000, job.everyMs)), expireInSeconds: seconds(job.timeoutMs ?? 900_000) };
      await this.boss.sendThrottled(job.name, {}, options, seconds(job.everyMs)).catch((err) => this.log.warn({ err, job: job.name }, 'could not offer a periodic job; trying again on the next tick'));
    }
  }

  /** Stops offering and fetching, and waits for the runs in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.started;
    await this.boss.stop({ graceful: true, wait: true, close: false, timeout: 30_000 });
  }
}
