/**
 * Share requests: submission and every transition of the state machine (states.ts). Each
 * function runs inside a command (runCommand), locks the request, checks the state it starts
 * from, writes the step with its timestamp and records the audit event.
 */
import type { CommandContext } from '../audit/command.ts';
import { demandShareStep, type DemandShareEvent } from '../census/demands/commands.ts';
import { invalidDocument } from '../census/documents/validate.ts';
import type { Config } from '../config.ts';
import { forbidden, notFound, stateConflict, text, unprocessable } from '../http/errors.ts';
import { validateDocument, type ResourceItem, type ShareRequest } from '../schemas/validator.ts';
import { now, workCalendar } from './clock.ts';
import { decidedTerms, narrowed, periodEnd, requestedTerms } from './grant-terms.ts';
import { grantCreator, statusOf } from './grants.ts';
import type { ApproveBody, DecideBody } from './schema.ts';
import { FROM, WAITING, strictest, type ShareType, type State, type ShareStep } from './states.ts';

/** The time limits and defaults of the workflow (config.ts). */
export interface SharingPolicy {
  complianceDays: number;
  providerDays: number;
  providerDaysNoData: number;
  disputeDays: number;
  autoCompliance: boolean;
  defaultRate: number;
}

export function sharingPolicy(config: Config): SharingPolicy {
  return {
    complianceDays: config.shareComplianceDays,
    providerDays: config.shareProviderDays,
    providerDaysNoData: config.shareProviderDaysNoData,
    disputeDays: config.shareDisputeDays,
    autoCompliance: config.shareAutoCompliance,
    defaultRate: config.shareDefaultRate,
  };
}

export type RequestRow = Record<string, any> & {
  id: number;
  consumer_department_id: number;
  provider_department_id: number;
  resource_id: number;
  resource_code: string;
  demand_id: number | null;
  doc: ShareRequest;
  share_type: ShareType;
  access_mode: 'query' | 'download' | 'verify';
  state: State;
  due_at: Date | null;
};

const SHARE_LABEL: Record<ShareType, string> = { unconditional: '无条件共享', conditional: '有条件共享', none: '不予共享' };
const problem = (path: string, message: string, messageZh: string) => invalidDocument([{ path, message, messageZh }]);

/** Locks a share request for a transition; 404 when it does not exist. */
export async function lockRequest(ctx: CommandContext, id: number): Promise<RequestRow> {
  const row = await ctx.trx('odx.share_requests').where({ id }).forUpdate().first();
  if (!row) throw notFound(text(`共享申请 ${id}`, `share request ${id}`));
  return row;
}

function assertFrom(row: RequestRow, step: Exclude<ShareStep, 'submit'>): void {
  const from = FROM[step];
  if (!from.includes(row.state)) {
    const states = from.map((s) => `'${s}'`);
    throw stateConflict(text(`共享申请 ${row.id} 的状态为 '${row.state}'，${step} 要求其状态为 ${states.join(' 或 ')}`, `share request ${row.id} is '${row.state}'; ${step} needs it to be ${states.join(' or ')}`), {
      state: row.state,
      allowedFrom: from,
    });
  }
}

interface Move {
  automatic?: boolean;
  note?: string | null;
  /** Working days the new (waiting) state has. */
  limitDays?: number;
  set?: Record<string, unknown>;
  detail?: Record<string, unknown>;
  /** The department taking the step (for the audit event); the consumer's by default. */
  departmentId?: number;
}

