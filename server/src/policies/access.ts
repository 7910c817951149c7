import type { Knex } from 'knex';
import type { Principal, Role } from '../auth/roles.ts';
import { forbidden, text } from '../http/errors.ts';
import type { Access, Owner, Reach, Scoping } from '../http/route.ts';

const RANK: Record<Reach, number> = { self: 0, own: 1, any: 2 };

/** The widest reach any of the principal's roles has on a route, or null if none of them may call it. */
export function reachOf(access: Access, principal: Principal | null): Reach | null {
  if (access === 'public') return 'any';
  if (!principal) return null;
  if (access === 'authenticated') return 'any';
  let best: Reach | null = null;
  for (const role of principal.roles) {
    const r = access[role as Role];
    if (r && (best === null || RANK[r] > RANK[best])) best = r;
  }
  return best;
}

/** Rows a list route may show: every department, the caller's own, or the caller's own records. */
export function scopingFor(reach: Reach, principal: Principal | null): Scoping {
  if (reach === 'any' || !principal) return { departments: null, principalId: null };
  if (reach === 'own') return { departments: principal.departmentId === null ? [] : [principal.departmentId], principalId: null };
  return { departments: null, principalId: principal.id };
}

/** Whether a department is the target's owner or one of its further owners. */
export function ownedBy(owner: Owner, departmentId: number): boolean {
  return owner.departmentId === departmentId || (owner.alsoDepartmentIds ?? []).includes(departmentId);
}

/** Department scoping for one target: the single place where own/self reach is decided. */
export function assertOwnerReach(reach: Reach, principal: Principal, owner: Owner): void {
  if (reach === 'any') return;
  if (reach === 'own' && principal.departmentId !== null && ownedBy(owner, principal.departmentId)) return;
  if (reach === 'self' && owner.principalId === principal.id) return;
  throw forbidden(reach === 'own' ? text('这属于其他部门', 'this belongs to another department') : text('这属于其他账号', 'this belongs to another account'));
}

export function describeAccess(access: Access): string {
  if (access === 'public') return 'anyone, no token needed';
  if (access === 'authenticated') return 'any signed-in principal';
  return Object.entries(access)
    .map(([role, reach]) => `${role} (${reach === 'any' ? 'any department' : reach === 'own' ? 'own department' : 'own account'})`)
    .join(', ');
}

/** Whether a department's non-public records (drafts, history) are within the caller's scoping. */
export function inScope(scoping: Scoping, departmentId: number): boolean {
  return scoping.departments === null || scoping.departments.includes(departmentId);
}

/** Where a list's rows name their owners, for `whereInScope`. */
export interface ScopeColumns {
  /** The owning department's column; several when a row has several parties (consumer and provider). */
  department?: string | readonly string[];
  /** The owning account's column, for lists some roles see only their own records of. */
  principal?: string;
  /** Rows every caller of the list sees whatever their department (published catalogue entries). */
  seenByAll?: (w: Knex.QueryBuilder) => void;
}

/**
 * Narrows a list query to the rows the caller's scoping reaches: with own-department reach the rows
 * one of whose department columns is the caller's department, with own-account reach the caller's
 * own rows, and with reach over every department all rows. The one place a list is scoped; a list
 * without the column its callers' reach needs refuses to run rather than show everything.
 */
export function whereInScope<Q extends Knex.QueryBuilder>(query: Q, scoping: Scoping, columns: ScopeColumns): Q {
  if (scoping.departments !== null) {
    const departments = columns.department === undefined ? [] : typeof columns.department === 'string' ? [columns.department] : columns.department;
    if (departments.length === 0) throw new Error('this list has no department column to scope it by');
    const own = scoping.departments;
    query.where((w) => {
      if (columns.seenByAll) w.where((all) => columns.seenByAll!(all));
      for (const column of departments) w.orWhereIn(column, own);
    });
  }
  if (scoping.principalId !== null) {
    if (!columns.principal) throw new Error('this list has no account column to scope it by');
    query.where(columns.principal, scoping.principalId);
  }
  return query;
}

/** Whether the caller's reach covers every department (the data authority, admins). */
export function reachesEveryDepartment(scoping: Scoping): boolean {
  return scoping.departments === null && scoping.principalId === null;
}
