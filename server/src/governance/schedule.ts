/**
 * The governance area's periodic work, in one place so it can move to a job queue whole: last
 * month's indicator snapshot when it is missing, the alert checks, and webhook deliveries. One
 * timer ticks; each job runs when its own period has passed, never two runs of a job at once.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { now } from '../sharing/clock.ts';
import { raiseAlerts } from './alerts/alerts.ts';
import { candidates } from './alerts/checks.ts';
import { deliverDue, type WebhookSettings } from './alerts/webhook.ts';
import { loadSettings } from './settings.ts';
import { ensureLastMonth } from './snapshots.ts';

export function webhookSettings(config: Config): WebhookSettings | null {
  if (!config.alertWebhookUrl || !config.alertWebhookSecret) return null;
  return { url: config.alertWebhookUrl, secret: config.alertWebhookSecret, attempts: config.alertWebhookAttempts, backoffMs: config.alertWebhookBackoffMs };
}

/** Runs the alert checks once and stores the new alerts; returns their ids. */
export async function runAlertChecks(knex: Knex, config: Config, at: Date = now()): Promise<number[]> {
  const found = await candidates(knex, at, { graceDays: loadSettings(config.homeDir).graceDays, leak: { multiple: config.leakWatchMultiple, minReads: config.leakWatchMinReads } });
  return raiseAlerts(knex, found, at, webhookSettings(config) !== null);
}

const SNAPSHOT_CHECK_MS = 3_600_000;

/** Starts the periodic work; `stop` clears the timer and waits for a run in progress. */
export function startGovernanceSchedule(knex: Knex, config: Config, log: Logger): { stop(): Promise<void> } {
  const webhook = webhookSettings(config);
  const jobs = [
    {
      name: 'indicator snapshot',
      every: SNAPSHOT_CHECK_MS,
      run: async () => {
        const month = await ensureLastMonth(knex, now(), loadSettings(config.homeDir).graceDays);
        if (month) log.info({ month }, 'indicator snapshot computed');
      },
    },
    {
      name: 'alert checks',
      every: config.alertIntervalMs,
      run: async () => {
        const raised = await runAlertChecks(knex, config);
        if (raised.length) log.info({ alerts: raised }, 'alerts raised');
      },
    },
    ...(webhook ? [{ name: 'webhook deliveries', every: Math.min(config.alertWebhookBackoffMs, config.alertIntervalMs), run: async () => void (await deliverDue(knex, webhook)) }] : []),
  ].map((j) => ({ ...j, last: 0, running: null as Promise<void> | null }));
  const tick = () => {
    const t = Date.now();
    for (const job of jobs) {
      if (job.running || t - job.last < job.every) continue;
      job.last = t;
      job.running = job.run().catch((err) => log.error({ err }, `${job.name} failed`)).finally(() => (job.running = null));
    }
  };
  // the first run at once (a snapshot missing since the last stop is made on start), then on the shortest period
  tick();
  const timer = setInterval(tick, Math.max(10, Math.min(...jobs.map((j) => j.every)) / 2));
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(jobs.map((j) => j.running));
    },
  };
}
