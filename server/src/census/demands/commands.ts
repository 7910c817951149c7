import type { CommandContext } from '../../audit/command.ts';
import { stateConflict, text, unprocessable } from '../../http/errors.ts';
import { lockDocument } from '../documents/commands.ts';
import { recordStep } from '../documents/history.ts';

/** Links a demand to a published resource that answers it; an open demand becomes matched. */
export async function demandLinker(ctx: CommandContext, demandId: number, resourceId: number) {
  const demand = await lockDocument(ctx, 'demand', demandId);
  if (['fulfilled', 'unfulfillable'].includes(demand.status)) throw stateConflict(text(`状态为 ${demand.status} 的需求不能再关联资源`, `a ${demand.status} demand takes no more links`));
  const resource = await ctx.trx('odx.resources').where({ id: resourceId }).whereNotNull('published_doc').whereNull('retired_at').first('id');
  if (!resource) throw unprocessable(text(`数据资源 ${resourceId} 不是已发布的目录条目`, `resource ${resourceId} is not a published catalogue entry`), [{ path: '/resourceId', message: text('未发布', 'not published') }]);
  await ctx.trx('odx.demand_links').insert({ demand_id: demandId, resource_id: resourceId, linked_by: ctx.actor.id ?? null }).onConflict(['demand_id', 'resource_id']).ignore();
  const status = demand.status === 'open' ? 'matched' : demand.status;
  const [row] = await ctx.trx('odx.demands')
    .where({ id: demandId })
    .update({ status, ...(demand.status === 'open' ? { matched_at: ctx.trx.fn.now() } : {}), updated_at: ctx.trx.fn.now() })
    .returning('*');
  await recordStep(ctx, 'demand', demandId, demand.department_id, { version: demand.version, action: 'link', status, note: `resource ${resourceId}` });
  return row;
}

/** Closes a demand that nothing here can answer; the reason is required and kept. */
export async function demandCloser(ctx: CommandContext, demandId: number, reason: string) {
  const demand = await lockDocument(ctx, 'demand', demandId);
  if (!['open', 'matched'].includes(demand.status)) throw stateConflict(text(`状态为 ${demand.status} 的需求不能标记为无法满足`, `a ${demand.status} demand cannot be marked unfulfillable`));
  const [row] = await ctx.trx('odx.demands')
    .where({ id: demandId })
    .update({ status: 'unfulfillable', reason, unfulfillable_at: ctx.trx.fn.now(), updated_at: ctx.trx.fn.now() })
    .returning('*');
  await recordStep(ctx, 'demand', demandId, demand.department_id, { version: demand.version, action: 'unfulfillable', status: 'unfulfillable', note: reason });
  return row;
}

/** What happened to a share request answering a demand. */
export type DemandShareEvent = 'request' | 'grant' | 'refuse' | 'dispute' | 'deny' | 'reject' | 'withdraw';

/**
 * Closes the loop between a demand and the share request made from it: a request moves the
 * demand to `requested` (linking it to the requested resource), a grant to `fulfilled`.
 * Refusals and disputes are noted on the demand's history; when a request ends without a grant
 * (`deny`, `reject`, `withdraw`) and no other request answers the demand, it goes back to `matched`.
 */
export async function demandShareStep(
  ctx: CommandContext,
  demandId: number,
  event: DemandShareEvent,
  opts: { at: Date; note: string; resourceId?: number; stillAnswered?: boolean },
) {
  const demand = await lockDocument(ctx, 'demand', demandId);
  let status: string = demand.status;
  const change: Record<string, unknown> = {};
  if (event === 'request') {
    if (['fulfilled', 'unfulfillable'].includes(status)) throw stateConflict(text(`需求 ${demandId} 的状态为 ${status}，共享申请不能再回应它`, `demand ${demandId} is ${status}; a share request can no longer answer it`));
    if (opts.resourceId !== undefined) {
      await ctx.trx('odx.demand_links').insert({ demand_id: demandId, resource_id: opts.resourceId, linked_by: ctx.actor.id ?? null }).onConflict(['demand_id', 'resource_id']).ignore();
    }
    if (status !== 'requested') {
      status = 'requested';
      change.requested_at = opts.at;
      if (!demand.matched_at) change.matched_at = opts.at;
    }
  } else if (event === 'grant') {
    if (['open', 'matched', 'requested'].includes(status)) {
      status = 'fulfilled';
      change.fulfilled_at = opts.at;
    }
  } else if (['deny', 'reject', 'withdraw'].includes(event) && status === 'requested' && !opts.stillAnswered) {
    status = 'matched';
  }
  const [row] = await ctx.trx('odx.demands')
    .where({ id: demandId })
    .update({ status, ...change, updated_at: ctx.trx.fn.now() })
    .returning('*');
  await recordStep(ctx, 'demand', demandId, demand.department_id, { version: demand.version, action: `share_${event}`, status, note: opts.note });
  return row;
}
