/**
 * Applications for conditionally open data (有条件开放): a developer applies, the providing
 * department's officer approves (possibly narrowed) or refuses within a working-day limit. An
 * approval makes a grant held by the developer's account through the sharing area's grant code
 * (sharing/grants.ts, grant-terms.ts), so the developer's reads are enforced as every grant's.
 * docs/open-data-applications.md.
 */
import type { CommandContext } from '../../audit/command.ts';
import { invalidDocument } from '../../census/documents/validate.ts';
import { notFound, stateConflict, text } from '../../http/errors.ts';
import { unmaskedPersonalItems, type MaskRules } from '../../data/masking.ts';
import type { ItemLike } from '../../data/items.ts';
import { validateDocument, type DataResource, type OpenApplication, type ResourceItem } from '../../schemas/validator.ts';
import { now, workCalendar } from '../../sharing/clock.ts';
import { decidedTerms, narrowed, periodEnd } from '../../sharing/grant-terms.ts';
import { grantCreator } from '../../sharing/grants.ts';
import type { ApplicationApproveBody, ApplicationState } from './schema.ts';

export type ApplicationRow = Record<string, any> & {
  id: number;
  developer_id: number;
  resource_id: number;
  resource_code: string;
  provider_department_id: number;
  doc: OpenApplication;
  access_mode: 'query' | 'download';
  state: ApplicationState;
  due_at: Date | null;
};

/** What the workflow needs from the configuration. */
export interface ApplicationPolicy {
  /** Working days the providing department has to answer. */
  limitDays: number;
  /** Calls per minute of a grant when the application gave no rate. */
  defaultRate: number;
  maskRules: Readonly<MaskRules>;
}

const problem = (path: string, message: string, messageZh: string) => invalidDocument([{ path, message, messageZh }]);

/**
 * The items of a conditionally open resource an application may ask for: not 不予开放 on their own,
 * and no personal item without a mask (personal data is never opened).
 */
export function applicableItems(doc: Pick<DataResource, 'openType' | 'items'>, rules: Readonly<MaskRules>): ResourceItem[] {
  const unmasked = new Set(unmaskedPersonalItems(doc.items as readonly ItemLike[], rules).map((i) => i.name));
  return doc.items.filter((i) => (i.openType ?? doc.openType) !== 'closed' && !unmasked.has(i.name));
}

/** Submits an application: schema-validated, checked against the dataset it names, waiting for the provider with its deadline. */
export async function applicationCreator(ctx: CommandContext, policy: ApplicationPolicy, developerId: number, input: unknown): Promise<ApplicationRow> {
  const v = validateDocument('open-application', input);
  if (!v.ok) throw invalidDocument(v.violations);
  const doc = v.value;
  // the resource row lock orders concurrent applications for it, so the one-waiting-application check holds
  const resource = await ctx.trx('odx.resources').where({ code: doc.resourceCode }).forNoKeyUpdate().first();
  if (!resource?.published_doc || resource.retired_at) {
    throw problem('/resourceCode', `no published dataset has the code ${doc.resourceCode}`, `没有信息资源代码为 ${doc.resourceCode} 的已发布数据资源`);
  }
  const published = resource.published_doc as DataResource;
  if (published.openType !== 'conditional') {
    const [en, zh] =
      published.openType === 'open'
        ? [`dataset ${doc.resourceCode} is open to everyone (无条件开放): read it at /api/v1/datasets/${encodeURIComponent(doc.resourceCode)}/rows without applying`, `数据资源 ${doc.resourceCode} 为无条件开放，无须申请即可使用`]
        : [`dataset ${doc.resourceCode} is not open (不予开放); only 有条件开放 datasets take applications`, `数据资源 ${doc.resourceCode} 不予开放，只有有条件开放的数据可以申请`];
    throw problem('/resourceCode', en, zh);
  }
  const allowed = new Set(applicableItems(published, policy.maskRules).map((i) => i.name));
  const known = new Set(published.items.map((i) => i.name));
  const unknown = doc.items.filter((n) => !known.has(n));
  if (unknown.length) throw problem('/items', `not items of dataset ${doc.resourceCode}: ${unknown.join(', ')}`, `数据资源 ${doc.resourceCode} 没有这些信息项：${unknown.join('、')}`);
  const closed = doc.items.filter((n) => !allowed.has(n));
  if (closed.length) throw problem('/items', `not open to applications (不予开放 or personal): ${closed.join(', ')}`, `这些信息项不予开放：${closed.join('、')}`);
  const at = now();
  const end = periodEnd(doc.period, at);
  if (end && end.getTime() <= at.getTime()) throw problem('/period/until', `the period of use ends on ${doc.period.until}, which has passed`, '截止日期已过');

  const waiting = await ctx.trx('odx.open_applications').where({ developer_id: developerId, resource_id: resource.id, state: 'provider_review' }).first('id');
  if (waiting) {
    throw stateConflict(text(`您对数据集 ${doc.resourceCode} 的开放申请 ${waiting.id} 仍在等待答复；如需重新申请，请先撤回`, `your application ${waiting.id} for dataset ${doc.resourceCode} still waits for an answer; withdraw it before applying again`), { application: waiting.id });
  }
  const due = workCalendar().addWorkdays(at, policy.limitDays);
  const [row] = await ctx.trx('odx.open_applications')
    .insert({
      developer_id: developerId,
      resource_id: resource.id,
      resource_code: resource.code,
      provider_department_id: resource.department_id,
      doc: JSON.stringify(doc),
      access_mode: doc.accessMode,
      state: 'provider_review',
      limit_days: policy.limitDays,
      due_at: due,
      submitted_at: at,
      created_at: at,
      updated_at: at,
    })
    .returning('*');
  ctx.audit({
    action: 'open_application.submit',
    departmentId: resource.department_id,
    targetType: 'open_application',
    targetId: row.id,
    detail: {
      resource: resource.code,
      developer: developerId,
      items: doc.items,
      accessMode: doc.accessMode,
      organisation: doc.organisation.name,
      ...(doc.organisation.uscc ? { uscc: doc.organisation.uscc } : {}),
      dueAt: due.toISOString(),
      limitDays: policy.limitDays,
    },
  });
  return row;
}

