/**
 * Grants: what a consumer department may read of a resource, decided on a share request.
 * A grant is in force while `active` and inside its period; the provider's officer or the
 * authority can suspend (and resume) or revoke it at once. One grant per consumer, resource
 * and mode is in force: a newer one supersedes it.
 */
import type { CommandContext } from '../audit/command.ts';
import { notFound, stateConflict, text } from '../http/errors.ts';
import { now } from './clock.ts';
import type { z } from 'zod';
import type { RowCondition } from '../data/row-conditions.ts';
import type { GrantRecord, Period } from './schema.ts';
import type { ShareRequest } from '../schemas/validator.ts';

export interface GrantTerms {
  items: string[];
  startsAt: Date;
  endsAt: Date | null;
  period: Period | ShareRequest['period'];
  rateLimit: number;
  rowFilter: RowCondition[];
  raw: string[];
}

export type GrantRow = Record<string, any> & {
  id: number;
  request_id: number | null;
  application_id: number | null;
  consumer_department_id: number | null;
  developer_id: number | null;
  provider_department_id: number;
  resource_id: number;
  mode: 'query' | 'download' | 'verify';
  items: string[];
  row_filter: RowCondition[];
  raw_items: string[];
  rate_limit: number;
  starts_at: Date;
  ends_at: Date | null;
  status: 'active' | 'suspended' | 'revoked' | 'superseded';
};

export type GrantStatus = GrantRow['status'] | 'expired';

/** The status a grant shows: `expired` once its period is over, whatever it was. */
export function statusOf(g: Pick<GrantRow, 'status' | 'ends_at'>, at: Date = now()): GrantStatus {
  if ((g.status === 'active' || g.status === 'suspended') && g.ends_at && new Date(g.ends_at).getTime() <= at.getTime()) return 'expired';
  return g.status;
}

/** What a grant is decided on: a share request (held by its consumer department) or an open-data application (held by its developer account). */
export interface GrantOrigin {
  id: number;
  /** `application`: an open-data application (odx.open_applications); otherwise a share request. */
  kind?: 'share_request' | 'application';
  consumer_department_id: number | null;
  developer_id?: number | null;
  provider_department_id: number;
  resource_id: number;
  resource_code: string;
  access_mode: GrantRow['mode'];
}

/** Creates the grant a decision makes; a grant in force for the same holder, resource and mode is superseded. */
export async function grantCreator(ctx: CommandContext, request: GrantOrigin, terms: GrantTerms, decidedBy: 'unconditional' | 'provider' | 'authority'): Promise<GrantRow> {
  const application = request.kind === 'application';
  const holder = application ? { developer_id: request.developer_id } : { consumer_department_id: request.consumer_department_id };
  const key = { ...holder, resource_id: request.resource_id, mode: request.access_mode };
  const origin = application ? `open-data application ${request.id}` : `share request ${request.id}`;
  const previous = await ctx.trx('odx.grants').where(key).whereIn('status', ['active', 'suspended']).forUpdate().first();
  if (previous?.status === 'suspended' && statusOf(previous) !== 'expired') {
    throw stateConflict(
      text(
        `数据资源 ${request.resource_code}（${request.access_mode}）上的授权 ${previous.id} 已暂停（${previous.status_reason}），须先恢复或撤销才能再授权`,
        `grant ${previous.id} on resource ${request.resource_code} (${request.access_mode}) is suspended (${previous.status_reason}); it must be resumed or revoked before a new grant`,
      ),
      {
      grant: previous.id,
    });
  }
  const at = now();
  if (previous) {
    await ctx.trx('odx.grants')
      .where({ id: previous.id })
      .update({ status: 'superseded', status_at: at, status_reason: `superseded by the grant on ${origin}` });
  }
  const [grant] = await ctx.trx('odx.grants')
    .insert({
      ...(application ? { application_id: request.id } : { request_id: request.id }),
      ...key,
      provider_department_id: request.provider_department_id,
      items: terms.items,
      row_filter: JSON.stringify(terms.rowFilter),
      raw_items: terms.raw,
      rate_limit: terms.rateLimit,
      starts_at: terms.startsAt,
      ends_at: terms.endsAt,
      decided_by: decidedBy,
      created_at: at,
    })
    .returning('*');
  ctx.audit({
    action: 'grant.create',
    departmentId: request.consumer_department_id ?? request.provider_department_id,
    targetType: 'grant',
    targetId: grant.id,
    detail: {
      ...(application ? { application: request.id, developer: request.developer_id } : { request: request.id, consumer: request.consumer_department_id }),
      resource: request.resource_code,
      provider: request.provider_department_id,
      mode: request.access_mode,
      items: terms.items,
      rowFilter: terms.rowFilter,
      raw: terms.raw,
      rateLimit: terms.rateLimit,
      startsAt: terms.startsAt.toISOString(),
      endsAt: terms.endsAt?.toISOString() ?? null,
      decidedBy,
    },
  });
  if (previous) {
    await ctx.trx('odx.grants').where({ id: previous.id }).update({ superseded_by: grant.id });
    ctx.audit({
      action: 'grant.supersede',
      departmentId: request.consumer_department_id ?? request.provider_department_id,
      targetType: 'grant',
      targetId: previous.id,
      detail: { by: grant.id, resource: request.resource_code, mode: request.access_mode },
    });
  }
  return grant;
}