/** Moves a request to a new state: timestamps, the deadline of a waiting state, the step record and the audit event. */
async function move(ctx: CommandContext, row: RequestRow, step: Exclude<ShareStep, 'submit'>, to: State, m: Move = {}): Promise<RequestRow> {
  const at = now();
  const waiting = WAITING.includes(to);
  if (waiting && m.limitDays === undefined) throw new Error(`a move to the waiting state ${to} needs its time limit`);
  const due = waiting ? workCalendar().addWorkdays(at, m.limitDays!) : null;
  const late = row.due_at ? at.getTime() >= new Date(row.due_at).getTime() : null;
  const [updated] = await ctx.trx('odx.share_requests')
    .where({ id: row.id })
    .update({ state: to, stage_started_at: at, limit_days: waiting ? m.limitDays : null, due_at: due, updated_at: at, ...(m.set ?? {}) })
    .returning('*');
  await ctx.trx('odx.share_request_steps').insert({
    request_id: row.id,
    step,
    from_state: row.state,
    to_state: to,
    at,
    actor: m.automatic ? 'system:auto-compliance' : ctx.actor.label,
    actor_id: m.automatic ? null : (ctx.actor.id ?? null),
    automatic: m.automatic ?? false,
    note: m.note ?? null,
    due_at: row.due_at,
    late,
    detail: JSON.stringify(m.detail ?? {}),
  });
  ctx.audit({
    action: `share_request.${step}`,
    departmentId: m.departmentId ?? row.consumer_department_id,
    targetType: 'share_request',
    targetId: row.id,
    detail: {
      from: row.state,
      to,
      resource: row.resource_code,
      consumer: row.consumer_department_id,
      provider: row.provider_department_id,
      ...(m.automatic ? { automatic: true } : {}),
      ...(late ? { late: true } : {}),
      ...(due ? { dueAt: due.toISOString() } : {}),
      ...(m.note ? { note: m.note } : {}),
      ...(m.detail ?? {}),
    },
  });
  return updated;
}

/** Moves the demand a request answers, if any. */
async function touchDemand(ctx: CommandContext, row: RequestRow, event: DemandShareEvent, note: string): Promise<void> {
  if (!row.demand_id) return;
  let stillAnswered = false;
  if (['deny', 'reject', 'withdraw'].includes(event)) {
    stillAnswered = !!(await ctx.trx('odx.share_requests')
      .where({ demand_id: row.demand_id })
      .whereNot({ id: row.id })
      .whereIn('state', [...WAITING, 'granted', 'refused'])
      .first('id'));
  }
  await demandShareStep(ctx, row.demand_id, event, { at: now(), note: `share request ${row.id}: ${note}`, resourceId: row.resource_id, stillAnswered });
}

export interface SubmitInput {
  consumerDepartmentId: number;
  requestedBy: number | null;
  doc: unknown;
  /** A 不予共享 resource is requested only as a dispute to the authority. */
  dispute?: boolean;
}

/**
 * Submits a share request: validated against the share-request schema and the resource it
 * names, stored as `submitted` with the compliance deadline; with the automatic compliance
 * check it moves on at once (an unconditional request comes back granted).
 */
