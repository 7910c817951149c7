import express from 'express';
import pg from 'pg';
import { mountRoutes } from './http/mount.ts';
import { rateLimits } from './http/rate-limit.ts';
import { securityHeaders } from './http/security-headers.ts';
import { webApp } from './http/web-app.ts';
import { ckanKeyHeaders } from './open/ckan/routes.ts';
import { createMetrics, errorHandler, requestLogging } from './http/observability.ts';
import { route, written, type RouteSpec, type Services } from './http/route.ts';
import { serveRequests, type RequestListener } from './http/serve.ts';
import type http from 'node:http';
import { LoadRunner } from './loads/runner.ts';
import { ChangeFeed, changeFeeds } from './db/change-feed.ts';
import { PreparedPool, preparedPools } from './db/prepared.ts';
import { Replicas, replicaMetrics } from './db/replicas.ts';
import { apiRoutes } from './routes.ts';
import { buildOpenApi, renderReference } from './system/openapi.ts';
import { OpenApiDocument } from './system/schema.ts';
import { version } from './version.ts';

export interface App {
  /** The request listener, for supertest. */
  app: RequestListener;
  /** The HTTP server to listen with (not yet listening). */
  server(): http.Server;
  routes: RouteSpec[];
  services: Services;
}

export type CoreServices = Omit<Services, 'loads' | 'streams' | 'changes' | 'prepared' | 'replicas'>;

/** Builds the express app without listening, so tests mount it directly. */
export function createApp(core: CoreServices): App {
  const url = (core.knex.client.config.connection as { connectionString: string }).connectionString;
  const streams = new pg.Pool({ connectionString: url, max: core.config.dbStreamPool });
  const changes = new ChangeFeed(url, core.log);
  const { config } = core;
  const replicaOptions = { maxLagSeconds: config.replicaMaxLag, checkMs: config.replicaCheckMs, pool: config.dbPool, streamPool: config.dbStreamPool, prepared: config.dbPrepared };
  const services: Services = {
    ...core,
    loads: new LoadRunner(core.knex, core.log, config.versionRetention),
    streams,
    changes,
    prepared: new PreparedPool(url, { connections: config.dbPrepared }),
    replicas: new Replicas(core.knex, streams, changes, config.replicaUrls, replicaOptions, core.log).start(),
  };
  changeFeeds.add(core.knex, services.changes);
  preparedPools.add(core.knex, services.prepared);
  const app = express();
  // X-Forwarded-For is believed only from the configured proxies (ODX_TRUST_PROXY, default loopback)
  app.set('trust proxy', core.config.trustProxy[0] === 'none' ? false : core.config.trustProxy);
  // API answers are query results: hashing every body to offer a 304 costs more than it saves
  app.set('etag', false);
  const metrics = createMetrics();
  replicaMetrics(metrics.registry, services.replicas);
  const docRoutes = [
    route({
      method: 'get',
      path: '/metrics',
      operationId: 'getMetrics',
      summary: 'Prometheus metrics',
      tags: ['system'],
      access: 'public',
      response: written('text/plain'),
      handler: async ({ res }) => {
        res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      },
    }),
    route({
      method: 'get',
      path: '/openapi.json',
      operationId: 'getOpenApi',
      summary: 'This API as OpenAPI 3.1',
      tags: ['system'],
      access: 'public',
      response: OpenApiDocument,
      handler: async () => ({ body: openapi }),
    }),
    route({
      method: 'get',
      path: '/docs/api',
      operationId: 'getApiReference',
      summary: 'The rendered API reference',
      tags: ['system'],
      access: 'public',
      response: written('text/html'),
      handler: async ({ res }) => {
        res.type('html').send(reference);
      },
    }),
  ];
  const routes = [...apiRoutes, ...docRoutes];
  const openapi = buildOpenApi(routes, services.config.publicBaseUrl, version);
  const reference = renderReference(openapi);

  const web = webApp(services.config.webDir, routes.map((r) => r.path), services.log);
  const steps = [requestLogging(services.log), metrics.observe, securityHeaders(), ...(web ? [web] : []), ckanKeyHeaders, rateLimits(services)];
  const served = serveRequests(app, steps, mountRoutes(routes, services), errorHandler(services.log));
  return { app: served.listener, server: served.server, routes, services };
}

/** Stops what createApp started beside the app: running loads, the read replicas' pools, the streaming and prepared-statement pools, the change feed. */
export async function closeServices(services: Services): Promise<void> {
  preparedPools.delete(services.knex, services.prepared);
  changeFeeds.delete(services.knex, services.changes);
  await services.loads.stop();
  await services.replicas.stop();
  await services.streams.end();
  await services.prepared.end();
  await services.changes.stop();
}
