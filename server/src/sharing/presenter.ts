import type { Knex } from 'knex';
import type { z } from 'zod';
import type { ShareRequestRecord, ShareRequestStep } from './schema.ts';
import { now, workCalendar } from './clock.ts';
import { WAITS_FOR, type State } from './states.ts';

/**
 * Working days left until a deadline, counted as the limit is (today not counted): the day a
 * request arrives shows its whole limit, the deadline's own day 0, and past the deadline minus the
 * working days since it. The browser shows this as it is; it has no calendar.
 */
export function daysLeft(due: Date, at: Date): number {
  // the deadline is 24:00 of its last day, so that day is the instant before it
  return workCalendar().workdaysBetween(at, new Date(due.getTime() - 1));
}

/** A share request as its consumer, its provider and the authority see it; `overdue` is the deadline of the current waiting state passed. */
export function presentRequest(r: Record<string, any>, at: Date = now()): z.output<typeof ShareRequestRecord> {
  const due: Date | null = r.due_at ? new Date(r.due_at) : null;
  return {
    id: r.id,
    state: r.state as State,
    waitingFor: WAITS_FOR[r.state as State] ?? null,
    shareType: r.share_type,
    accessMode: r.access_mode,
    resource: { id: r.resource_id, code: r.resource_code, name: r.resource_name ?? null },
    consumerDepartmentId: r.consumer_department_id,
    providerDepartmentId: r.provider_department_id,
    demandId: r.demand_id,
    consumerSystemId: r.consumer_system_id,
    requestedBy: r.requested_by,
    request: r.doc,
    dataOnPlatform: r.data_on_platform,
    submittedAt: r.submitted_at,
    stageStartedAt: r.stage_started_at,
    limitDays: r.limit_days,
    dueAt: due,
    overdue: due !== null && at.getTime() >= due.getTime(),
    daysLeft: due === null ? null : daysLeft(due, at),
    reason: r.reason,
    dispute: r.disputed_at ? { reason: r.dispute_reason, legalBasis: r.dispute_basis, at: r.disputed_at } : null,
    grantId: r.grant_id,
    checkedAt: r.checked_at,
    decidedAt: r.decided_at,
    closedAt: r.closed_at,
  };
}

export async function stepsOf(knex: Knex, requestId: number): Promise<z.output<typeof ShareRequestStep>[]> {
  const rows = await knex('odx.share_request_steps').where({ request_id: requestId }).orderBy('id');
  return rows.map((s: Record<string, any>) => ({
    step: s.step,
    from: s.from_state,
    to: s.to_state,
    at: s.at,
    by: s.actor,
    byId: s.actor_id,
    automatic: s.automatic,
    note: s.note,
    dueAt: s.due_at,
    late: s.late,
    detail: s.detail,
  }));
}