export async function requestCreator(ctx: CommandContext, policy: SharingPolicy, input: SubmitInput): Promise<RequestRow> {
  const v = validateDocument('share-request', input.doc);
  if (!v.ok) throw invalidDocument(v.violations);
  const doc = v.value;
  const consumer = input.consumerDepartmentId;
  const at = now();

  // the resource row lock orders concurrent requests for it, so the one-waiting-request check below holds
  const resource = await ctx.trx('odx.resources').where({ code: doc.resourceCode }).forNoKeyUpdate().first();
  if (!resource || !resource.published_doc) {
    throw problem('/resourceCode', `no published resource has the code ${doc.resourceCode}`, `没有信息资源代码为 ${doc.resourceCode} 的已发布信息资源`);
  }
  if (resource.retired_at) throw problem('/resourceCode', `resource ${doc.resourceCode} was retired`, `信息资源 ${doc.resourceCode} 已下线`);
  if (resource.department_id === consumer) {
    throw problem('/resourceCode', `your department provides resource ${doc.resourceCode}; it needs no share request`, `信息资源 ${doc.resourceCode} 由本部门提供，无需申请共享`);
  }
  const published = resource.published_doc as { name: string; shareType: ShareType; shareCondition?: string; shareBasis?: string; items: ResourceItem[] };
  const byName = new Map(published.items.map((i) => [i.name, i]));
  const unknown = doc.items.filter((n) => !byName.has(n));
  if (unknown.length) {
    throw problem('/items', `not items of resource ${doc.resourceCode}: ${unknown.join(', ')}`, `信息资源 ${doc.resourceCode} 没有这些信息项：${unknown.join('、')}`);
  }
  const wanted = doc.items.map((n) => byName.get(n)!);
  const shareType = strictest([published.shareType, ...wanted.map((i) => (i.shareType ?? published.shareType) as ShareType)]);

  if (shareType === 'none' && !input.dispute) {
    const noneItems = wanted.filter((i) => i.shareType === 'none').map((i) => i.name);
    const what = published.shareType === 'none' ? `resource ${doc.resourceCode} is 不予共享` : `the items ${noneItems.join(', ')} are 不予共享`;
    const whatZh = published.shareType === 'none' ? `数据资源 ${doc.resourceCode} 不予共享` : `信息项 ${noneItems.join('、')} 不予共享`;
    throw unprocessable(
      text(
        `${whatZh}${published.shareBasis ? `（依据：${published.shareBasis}）` : ''}；只能以异议方式、附法律依据向数据主管部门申请：POST /api/v1/share-requests?dispute=true 并给出 legalBasis`,
        `${what}${published.shareBasis ? ` (basis: ${published.shareBasis})` : ''}; it can only be requested as a dispute to the data authority citing a legal basis: POST /api/v1/share-requests?dispute=true with legalBasis`,
      ),
      [{ path: '/resourceCode', message: `${what}; request it with dispute=true and a legalBasis`, messageZh: '不予共享的数据只能以异议方式、附法律依据向数据主管部门申请' }],
    );
  }
  if (input.dispute && shareType !== 'none') {
    throw unprocessable(
      text(
        `只有不予共享的数据才以异议方式申请；此申请为 ${shareType}（${SHARE_LABEL[shareType]}），请不带 dispute=true 提交`,
        `only 不予共享 data is requested as a dispute; this request is ${shareType} (${SHARE_LABEL[shareType]}): submit it without dispute=true`,
      ),
      [{ path: '/resourceCode', message: text(`此申请为 ${shareType}，不是 none`, `the request is ${shareType}, not none`) }],
    );
  }
  if (shareType !== 'unconditional' && !doc.legalBasis) {
    throw problem(
      '/legalBasis',
      `a legal basis (申请依据) is required: the request is ${shareType} (${SHARE_LABEL[shareType]})${published.shareCondition ? `; 共享条件: ${published.shareCondition}` : ''}`,
      `申请${SHARE_LABEL[shareType]}数据须填写申请依据`,
    );
  }
  const end = periodEnd(doc.period, at);
  if (end && end.getTime() <= at.getTime()) throw problem('/period/until', `the period of use ends on ${doc.period.until}, which has passed`, '截止日期已过');

  if (doc.demandId !== undefined) {
    const demand = await ctx.trx('odx.demands').where({ id: doc.demandId }).first('department_id', 'status');
    if (!demand) throw problem('/demandId', `no demand has the id ${doc.demandId}`, `需求 ${doc.demandId} 不存在`);
    if (demand.department_id !== consumer) throw forbidden(text(`数据需求 ${doc.demandId} 属于其他部门`, `demand ${doc.demandId} belongs to another department`));
    if (['fulfilled', 'unfulfillable'].includes(demand.status)) throw stateConflict(text(`需求 ${doc.demandId} 的状态为 ${demand.status}，共享申请不能再回应它`, `demand ${doc.demandId} is ${demand.status}; a share request can no longer answer it`));
  }
  if (doc.consumerSystem !== undefined) {
    const sys = await ctx.trx('odx.systems').where({ id: doc.consumerSystem }).first('department_id', 'status');
    if (!sys) throw problem('/consumerSystem', `no system has the id ${doc.consumerSystem}`, `系统 ${doc.consumerSystem} 不存在`);
    if (sys.department_id !== consumer) throw forbidden(text(`业务系统 ${doc.consumerSystem} 属于其他部门`, `system ${doc.consumerSystem} belongs to another department`));
    if (sys.status !== 'active') throw problem('/consumerSystem', `system ${doc.consumerSystem} is ${sys.status}`, `系统 ${doc.consumerSystem} 已停用`);
  }
  const suspended = await ctx.trx('odx.grants')
    .where({ consumer_department_id: consumer, resource_id: resource.id, mode: doc.accessMode, status: 'suspended' })
    .first('id', 'status', 'status_reason', 'ends_at');
  if (suspended && statusOf(suspended, at) !== 'expired') {
    throw stateConflict(
      text(
        `贵部门在数据资源 ${doc.resourceCode}（${doc.accessMode}）上的授权 ${suspended.id} 已暂停（${suspended.status_reason}），须先恢复或撤销才能再申请`,
        `your department's grant ${suspended.id} on resource ${doc.resourceCode} (${doc.accessMode}) is suspended (${suspended.status_reason}); it must be resumed or revoked before a new request`,
      ),
      {
      grant: suspended.id,
    });
  }
  const pending = await ctx.trx('odx.share_requests')
    .where({ consumer_department_id: consumer, resource_id: resource.id, access_mode: doc.accessMode })
    .whereIn('state', [...WAITING])
    .first('id', 'state');
  if (pending) {
    throw stateConflict(
      text(
        `数据资源 ${doc.resourceCode}（${doc.accessMode}）的共享申请 ${pending.id} 仍为 '${pending.state}'，请撤回或等待决定`,
        `share request ${pending.id} for resource ${doc.resourceCode} (${doc.accessMode}) is still '${pending.state}'; withdraw it or wait for its decision`,
      ),
      { request: pending.id },
    );
  }

  const insert = {
    consumer_department_id: consumer,
    provider_department_id: resource.department_id,
    resource_id: resource.id,
    resource_code: doc.resourceCode,
    demand_id: doc.demandId ?? null,
    consumer_system_id: doc.consumerSystem ?? null,
    requested_by: input.requestedBy,
    doc: JSON.stringify(doc),
    share_type: shareType,
    access_mode: doc.accessMode,
    data_on_platform: resource.current_version !== null,
    state: 'submitted',
    stage_started_at: at,
    limit_days: policy.complianceDays,
    due_at: workCalendar().addWorkdays(at, policy.complianceDays),
    submitted_at: at,
    created_at: at,
    updated_at: at,
  };
  let row: RequestRow = (await ctx.trx('odx.share_requests').insert(insert).returning('*'))[0];
  ctx.audit({
    action: 'share_request.submit',
    departmentId: consumer,
    targetType: 'share_request',
    targetId: row.id,
    detail: {
      to: 'submitted',
      resource: row.resource_code,
      consumer,
      provider: row.provider_department_id,
      shareType,
      mode: doc.accessMode,
      items: doc.items,
      dueAt: (row.due_at as Date).toISOString(),
      ...(input.dispute ? { dispute: true } : {}),
      ...(doc.demandId ? { demand: doc.demandId } : {}),
    },
  });
  await ctx.trx('odx.share_request_steps').insert({
    request_id: row.id,
    step: 'submit',
    from_state: null,
    to_state: 'submitted',
    at,
    actor: ctx.actor.label,
    actor_id: ctx.actor.id ?? null,
    note: input.dispute ? 'requested as a dispute (不予共享)' : null,
    detail: JSON.stringify({ shareType }),
  });
  await touchDemand(ctx, row, 'request', `submitted for ${row.resource_code}`);
  if (policy.autoCompliance) row = await compliancePasser(ctx, policy, row, { automatic: true });
  return row;
}

