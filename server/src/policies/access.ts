import type { Principal, Role } from '../auth/roles.ts';
import { forbidden } from '../http/errors.ts';
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
  throw forbidden(reach === 'own' ? 'this belongs to another department' : 'this belongs to another account');
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