export type GrantStep = 'suspend' | 'resume' | 'revoke';

const GRANT_FROM: Record<GrantStep, GrantRow['status'][]> = { suspend: ['active'], resume: ['suspended'], revoke: ['active', 'suspended'] };
const GRANT_TO: Record<GrantStep, GrantRow['status']> = { suspend: 'suspended', resume: 'active', revoke: 'revoked' };

/** Suspends, resumes or revokes a grant, at once: the next read checks it. */
export async function grantStepper(ctx: CommandContext, id: number, step: GrantStep, reason: string | undefined, by: { departmentId: number | null }): Promise<GrantRow> {
  const g: GrantRow | undefined = await ctx.trx('odx.grants').where({ id }).forUpdate().first();
  if (!g) throw notFound(text(`授权 ${id}`, `grant ${id}`));
  if (!GRANT_FROM[step].includes(g.status)) {
    const from = GRANT_FROM[step].map((s) => `'${s}'`);
    throw stateConflict(text(`授权 ${id} 的状态为 '${g.status}'，${step} 要求其状态为 ${from.join(' 或 ')}`, `grant ${id} is '${g.status}'; ${step} needs it to be ${from.join(' or ')}`), { status: g.status });
  }
  const at = now();
  if (step === 'suspend' && statusOf(g, at) === 'expired') {
    const ended = new Date(g.ends_at!).toISOString();
    throw stateConflict(text(`授权 ${id} 已于 ${ended} 到期，无可暂停`, `grant ${id} expired at ${ended}; there is nothing to suspend`));
  }
  const [row] = await ctx.trx('odx.grants')
    .where({ id })
    .update({ status: GRANT_TO[step], status_at: at, status_reason: reason ?? null })
    .returning('*');
  const code = (await ctx.trx('odx.resources').where({ id: g.resource_id }).first('code')).code;
  ctx.audit({
    action: `grant.${step}`,
    departmentId: by.departmentId ?? g.provider_department_id,
    targetType: 'grant',
    targetId: id,
    detail: {
      from: g.status,
      to: row.status,
      resource: code,
      ...(g.developer_id ? { developer: g.developer_id, application: g.application_id } : { consumer: g.consumer_department_id }),
      provider: g.provider_department_id,
      ...(reason ? { reason } : {}),
    },
  });
  return row;
}

/** A grant as its consumer, its provider and the authority see it. */
export function presentGrant(g: GrantRow & { resource_code?: string; resource_name?: string }, at: Date = now()): z.output<typeof GrantRecord> {
  const status = statusOf(g, at);
  return {
    id: g.id,
    requestId: g.request_id,
    applicationId: g.application_id ?? null,
    consumerDepartmentId: g.consumer_department_id,
    developerId: g.developer_id ?? null,
    providerDepartmentId: g.provider_department_id,
    resource: { id: g.resource_id, code: g.resource_code ?? null, name: g.resource_name ?? null },
    mode: g.mode,
    items: g.items,
    rowFilter: g.row_filter,
    raw: g.raw_items,
    rateLimit: g.rate_limit,
    startsAt: g.starts_at,
    endsAt: g.ends_at,
    status,
    live: status === 'active' && new Date(g.starts_at).getTime() <= at.getTime(),
    statusReason: g.status_reason,
    statusAt: g.status_at,
    supersededBy: g.superseded_by,
    decidedBy: g.decided_by,
    createdAt: g.created_at,
  };
}
