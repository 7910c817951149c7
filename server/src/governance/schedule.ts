/**
 * The governance area's periodic work: last month's indicator snapshot when it is missing, the
 * alert checks, and webhook deliveries — jobs of the installation's scheduler (system/jobs.ts), so
 * each runs once per period across all processes.
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
import type { Job } from '../system/jobs.ts';

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

export function governanceJobs(knex: Knex, config: Config, log: Logger): Job[] {
  const webhook = webhookSettings(config);
  return [
    {
      name: 'indicators.snapshot',
      everyMs: SNAPSHOT_CHECK_MS,
      run: async () => {
        const month = await ensureLastMonth(knex, now(), loadSettings(config.homeDir).graceDays);
        if (month) log.info({ month }, 'indicator snapshot computed');
      },
    },
    {
      name: 'alerts.check',
      everyMs: config.alertIntervalMs,
      run: async () => {
        const raised = await runAlertChecks(knex, config);
        if (raised.length) log.info({ alerts: raised }, 'alerts raised');
      },
    },
    ...(webhook ? [{ name: 'webhooks.deliver', everyMs: Math.min(config.alertWebhookBackoffMs, config.alertIntervalMs), run: () => deliverDue(knex, webhook) }] : []),
  ];
}
