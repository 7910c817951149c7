/**
 * Error reports (校核纠错, docs/error-reports.md): anyone who may read a dataset reports an error;
 * the providing department's officer answers within a working-day limit — accepted (fixed by a
 * later load, linked to it) or rejected with a reason. Each step is a command with its audit
 * event; the deadline comes from the sharing workflow's working-day calendar.
 */
import type { Knex } from 'knex';
import type { CommandContext } from '../../audit/command.ts';
import type { Principal } from '../../auth/roles.ts';
import { notFound, stateConflict, unprocessable, text } from '../../http/errors.ts';
import { datasetReach } from '../../policies/dataset-reach.ts';
import { now, workCalendar } from '../../sharing/clock.ts';
import type { ErrorReportBody } from './schema.ts';

export type ErrorReportRow = Record<string, any> & { id: number; state: string; resource_id: number; provider_department_id: number; due_at: Date };

/** Files a report: the caller must reach the dataset; the deadline is `limitDays` working days after today. */
export async function errorReportCreator(ctx: CommandContext, principal: Principal, body: ErrorReportBody, limitDays: number): Promise<ErrorReportRow> {
  const at = now();
  const { resource, channel } = await datasetReach(ctx.trx, principal, body.resource, at);
  if (body.item) {
    const doc = (await ctx.trx('odx.resources').where({ id: resource.id }).first('published_doc')).published_doc;
    const names = ((doc?.items ?? []) as { name: string }[]).map((i) => i.name);
    if (!names.includes(body.item)) throw unprocessable(text(`数据资源 ${resource.code} 没有信息项 ${body.item}`, `resource ${resource.code} has no item '${body.item}'`), { items: names });
  }
  const [row] = await ctx.trx('odx.error_reports')
    .insert({
      resource_id: resource.id,
      resource_code: resource.code,
      provider_department_id: resource.departmentId,
      reporter_id: principal.id,
      reporter_department_id: principal.departmentId,
      channel,
      row_key: body.rowKey ?? null,
      item: body.item ?? null,
      description: body.description,
      evidence: body.evidence ?? null,
      state: 'open',
      limit_days: limitDays,
      due_at: workCalendar().addWorkdays(at, limitDays),
      created_at: at,
    })
    .returning('*');
  // the event names the report, never its text: a row key or evidence may quote a value of the data
  ctx.audit({
    action: 'error_report.create',
    departmentId: resource.departmentId,
    targetType: 'error_report',
    targetId: row.id,
    detail: { resource: resource.code, channel, item: body.item ?? null, dueAt: new Date(row.due_at).toISOString() },
  });
  return row;
}

async function lockReport(ctx: CommandContext, id: number): Promise<ErrorReportRow> {
  const row = await ctx.trx('odx.error_reports').where({ id }).forUpdate().first();
  if (!row) throw notFound(text(`纠错 ${id}`, `error report ${id}`));
  return row;
}

/** A succeeded load of the report's resource that finished after the report was made. */
async function fixingLoad(trx: Knex.Transaction, report: ErrorReportRow, loadId: number): Promise<{ id: number; finished_at: Date }> {
  const load = await trx('odx.loads').where({ id: loadId }).first('id', 'resource_id', 'state', 'finished_at');
  if (!load || Number(load.resource_id) !== Number(report.resource_id)) throw unprocessable(text(`数据上传 ${loadId} 不属于数据资源 ${report.resource_code}`, `load ${loadId} is not a load of resource ${report.resource_code}`));
  if (load.state !== 'succeeded' || !load.finished_at || new Date(load.finished_at) <= new Date(report.created_at)) {
    throw unprocessable(text(`数据上传 ${loadId} 不是在纠错提出之后成功完成的`, `load ${loadId} did not succeed after the report was made`), { state: load.state });
  }
  return load;
}

/** The provider's answer: accept (optionally naming the load that fixed it) or reject with a reason. */
export async function errorReportAnswerer(ctx: CommandContext, id: number, answer: { decision: 'accept'; note?: string; loadId?: number } | { decision: 'reject'; reason: string }): Promise<ErrorReportRow> {
  const row = await lockReport(ctx, id);
  if (row.state !== 'open') throw stateConflict(text(`纠错 ${id} 的状态为 ${row.state}，已答复过`, `error report ${id} is '${row.state}'; it was answered already`), { state: row.state });
  const at = now();
  const late = at.getTime() >= new Date(row.due_at).getTime();
  const load = answer.decision === 'accept' && answer.loadId ? await fixingLoad(ctx.trx, row, answer.loadId) : null;
  const state = answer.decision === 'reject' ? 'rejected' : load ? 'fixed' : 'accepted';
  const [updated] = await ctx.trx('odx.error_reports')
    .where({ id })
    .update({
      state,
      answered_at: at,
      answered_by: ctx.actor.id ?? null,
      late,
      answer: answer.decision === 'reject' ? answer.reason : (answer.note ?? null),
      fixed_load_id: load?.id ?? null,
      fixed_at: load ? at : null,
    })
    .returning('*');
  ctx.audit({
    action: `error_report.${answer.decision}`,
    departmentId: row.provider_department_id,
    targetType: 'error_report',
    targetId: id,
    detail: { resource: row.resource_code, to: state, ...(late ? { late: true } : {}), ...(load ? { load: load.id } : {}) },
  });
  return updated;
}

/** Links an accepted report to the load that fixed it. */
export async function errorReportFixer(ctx: CommandContext, id: number, loadId: number): Promise<ErrorReportRow> {
  const row = await lockReport(ctx, id);
  if (row.state !== 'accepted') throw stateConflict(text(`纠错 ${id} 的状态为 ${row.state}；只有已采纳的纠错才能关联修正`, `error report ${id} is '${row.state}'; only an accepted report is linked to its fix`), { state: row.state });
  const load = await fixingLoad(ctx.trx, row, loadId);
  const [updated] = await ctx.trx('odx.error_reports').where({ id }).update({ state: 'fixed', fixed_load_id: load.id, fixed_at: now() }).returning('*');
  ctx.audit({ action: 'error_report.fixed', departmentId: row.provider_department_id, targetType: 'error_report', targetId: id, detail: { resource: row.resource_code, load: load.id } });
  return updated;
}