async function lockWaiting(ctx: CommandContext, id: number, step: string): Promise<ApplicationRow> {
  const row: ApplicationRow | undefined = await ctx.trx('odx.open_applications').where({ id }).forUpdate().first();
  if (!row) throw notFound(text(`开放申请 ${id}`, `open-data application ${id}`));
  if (row.state !== 'provider_review') throw stateConflict(text(`开放申请 ${id} 的状态为 ${row.state}；只有等待答复的申请才能${step}`, `open-data application ${id} is '${row.state}'; ${step} needs it to be 'provider_review'`), { state: row.state, allowedFrom: ['provider_review'] });
  return row;
}

/** Whether an answer comes at or after the deadline. */
const isLate = (row: ApplicationRow, at: Date) => row.due_at !== null && at.getTime() >= new Date(row.due_at).getTime();

/** The provider's officer approves, possibly narrowed; the grant is held by the developer's account. */
export async function applicationApprover(ctx: CommandContext, policy: ApplicationPolicy, id: number, body: ApplicationApproveBody, officerId: number | null): Promise<ApplicationRow> {
  const row = await lockWaiting(ctx, id, 'approve');
  const terms = await decidedTerms(ctx, policy.defaultRate, row, body, false);
  const grant = await grantCreator(
    ctx,
    { id: row.id, kind: 'application', consumer_department_id: null, developer_id: row.developer_id, provider_department_id: row.provider_department_id, resource_id: row.resource_id, resource_code: row.resource_code, access_mode: row.access_mode },
    terms,
    'provider',
  );
  const at = now();
  const late = isLate(row, at);
  const [updated] = await ctx.trx('odx.open_applications')
    .where({ id })
    .update({ state: 'granted', grant_id: grant.id, due_at: null, decided_at: at, decided_by: officerId, late, note: body.note ?? null, updated_at: at })
    .returning('*');
  ctx.audit({
    action: 'open_application.approve',
    departmentId: row.provider_department_id,
    targetType: 'open_application',
    targetId: id,
    detail: { resource: row.resource_code, developer: row.developer_id, grant: grant.id, ...narrowed(row, terms), ...(late ? { late: true } : {}), ...(body.note ? { note: body.note } : {}) },
  });
  return updated;
}

/** The provider's officer refuses, with the reason the developer sees. */
export async function applicationRefuser(ctx: CommandContext, id: number, reason: string, officerId: number | null): Promise<ApplicationRow> {
  const row = await lockWaiting(ctx, id, 'refuse');
  const at = now();
  const late = isLate(row, at);
  const [updated] = await ctx.trx('odx.open_applications')
    .where({ id })
    .update({ state: 'refused', reason, due_at: null, decided_at: at, decided_by: officerId, late, updated_at: at })
    .returning('*');
  ctx.audit({
    action: 'open_application.refuse',
    departmentId: row.provider_department_id,
    targetType: 'open_application',
    targetId: id,
    detail: { resource: row.resource_code, developer: row.developer_id, reason, ...(late ? { late: true } : {}) },
  });
  return updated;
}

/** The developer withdraws an application not yet answered. */
export async function applicationWithdrawer(ctx: CommandContext, id: number, note: string | undefined): Promise<ApplicationRow> {
  const row = await lockWaiting(ctx, id, 'withdraw');
  const at = now();
  const [updated] = await ctx.trx('odx.open_applications').where({ id }).update({ state: 'withdrawn', due_at: null, note: note ?? null, updated_at: at }).returning('*');
  ctx.audit({
    action: 'open_application.withdraw',
    departmentId: row.provider_department_id,
    targetType: 'open_application',
    targetId: id,
    detail: { resource: row.resource_code, developer: row.developer_id, ...(note ? { note } : {}) },
  });
  return updated;
}
