/**
 * What waits on a person (待办): each kind of work is a source that counts, for the caller, how many
 * items wait and how many of those are past their deadline. The console's bell and its inbox tabs
 * read these counts; a new kind of work (open-data applications, error reports) is one more entry
 * in WAITING_SOURCES, with the list route its tab pages through.
 */
import type { Knex } from 'knex';
import type { Role } from '../auth/roles.ts';

export interface Waiting {
  waiting: number;
  /** Of those, past their deadline (0 for work without a time limit). */
  overdue: number;
}

export interface WaitingSource {
  kind: string;
  /** Whose work it is: counted for a caller holding one of these roles. */
  roles: readonly Role[];
  /** `departments`: the caller's reach (policies/access.ts scoping) — its own department, or null for every department. */
  count(knex: Knex, departments: number[] | null, at: Date): Promise<Waiting>;
}

async function counted(q: Knex.QueryBuilder, at: Date, dueColumn: string | null): Promise<Waiting> {
  const row = await q
    .count({ waiting: '*' })
    .select(dueColumn ? q.client.raw(`count(*) filter (where ${dueColumn} <= ?) as overdue`, [at]) : q.client.raw('0 as overdue'))
    .first();
  return { waiting: Number(row?.waiting ?? 0), overdue: Number(row?.overdue ?? 0) };
}

/** A department's work is its own; the authority's is every department's. */
function ofDepartment(q: Knex.QueryBuilder, column: string, departments: number[] | null): Knex.QueryBuilder {
  return departments === null ? q : q.whereIn(column, departments);
}

export const WAITING_SOURCES: readonly WaitingSource[] = [
  {
    kind: 'resource.approve',
    roles: ['officer'],
    // the officer's limit is ODX_RESOURCE_APPROVAL_DAYS, its deadline set on submit
    count: (knex, dept, at) => counted(ofDepartment(knex('odx.resources').where({ status: 'submitted' }), 'department_id', dept), at, 'approval_due_at'),
  },
  {
    kind: 'share_request.answer',
    roles: ['officer'],
    count: (knex, dept, at) => counted(ofDepartment(knex('odx.share_requests').where({ state: 'provider_review' }), 'provider_department_id', dept), at, 'due_at'),
  },
  {
    kind: 'resource.publish',
    roles: ['authority'],
    count: (knex, _dept, at) => counted(knex('odx.resources').where({ status: 'approved' }), at, null),
  },
  {
    kind: 'share_request.check',
    roles: ['authority'],
    count: (knex, _dept, at) => counted(knex('odx.share_requests').where({ state: 'submitted' }), at, 'due_at'),
  },
  {
    kind: 'share_request.decide',
    roles: ['authority'],
    count: (knex, _dept, at) => counted(knex('odx.share_requests').where({ state: 'disputed' }), at, 'due_at'),
  },
];

/** The caller's waiting work by kind, and in all. */
export async function waitingFor(knex: Knex, roles: readonly Role[], departments: number[] | null, at: Date) {
  const mine = WAITING_SOURCES.filter((s) => s.roles.some((r) => roles.includes(r)));
  const kinds = await Promise.all(mine.map(async (s) => ({ kind: s.kind, ...(await s.count(knex, departments, at)) })));
  return {
    kinds,
    waiting: kinds.reduce((n, k) => n + k.waiting, 0),
    overdue: kinds.reduce((n, k) => n + k.overdue, 0),
  };
}
