import { route, type RouteSpec } from '../../http/route.ts';
import { abilitiesOf } from '../../policies/abilities.ts';
import { MeWithAbilities } from './schema.ts';

/** `GET /api/v1/me`: the caller and its abilities, read off the route table it is given (the table holds this route too). */
export function meRoute(routeTable: () => readonly RouteSpec[]): RouteSpec {
  return route({
    method: 'get',
    path: '/api/v1/me',
    operationId: 'getMe',
    summary: 'The calling principal, its roles and department, and what it may call',
    tags: ['accounts'],
    access: 'authenticated',
    response: MeWithAbilities,
    handler: async ({ principal }) => ({ body: { ...principal!, abilities: abilitiesOf(principal!, routeTable()) } }),
  });
}
