/**
 * The open-data applications' reads: the list (a developer's own, a provider department's, every
 * one for the authority), one application with its grant, and the conditionally open datasets
 * (有条件开放) whose metadata is public.
 */
import type { Knex } from 'knex';
import type { z } from 'zod';
import type { Scoping } from '../../http/route.ts';
import { notFound, text } from '../../http/errors.ts';
import { decodeCursor, pageById } from '../../lib/cursor.ts';
import { ruleFor, type MaskRules } from '../../data/masking.ts';
import { whereInScope } from '../../policies/access.ts';
import type { DataResource } from '../../schemas/validator.ts';
import { now } from '../../sharing/clock.ts';
import { presentGrant } from '../../sharing/grants.ts';
import { grantRow } from '../../sharing/queries.ts';
import { applicableItems } from './commands.ts';
import type { ApplicationListQuery, ConditionalDataset, OpenApplicationRecord } from './schema.ts';

function applicationQuery(knex: Knex) {
  return knex('odx.open_applications as a')
    .join('odx.resources as r', 'r.id', 'a.resource_id')
    .join('odx.departments as d', 'd.id', 'a.provider_department_id')
    .join('odx.principals as p', 'p.id', 'a.developer_id')
    .select('a.*', 'r.name as resource_name', 'd.name as provider_name', 'p.display_name as developer_name', 'p.email as developer_email');
}

/** An application as its developer, its provider and the authority see it; `overdue` is waiting past the deadline. */
export function presentApplication(a: Record<string, any>, at: Date = now()): z.output<typeof OpenApplicationRecord> {
  const due: Date | null = a.due_at ? new Date(a.due_at) : null;
  return {
    id: a.id,
    state: a.state,
    waitingFor: a.state === 'provider_review' ? 'provider' : null,
    accessMode: a.access_mode,
    resource: { id: a.resource_id, code: a.resource_code, name: a.resource_name ?? null },
    providerDepartment: { id: a.provider_department_id, name: a.provider_name ?? null },
    developer: { id: a.developer_id, displayName: a.developer_name ?? null, email: a.developer_email ?? null },
    application: a.doc,
    submittedAt: a.submitted_at,
    limitDays: a.limit_days,
    dueAt: due,
    overdue: due !== null && at.getTime() >= due.getTime(),
    reason: a.reason,
    note: a.note,
    decidedAt: a.decided_at,
    late: a.late,
    grantId: a.grant_id,
  };
}

/** Applications in the caller's reach, newest first: a developer's own, a department's as provider, all for the authority. */
export async function listApplications(knex: Knex, query: ApplicationListQuery, scoping: Scoping) {
  const at = now();
  const q = whereInScope(applicationQuery(knex).orderBy('a.id', 'desc').limit(query.limit + 1), scoping, { department: 'a.provider_department_id', principal: 'a.developer_id' });
  if (query.state) q.whereIn('a.state', query.state);
  if (query.overdue === true) q.where('a.due_at', '<=', at);
  if (query.overdue === false) q.where((w) => w.whereNull('a.due_at').orWhere('a.due_at', '>', at));
  if (query.resource) q.where('a.resource_id', query.resource);
  if (query.cursor) q.where('a.id', '<', decodeCursor(query.cursor, ['number'])[0] as number);
  return pageById(await q, query.limit, (r: Record<string, any>) => presentApplication(r, at));
}

/** The owner of an application for the gate: its provider department and its developer account. */
export async function applicationOwner(knex: Knex, id: number) {
  const row = await knex('odx.open_applications').where({ id }).first('provider_department_id', 'developer_id');
  if (!row) throw notFound(text(`开放申请 ${id}`, `open-data application ${id}`));
  return { departmentId: row.provider_department_id as number, principalId: row.developer_id as number };
}

/** One application with the grant its approval made. */
export async function applicationView(knex: Knex, id: number) {
  const row = await applicationQuery(knex).where('a.id', id).first();
  if (!row) throw notFound(text(`开放申请 ${id}`, `open-data application ${id}`));
  const grant = row.grant_id ? presentGrant(await grantRow(knex, row.grant_id)) : null;
  return { ...presentApplication(row), grant };
}

/** Published, not retired, 有条件开放. */
function conditionalQuery(knex: Knex) {
  return knex('odx.resources as r')
    .join('odx.departments as d', 'd.id', 'r.department_id')
    .whereNotNull('r.published_doc')
    .whereNull('r.retired_at')
    .where('r.open_type', 'conditional')
    .select('r.id', 'r.code', 'r.published_doc', 'r.published_at', 'r.current_version', 'd.id as dept_id', 'd.name as dept_name');
}

function presentConditional(r: Record<string, any>, rules: Readonly<MaskRules>, limitDays: number): z.output<typeof ConditionalDataset> {
  const doc = r.published_doc as DataResource;
  return {
    code: r.code,
    name: doc.name,
    description: doc.summary ?? null,
    openCondition: doc.openCondition ?? null,
    department: { id: Number(r.dept_id), name: r.dept_name },
    domain: doc.domain ?? null,
    updateCycle: doc.updateCycle ?? null,
    publishedAt: r.published_at,
    loaded: r.current_version !== null,
    // the metadata is public; the values are not, so nothing here comes from the data tables
    items: applicableItems(doc, rules).map((i) => {
      const rule = ruleFor(i, rules);
      return { name: i.name, label: i.label, type: i.type, description: i.description ?? null, masked: rule === undefined ? null : String(i.mask) };
    }),
    limitDays,
  };
}

export async function conditionalDatasets(knex: Knex, rules: Readonly<MaskRules>, limitDays: number) {
  const rows = await conditionalQuery(knex).orderBy('r.id');
  return { items: rows.map((r: Record<string, any>) => presentConditional(r, rules, limitDays)) };
}

export async function conditionalDataset(knex: Knex, code: string, rules: Readonly<MaskRules>, limitDays: number) {
  const row = await conditionalQuery(knex).where('r.code', code).first();
  if (!row) throw notFound(text(`有条件开放数据集 ${code}`, `conditionally open dataset ${code}`));
  return presentConditional(row, rules, limitDays);
}
