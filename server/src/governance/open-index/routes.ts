import { route } from '../../http/route.ts';
import { openIndex } from './queries.ts';
import { OpenIndex, OpenIndexQuery } from './schema.ts';

export const openIndexRoutes = [
  route({
    method: 'get',
    path: '/api/v1/open/index',
    operationId: 'getOpenIndex',
    summary: 'The open-data index (开放指数): open datasets, capacity, machine-readable share, domains, downloads, API calls and developers per department for a month, from the monthly snapshots; public, counts only',
    tags: ['open data'],
    access: 'public',
    query: OpenIndexQuery,
    response: OpenIndex,
    handler: async ({ query, services, res }) => {
      // a month's snapshot changes only when it is recomputed: a few minutes' caching is safe
      res.set('Cache-Control', 'public, max-age=300');
      return { body: await openIndex(services.knex, query.month) };
    },
  }),
];
