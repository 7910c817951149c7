/**
 * Raising alerts, reading them, and the authority's actions on them (acknowledge, suspend the
 * grant a leak-watch alert names). Raising is a command: each new alert is an audit event.
 */
import type { Knex } from 'knex';
import type { z } from 'zod';
import { runCommand, type CommandContext, type CommandOrigin } from '../../audit/command.ts';
import type { Scoping } from '../../http/route.ts';
import { notFound, stateConflict, text } from '../../http/errors.ts';
import { decodeCursor, pageById } from '../../lib/cursor.ts';
import { whereInScope } from '../../policies/access.ts';
import { grantStepper } from '../../sharing/grants.ts';
import { now } from '../../sharing/clock.ts';
import type { Candidate } from './checks.ts';
import type { AlertQuery, AlertRecord } from './schema.ts';

export const ALERT_ACTOR: CommandOrigin = { actor: { kind: 'system', label: 'system:alerts' } };

/** Stores the candidates not raised before (by key); returns the new alerts' ids. */
export async function raiseAlerts(knex: Knex, found: Candidate[], at: Date, webhook: boolean): Promise<number[]> {
  if (!found.length) return [];
  const known = new Set((await knex('odx.alerts').whereIn('key', found.map((c) => c.key)).select('key')).map((r) => r.key as string));
  const fresh = found.filter((c) => !known.has(c.key));
  if (!fresh.length) return [];
  return runCommand(knex, ALERT_ACTOR, async (ctx) => {
    const rows = await ctx.trx('odx.alerts')
      .insert(
        fresh.map((c) => ({
          kind: c.kind,
          key: c.key,
          department_id: c.departmentId,
          target_type: c.targetType,
          target_id: c.targetId,
          detail: JSON.stringify(c.detail),
          raised_at: at,
          webhook_state: webhook ? 'pending' : 'none',
          webhook_next_at: webhook ? at : null,
        })),
      )
      .onConflict('key')
      .ignore()
      .returning(['id', 'kind', 'department_id', 'target_type', 'target_id']);
    for (const r of rows) ctx.audit({ action: 'alert.raise', departmentId: r.department_id, targetType: 'alert', targetId: r.id, detail: { kind: r.kind, target: `${r.target_type}:${r.target_id}` } });
    // a command must record an event; when another process raised them all first there is nothing to record
    if (!rows.length) ctx.audit({ action: 'alert.check', detail: { raised: 0 } });
    return rows.map((r) => Number(r.id));
  });
}

export function presentAlert(r: Record<string, any>): z.output<typeof AlertRecord> {
  return {
    id: Number(r.id),
    kind: r.kind,
    departmentId: r.department_id === null ? null : Number(r.department_id),
    target: { type: r.target_type, id: r.target_id },
    detail: r.detail,
    raisedAt: r.raised_at,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by === null ? null : Number(r.acknowledged_by),
    webhook: { state: r.webhook_state, attempts: r.webhook_attempts },
  };
}

export async function listAlerts(knex: Knex, query: AlertQuery, scoping: Scoping) {
  const q = whereInScope(knex('odx.alerts as a').select('a.*').orderBy('a.id', 'desc').limit(query.limit + 1), scoping, { department: 'a.department_id' });
  if (query.kind) q.whereIn('a.kind', query.kind);
  if (query.acknowledged === true) q.whereNotNull('a.acknowledged_at');
  if (query.acknowledged === false) q.whereNull('a.acknowledged_at');
  if (query.cursor) q.where('a.id', '<', decodeCursor(query.cursor, ['number'])[0] as number);
  return pageById(await q, query.limit, presentAlert);
}

export async function alertView(knex: Knex, id: number) {
  const row = await knex('odx.alerts').where({ id }).first();
  if (!row) throw notFound(text(`提醒 ${id}`, `alert ${id}`));
  const deliveries = await knex('odx.webhook_deliveries').where({ alert_id: id }).orderBy('id').select('attempt', 'at', 'url', 'status', 'error', 'duration_ms');
  return { ...presentAlert(row), deliveries: deliveries.map((d) => ({ attempt: d.attempt, at: d.at, url: d.url, status: d.status, error: d.error, durationMs: d.duration_ms })) };
}

export async function alertAcknowledger(ctx: CommandContext, id: number): Promise<void> {
  const row = await ctx.trx('odx.alerts').where({ id }).forUpdate().first('id', 'department_id', 'acknowledged_at');
  if (!row) throw notFound(text(`提醒 ${id}`, `alert ${id}`));
  if (row.acknowledged_at) throw stateConflict(text(`提醒 ${id} 已确认过`, `alert ${id} was acknowledged already`));
  await ctx.trx('odx.alerts').where({ id }).update({ acknowledged_at: now(), acknowledged_by: ctx.actor.id ?? null });
  ctx.audit({ action: 'alert.acknowledge', departmentId: row.department_id, targetType: 'alert', targetId: id });
}

/** The authority suspends the grant a leak-watch alert names, and the alert is acknowledged with it. */
export async function grantSuspenderFromAlert(ctx: CommandContext, id: number, reason: string, by: { departmentId: number | null }): Promise<void> {
  const row = await ctx.trx('odx.alerts').where({ id }).forUpdate().first();
  if (!row) throw notFound(text(`提醒 ${id}`, `alert ${id}`));
  if (row.kind !== 'leak_watch' || row.target_type !== 'grant') throw stateConflict(text(`提醒 ${id} 不涉及授权；只有针对授权的异常读取提醒可以暂停授权`, `alert ${id} does not name a grant; only a leak-watch alert on a grant suspends one`), { kind: row.kind });
  await grantStepper(ctx, Number(row.target_id), 'suspend', reason, by);
  if (!row.acknowledged_at) await ctx.trx('odx.alerts').where({ id }).update({ acknowledged_at: now(), acknowledged_by: ctx.actor.id ?? null });
  ctx.audit({ action: 'alert.suspend_grant', departmentId: row.department_id, targetType: 'alert', targetId: id, detail: { grant: Number(row.target_id) } });
}
