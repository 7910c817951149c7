import express, { type Express } from 'express';
import helmet from 'helmet';
import pg from 'pg';
import { mountRoutes } from './http/mount.ts';
import { rateLimits } from './http/rate-limit.ts';
import { ckanKeyHeaders } from './open/ckan/routes.ts';
import { notFound } from './http/errors.ts';
import { createMetrics, errorHandler, requestLogging } from './http/observability.ts';
import { route, type RouteSpec, type Services } from './http/route.ts';
import { LoadRunner } from './loads/runner.ts';
import { apiRoutes } from './routes.ts';
import { buildOpenApi, renderReference } from './system/openapi.ts';
import { version } from './version.ts';

export interface App {
  app: Express;
  routes: RouteSpec[];
  services: Services;
}

export type CoreServices = Omit<Services, 'loads' | 'streams'>;

/** Builds the express app without listening, so tests mount it directly. */
export function createApp(core: CoreServices): App {
  const services: Services = {
    ...core,
    loads: new LoadRunner(core.knex, core.log, core.config.versionRetention),
    streams: new pg.Pool({ connectionString: (core.knex.client.config.connection as { connectionString: string }).connectionString, max: 10 }),
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'extended');
  app.set('trust proxy', 'loopback');
  const metrics = createMetrics();
  const docRoutes = [
    route({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      tags: ['system'],
      access: 'public',
      handler: async ({ res }) => {
        res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      },
    }),
    route({
      method: 'get',
      path: '/openapi.json',
      summary: 'This API as OpenAPI 3.1',
      tags: ['system'],
      access: 'public',
      handler: async () => ({ body: openapi }),
    }),
    route({
      method: 'get',
      path: '/docs/api',
      summary: 'The rendered API reference',
      tags: ['system'],
      access: 'public',
      handler: async ({ res }) => {
        res.type('html').send(reference);
      },
    }),
  ];
  const routes = [...apiRoutes, ...docRoutes];
  const openapi = buildOpenApi(routes, services.config.publicBaseUrl, version);
  const reference = renderReference(openapi);

  app.use(requestLogging(services.log));
  app.use(metrics.middleware);
  app.use(helmet());
  app.use(ckanKeyHeaders);
  app.use(rateLimits(services));
  const router = express.Router();
  mountRoutes(router, routes, services);
  app.use(router);
  app.use(() => {
    throw notFound('this path');
  });
  app.use(errorHandler(services.log));
  return { app, routes, services };
}