/** The compliance check passes: an unconditional request is granted at once, a conditional one goes to the provider, a dispute to the authority. */
export async function compliancePasser(ctx: CommandContext, policy: SharingPolicy, request: RequestRow | number, opts: { automatic?: boolean; note?: string } = {}): Promise<RequestRow> {
  const row = typeof request === 'number' ? await lockRequest(ctx, request) : request;
  assertFrom(row, 'check');
  const at = now();
  if (row.share_type === 'unconditional') {
    const grant = await grantCreator(ctx, row, await requestedTerms(ctx, policy.defaultRate, row), 'unconditional');
    const moved = await move(ctx, row, 'check', 'granted', {
      automatic: opts.automatic,
      note: opts.note,
      set: { checked_at: at, decided_at: at, grant_id: grant.id },
      detail: { grant: grant.id, realTime: opts.automatic === true },
    });
    await touchDemand(ctx, moved, 'grant', `granted (grant ${grant.id})`);
    return moved;
  }
  if (row.share_type === 'conditional') {
    const resource = await ctx.trx('odx.resources').where({ id: row.resource_id }).first('current_version');
    const onPlatform = resource.current_version !== null;
    return move(ctx, row, 'check', 'provider_review', {
      automatic: opts.automatic,
      note: opts.note,
      limitDays: onPlatform ? policy.providerDays : policy.providerDaysNoData,
      set: { checked_at: at, data_on_platform: onPlatform },
      detail: onPlatform ? {} : { dataOnPlatform: false },
    });
  }
  const moved = await move(ctx, row, 'check', 'disputed', {
    automatic: opts.automatic,
    note: opts.note,
    limitDays: policy.disputeDays,
    set: { checked_at: at, disputed_at: at, dispute_reason: row.doc.purpose, dispute_basis: row.doc.legalBasis },
    detail: { dispute: true },
  });
  await touchDemand(ctx, moved, 'dispute', `requested as a dispute (不予共享), basis: ${row.doc.legalBasis}`);
  return moved;
}

