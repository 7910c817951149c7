/**
 * Reads of error reports. A report's text (row key, item, description, evidence) may quote a value
 * of the data, so a report is shown only to its reporter (the account, or the reporting department's
 * staff), the providing department, the authority and administrators (policies/value-outputs.ts).
 */
import type { Knex } from 'knex';
import type { z } from 'zod';
import type { Scoping } from '../../http/route.ts';
import { decodeCursor, pageById } from '../../lib/cursor.ts';
import { whereInScope } from '../../policies/access.ts';
import { now } from '../../sharing/clock.ts';
import type { ErrorReportQuery, ErrorReportRecord } from './schema.ts';

export function presentErrorReport(r: Record<string, any>, at: Date = now()): z.output<typeof ErrorReportRecord> {
  const due = new Date(r.due_at);
  return {
    id: Number(r.id),
    state: r.state,
    resource: { id: Number(r.resource_id), code: r.resource_code, name: r.resource_name ?? null },
    providerDepartmentId: Number(r.provider_department_id),
    reporterId: r.reporter_id === null ? null : Number(r.reporter_id),
    reporterDepartmentId: r.reporter_department_id === null ? null : Number(r.reporter_department_id),
    channel: r.channel,
    rowKey: r.row_key,
    item: r.item,
    description: r.description,
    evidence: r.evidence,
    limitDays: r.limit_days,
    dueAt: due,
    overdue: r.state === 'open' && at.getTime() >= due.getTime(),
    createdAt: r.created_at,
    answeredAt: r.answered_at,
    late: r.late,
    answer: r.answer,
    fixedLoadId: r.fixed_load_id === null ? null : Number(r.fixed_load_id),
    fixedAt: r.fixed_at,
  };
}

const reportQuery = (knex: Knex) => knex('odx.error_reports as e').join('odx.resources as r', 'r.id', 'e.resource_id').select('e.*', 'r.name as resource_name');

export async function errorReportView(knex: Knex, id: number) {
  return presentErrorReport(await reportQuery(knex).where('e.id', id).first());
}

/** Reports newest first: department staff see their department's as provider and as reporter, developers their own, the authority all. */
export async function listErrorReports(knex: Knex, query: ErrorReportQuery, scoping: Scoping) {
  const at = now();
  const department = query.role === 'provider' ? ['e.provider_department_id'] : query.role === 'reporter' ? ['e.reporter_department_id'] : ['e.provider_department_id', 'e.reporter_department_id'];
  const q = whereInScope(reportQuery(knex).orderBy('e.id', 'desc').limit(query.limit + 1), scoping, { department, principal: 'e.reporter_id' });
  if (query.state) q.whereIn('e.state', query.state);
  if (query.overdue === true) q.where('e.state', 'open').where('e.due_at', '<=', at);
  if (query.overdue === false) q.where((w) => w.whereNot('e.state', 'open').orWhere('e.due_at', '>', at));
  if (query.resource) q.where('e.resource_code', query.resource);
  if (query.cursor) q.where('e.id', '<', decodeCursor(query.cursor, ['number'])[0] as number);
  return pageById(await q, query.limit, (r: Record<string, any>) => presentErrorReport(r, at));
}
