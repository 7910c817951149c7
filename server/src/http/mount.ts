import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Actor } from '../audit/chain.ts';
import { authenticateToken } from '../auth/tokens.ts';
import type { Principal } from '../auth/roles.ts';
import { assertOwnerReach, reachOf, scopingFor } from '../policies/access.ts';
import { badRequest, forbidden, notFound, unauthorized } from './errors.ts';
import type { RouteSpec, Services } from './route.ts';

export function actorOf(principal: Principal | null): Actor {
  return principal
    ? { kind: 'principal', id: principal.id, label: `principal:${principal.login}`, departmentId: principal.departmentId }
    : { kind: 'anonymous', label: 'anonymous' };
}

function bearer(req: Request): string | null {
  const h = req.get('authorization');
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  if (!m) throw unauthorized('the Authorization header must be "Bearer <token>"');
  return m[1];
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, where: 'path' | 'query' | 'body'): z.infer<T> {
  if (!schema) return value as z.infer<T>;
  const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (r.success) return r.data;
  throw badRequest(
    `invalid ${where === 'path' ? 'path parameters' : where}`,
    r.error.issues.map((i) => ({ in: where, path: '/' + i.path.map(String).join('/'), message: i.message })),
  );
}

/**
 * Every route passes the same gate, in this order: authenticate (401), role and token
 * scope (403), parse path/query/body (400), resolve the target's owner (404), check
 * own/self reach (403), then the handler. No handler does its own authorisation.
 */
export function mountRoutes(routes: RouteSpec[], services: Services): RequestHandler {
  const json = jsonBody(services.config.bodyLimit);
  const groups = new Map<string, Router>();
  for (const spec of routes) {
    const key = groupKey(spec.path);
    let router = groups.get(key);
    if (!router) groups.set(key, (router = express.Router()));
    const narrow = typeof spec.access === 'object' && Object.values(spec.access).some((r) => r !== 'any');
    if (narrow && !spec.owner && !spec.scoped) {
      throw new Error(`route ${spec.method.toUpperCase()} ${spec.path} gives own/self reach but neither resolves an owner nor filters a list`);
    }
    const needScope = spec.scope ?? (spec.method === 'get' ? 'read' : 'write');
    // a GET has no body to parse
    const parsers = spec.rawBody || spec.method === 'get' ? [] : [json];
    router[spec.method](spec.path, ...parsers, async (req: Request, res: Response) => {
      const secret = bearer(req);
      const principal = secret ? await authenticateToken(services.knex, secret) : null;
      if (secret && !principal) throw unauthorized('the token is unknown, expired or revoked');
      const reach = reachOf(spec.access, principal);
      if (reach === null) {
        if (!principal) throw unauthorized();
        throw forbidden(`your roles (${principal.roles.join(', ')}) may not call ${spec.method.toUpperCase()} ${spec.path}`);
      }
      if (principal && spec.access !== 'public' && !principal.scopes.includes(needScope)) {
        throw forbidden(`this token lacks the '${needScope}' scope`);
      }
      const input = {
        params: parse(spec.params, req.params, 'path'),
        query: parse(spec.query, req.query, 'query'),
        body: parse(spec.body, req.body, 'body'),
      };
      let target: unknown;
      if (reach !== 'any' && principal && spec.owner) {
        const owner = await spec.owner(input, services.knex, principal);
        if (!owner) throw notFound('the target');
        assertOwnerReach(reach, principal, owner);
        target = owner.target;
      }
      const requestId = String(req.id);
      const result = await spec.handler({
        ...input,
        principal,
        actor: actorOf(principal),
        requestId,
        scoping: scopingFor(reach, principal),
        target,
        services,
        req,
        res,
      });
      if (res.headersSent) return;
      if (!result) {
        res.status(204).end();
        return;
      }
      if (result.body === undefined) res.status(result.status ?? 204).end();
      else res.status(result.status ?? 200).json(result.body);
    });
  }
  return dispatch(groups);
}

const GROUP_DEPTH = 3;

/** The static part of a route's first path segments: `/api/v1/datasets/:code/rows` is in group `/api/v1/datasets`. */
function groupKey(path: string): string {
  const parts = path.split('/').slice(1, GROUP_DEPTH + 1);
  const stop = parts.findIndex((p) => /[:*(]/.test(p));
  return '/' + (stop === -1 ? parts : parts.slice(0, stop)).join('/');
}

/**
 * Hands a request to the routers of the groups its path could belong to, longest prefix first,
 * instead of one router walking every route: a request tests a handful of route patterns, not
 * all of them.
 */
function dispatch(groups: Map<string, Router>): RequestHandler {
  return (req, res, next) => {
    const parts = req.path.split('/', GROUP_DEPTH + 1);
    const candidates: Router[] = [];
    for (let n = Math.min(parts.length - 1, GROUP_DEPTH); n >= 1; n--) {
      const group = groups.get(parts.slice(0, n + 1).join('/'));
      if (group) candidates.push(group);
    }
    const tryNext = (i: number, err?: unknown): void => {
      if (err !== undefined || i === candidates.length) return next(err);
      candidates[i](req, res, (e?: unknown) => tryNext(i + 1, e));
    };
    tryNext(0);
  };
}

export const jsonBody = (limit: string) => express.json({ limit, type: ['application/json', 'application/*+json'] });
