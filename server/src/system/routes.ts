import { schemaState } from '../db/migrate.ts';
import { route } from '../http/route.ts';
import { Health, Readiness } from './schema.ts';

export const systemRoutes = [
  route({
    method: 'get',
    path: '/healthz',
    operationId: 'getHealth',
    summary: 'Liveness: the process answers',
    tags: ['system'],
    access: 'public',
    response: Health,
    handler: async () => ({ body: { status: 'ok' } }),
  }),
  route({
    method: 'get',
    path: '/readyz',
    operationId: 'getReadiness',
    summary: 'Readiness: the database answers and its schema is the one this code expects',
    tags: ['system'],
    access: 'public',
    response: Readiness,
    handler: async ({ services }) => {
      try {
        const state = await schemaState(services.knex);
        const current = state.pending.length === 0 && state.unknown.length === 0;
        const replicas = services.replicas.enabled ? { replicas: services.replicas.status() } : {};
        return { status: current ? 200 : 503, body: { status: current ? 'ready' : 'migrations not current', database: 'ok', pending: state.pending, unknown: state.unknown, ...replicas } };
      } catch (err) {
        return { status: 503, body: { status: 'database unreachable', database: (err as Error).message } };
      }
    },
  }),
];
