import type { Principal } from '../auth/roles.ts';
import type { Reach, RouteSpec } from '../http/route.ts';
import { reachOf } from './access.ts';

/**
 * What a principal may call, by operationId, with its reach — read off the route table itself, so
 * the web app shows a menu or a button from the same rules the gate enforces and keeps no copy.
 * Public routes are left out: anyone may call them.
 */
export function abilitiesOf(principal: Principal, routes: readonly RouteSpec[]): Record<string, Reach> {
  const out: Record<string, Reach> = {};
  for (const spec of routes) {
    if (spec.access === 'public') continue;
    const reach = reachOf(spec.access, principal);
    const needScope = spec.scope ?? (spec.method === 'get' ? 'read' : 'write');
    if (reach && principal.scopes.includes(needScope)) out[spec.operationId] = reach;
  }
  return out;
}