/** The authority finds the request non-compliant: final, with the reason. */
export async function complianceRejecter(ctx: CommandContext, id: number, reason: string): Promise<RequestRow> {
  const row = await lockRequest(ctx, id);
  assertFrom(row, 'reject');
  const at = now();
  const moved = await move(ctx, row, 'reject', 'rejected', { note: reason, set: { checked_at: at, reason, closed_at: at } });
  await touchDemand(ctx, moved, 'reject', `rejected by the compliance check: ${reason}`);
  return moved;
}

/** The provider's officer approves, possibly for fewer items, a shorter period, a lower rate, a row filter, some masked items raw. */
export async function requestApprover(ctx: CommandContext, policy: SharingPolicy, id: number, body: ApproveBody): Promise<RequestRow> {
  const row = await lockRequest(ctx, id);
  assertFrom(row, 'approve');
  const terms = await decidedTerms(ctx, policy.defaultRate, row, body, true);
  const grant = await grantCreator(ctx, row, terms, 'provider');
  const moved = await move(ctx, row, 'approve', 'granted', {
    note: body.note,
    departmentId: row.provider_department_id,
    set: { decided_at: now(), grant_id: grant.id },
    detail: { grant: grant.id, ...narrowed(row, terms) },
  });
  await touchDemand(ctx, moved, 'grant', `approved by the provider (grant ${grant.id})`);
  return moved;
}

/** The provider's officer refuses, with the reason; the consumer may dispute. */
export async function requestRefuser(ctx: CommandContext, id: number, reason: string): Promise<RequestRow> {
  const row = await lockRequest(ctx, id);
  assertFrom(row, 'refuse');
  const moved = await move(ctx, row, 'refuse', 'refused', { note: reason, departmentId: row.provider_department_id, set: { reason, decided_at: now() } });
  await touchDemand(ctx, moved, 'refuse', `refused by the provider: ${reason}`);
  return moved;
}

/** The consumer disputes a refusal before the data authority. */
export async function requestDisputer(ctx: CommandContext, policy: SharingPolicy, id: number, body: { reason: string; legalBasis?: string }): Promise<RequestRow> {
  const row = await lockRequest(ctx, id);
  assertFrom(row, 'dispute');
  const basis = body.legalBasis ?? row.doc.legalBasis ?? null;
  const moved = await move(ctx, row, 'dispute', 'disputed', {
    note: body.reason,
    limitDays: policy.disputeDays,
    set: { dispute_reason: body.reason, dispute_basis: basis, disputed_at: now() },
    detail: basis ? { legalBasis: basis } : {},
  });
  await touchDemand(ctx, moved, 'dispute', `disputed: ${body.reason}`);
  return moved;
}

/** The authority decides a dispute: a grant (never raw: only a provider approves raw values) or a final denial. */
export async function disputeDecider(ctx: CommandContext, policy: SharingPolicy, id: number, body: DecideBody): Promise<RequestRow> {
  const row = await lockRequest(ctx, id);
  if (body.decision === 'deny') {
    assertFrom(row, 'deny');
    const at = now();
    const moved = await move(ctx, row, 'deny', 'denied', { note: body.reason, set: { reason: body.reason, decided_at: at, closed_at: at } });
    await touchDemand(ctx, moved, 'deny', `dispute decided against: ${body.reason}`);
    return moved;
  }
  assertFrom(row, 'grant');
  const { decision: _d, reason: _r, ...terms } = body;
  const decided = await decidedTerms(ctx, policy.defaultRate, row, terms, false);
  const grant = await grantCreator(ctx, row, decided, 'authority');
  const moved = await move(ctx, row, 'grant', 'granted', {
    note: body.reason,
    set: { decided_at: now(), grant_id: grant.id },
    detail: { grant: grant.id, ...narrowed(row, decided) },
  });
  await touchDemand(ctx, moved, 'grant', `granted by the data authority on dispute (grant ${grant.id})`);
  return moved;
}

/** The consumer withdraws a request nobody has decided yet. */
export async function requestWithdrawer(ctx: CommandContext, id: number, note?: string): Promise<RequestRow> {
  const row = await lockRequest(ctx, id);
  assertFrom(row, 'withdraw');
  const moved = await move(ctx, row, 'withdraw', 'withdrawn', { note, set: { closed_at: now() } });
  await touchDemand(ctx, moved, 'withdraw', `withdrawn${note ? `: ${note}` : ''}`);
  return moved;
}
