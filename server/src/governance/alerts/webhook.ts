/**
 * Posting alerts to the configured webhook: each body is signed with HMAC-SHA256 over
 * `<timestamp>.<body>` (header `X-ODX-Signature: t=<unix seconds>,v1=<hex>`), so the receiver can
 * check it came from ODX and refuse replays of old ones; a failed attempt is retried after a wait
 * that grows fourfold each time, up to the configured number of attempts; every attempt is a row
 * of odx.webhook_deliveries. Several processes may deliver: an alert is claimed (its next attempt
 * moved past the lease) before it is posted.
 */
import { createHmac } from 'node:crypto';
import type { Knex } from 'knex';
import { presentAlert } from './alerts.ts';

export interface WebhookSettings {
  url: string;
  secret: string;
  attempts: number;
  backoffMs: number;
}

/** How long a claimed delivery is left to its claimant before another process may try it. */
const LEASE_MS = 60_000;
const TIMEOUT_MS = 10_000;

/** The signature header of a body sent at `t` (unix seconds). */
export function signature(secret: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** The wait after failed attempt `n` (1-based). */
export function backoff(settings: WebhookSettings, n: number): number {
  return settings.backoffMs * 4 ** (n - 1);
}

/** Posts every alert whose next attempt is due; returns how many attempts were made. */
export async function deliverDue(knex: Knex, settings: WebhookSettings, at: Date = new Date()): Promise<number> {
  const claimed: Record<string, any>[] = await knex.transaction(async (trx) => {
    const due = await trx('odx.alerts').where('webhook_state', 'pending').where('webhook_next_at', '<=', at).orderBy('id').limit(50).forUpdate().skipLocked().select('*');
    if (due.length) await trx('odx.alerts').whereIn('id', due.map((r) => r.id)).update({ webhook_next_at: new Date(at.getTime() + LEASE_MS) });
    return due;
  });
  for (const row of claimed) await attempt(knex, settings, row);
  return claimed.length;
}

async function attempt(knex: Knex, settings: WebhookSettings, row: Record<string, any>): Promise<void> {
  const n = row.webhook_attempts + 1;
  const body = JSON.stringify({ alert: presentAlert(row) });
  const started = Date.now();
  const t = Math.floor(started / 1000);
  let status: number | null = null;
  let error: string | null = null;
  try {
    const res = await fetch(settings.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'ODX-Alerts',
        'X-ODX-Event': `alert.${row.kind}`,
        'X-ODX-Delivery': `${row.id}-${n}`,
        'X-ODX-Signature': signature(settings.secret, t, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    status = res.status;
    await res.arrayBuffer().catch(() => undefined);
    if (status < 200 || status >= 300) error = `the receiver answered ${status}`;
  } catch (err) {
    error = (err as Error).message;
  }
  const at = new Date();
  const delivered = error === null;
  const out = delivered || n >= settings.attempts;
  await knex.transaction(async (trx) => {
    await trx('odx.webhook_deliveries').insert({ alert_id: row.id, attempt: n, url: settings.url, at, status, error, duration_ms: at.getTime() - started });
    await trx('odx.alerts')
      .where({ id: row.id })
      .update({ webhook_attempts: n, webhook_state: delivered ? 'delivered' : out ? 'failed' : 'pending', webhook_next_at: out ? null : new Date(at.getTime() + backoff(settings, n)) });
  });
}
