import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { Actor } from '../audit/chain.ts';
import { cookiePrincipal } from '../auth/sessions/cookie.ts';
import { authenticateToken } from '../auth/tokens.ts';
import type { Principal } from '../auth/roles.ts';
import { unknownFields } from './unknown-fields.ts';
import { assertOwnerReach, reachOf, scopingFor } from '../policies/access.ts';
import { NUL_MESSAGE, NUL_MESSAGE_ZH, jsonHasNul } from '../lib/nul.ts';
import { badRequest, forbidden, notFound, text, unauthorized } from './errors.ts';
import type { Method, RouteSpec, Services } from './route.ts';

export function actorOf(principal: Principal | null): Actor {
  return principal
    ? { kind: 'principal', id: principal.id, label: `principal:${principal.login}`, departmentId: principal.departmentId, ...(principal.tokenId !== null ? { tokenId: principal.tokenId } : {}) }
    : { kind: 'anonymous', label: 'anonymous' };
}

function bearer(req: Request): string | null {
  const h = req.get('authorization');
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  if (!m) throw unauthorized(text('Authorization 请求头须为 "Bearer <令牌>"', 'the Authorization header must be "Bearer <token>"'));
  return m[1];
}

const zhCN = z.locales.zhCN().localeError;
const WHERE = { path: text('路径参数无效', 'invalid path parameters'), query: text('查询参数无效', 'invalid query'), body: text('请求体无效', 'invalid body') };

/** A schema's own Chinese message, where it gives one (`params: { zh }`, see lib/zod-fields.ts). */
function chineseOf(issue: z.core.$ZodIssue): string | undefined {
  const zh = (issue as { params?: { zh?: unknown } }).params?.zh;
  return typeof zh === 'string' ? zh : undefined;
}

/**
 * Parses path, query or body; refused, each issue says what is wrong in both languages: zod's
 * English, and its zh-CN locale got by parsing the same value again with that locale (only on the
 * failing path, so a good request parses once). A schema's own message (`.refine(…, msg)`) wins
 * over a locale, so it reads the same in both.
 */
function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, where: 'path' | 'query' | 'body'): z.infer<T> {
  if (!schema) return value as z.infer<T>;
  const input = value ?? (where === 'body' ? undefined : {});
  const r = schema.safeParse(input);
  if (r.success) {
    const unknown = where === 'body' ? unknownFields(value, r.data) : [];
    if (unknown.length === 0) return r.data;
    throw badRequest(
      text('请求体含有该操作不接受的字段', 'invalid body: unknown fields'),
      unknown.map((path) => ({ in: 'body', path, message: text(`未知字段 ${path}：该操作不接受此字段`, `unknown field ${path}: the operation does not take it`) })),
    );
  }
  const zh = schema.safeParse(input, { error: (issue) => zhCN(issue) }).error?.issues ?? [];
  throw badRequest(
    WHERE[where],
    r.error.issues.map((i, n) => ({ in: where, path: '/' + i.path.map(String).join('/'), message: text(chineseOf(i) ?? zh[n]?.message ?? i.message, i.message) })),
  );
}

/** A route found for a request: its gate-and-handler, the decoded path parameters and the template (for metrics). */
export interface RouteMatch {
  handle: (req: Request, res: Response) => Promise<void>;
  params: Record<string, string>;
  route: { path: string };
}

export interface RouteTable {
  match(method: string, path: string): RouteMatch | undefined;
}

/**
 * Every route passes the same gate, in this order: authenticate by bearer token or session
 * cookie (401; a cookie write from another origin 403), role and token scope (403), read the
 * JSON body and parse path/query/body (400), resolve the target's owner (404), check
 * own/self reach (403), then the handler. No handler does its own authorisation.
 */
export function mountRoutes(routes: RouteSpec[], services: Services): RouteTable {
  const json = jsonBody(services.config.bodyLimit);
  const readBody = (req: Request, res: Response) =>
    new Promise<void>((resolve, reject) => json(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
  const table = new PathTable();
  for (const spec of routes) {
    const narrow = typeof spec.access === 'object' && Object.values(spec.access).some((r) => r !== 'any');
    if (narrow && !spec.owner && !spec.scoped) {
      throw new Error(`route ${spec.method.toUpperCase()} ${spec.path} gives own/self reach but neither resolves an owner nor filters a list`);
    }
    const needScope = spec.scope ?? (spec.method === 'get' ? 'read' : 'write');
    // a GET has no body to parse
    const parsesBody = !spec.rawBody && spec.method !== 'get';
    table.add(spec.method, spec.path, async (req: Request, res: Response) => {
      // a bearer token wins over the session cookie: a script's call says who it is explicitly
      const secret = bearer(req);
      let principal: Principal | null = null;
      if (secret) {
        principal = await authenticateToken(services.knex, secret);
        if (!principal) throw unauthorized(text('令牌不存在、已过期或已被吊销', 'the token is unknown, expired or revoked'));
      } else if (req.headers.cookie) {
        principal = await cookiePrincipal(req, res, services.knex, services.config, spec.access !== 'public');
      }
      const reach = reachOf(spec.access, principal);
      if (reach === null) {
        if (!principal) throw unauthorized();
        throw forbidden(
          text(
            `您的角色（${principal.roles.join('、')}）无权调用 ${spec.method.toUpperCase()} ${spec.path}`,
            `your roles (${principal.roles.join(', ')}) may not call ${spec.method.toUpperCase()} ${spec.path}`,
          ),
        );
      }
      if (principal && spec.access !== 'public' && !principal.scopes.includes(needScope)) {
        throw forbidden(text(`该令牌缺少 '${needScope}' 权限范围`, `this token lacks the '${needScope}' scope`));
      }
      // only now: a caller refused above is answered without ODX reading (up to the limit of) its body
      if (parsesBody) await readBody(req, res);
      const input = {
        params: parse(spec.params, req.params, 'path'),
        query: parse(spec.query, req.query, 'query'),
        body: parse(spec.body, req.body, 'body'),
      };
      let target: unknown;
      if (reach !== 'any' && principal && spec.owner) {
        const owner = await spec.owner(input, services.knex, principal);
        if (!owner) throw notFound(text('目标', 'the target'));
        assertOwnerReach(reach, principal, owner);
        target = owner.target;
      }
      const requestId = String(req.id);
      // written out field by field: built as { ...input, … }, this object made V8 promote about 1 KB
      // of every request to the old generation (measured with --trace-gc-nvp: /healthz went from ~1 MB
      // promoted per scavenge to 3 KB), which lengthened every young-generation pause
      const result = await spec.handler({
        params: input.params,
        query: input.query,
        body: input.body,
        principal,
        actor: actorOf(principal),
        requestId,
        scoping: scopingFor(reach, principal),
        target,
        services,
        req,
        res,
      });
      // read-your-writes: this person's next reads stay on the primary until a replica has replayed this
      if (principal && spec.method !== 'get') await services.replicas.wrote(principal.id);
      if (res.headersSent) return;
      if (!result) {
        res.status(204).end();
        return;
      }
      if (result.body === undefined) res.status(result.status ?? 204).end();
      else res.status(result.status ?? 200).json(result.body);
    });
  }
  return table;
}

interface PathRoute {
  /** Each path segment: the literal text, or null where a parameter stands. */
  segments: (string | null)[];
  names: string[];
  template: { path: string };
  handle: RouteMatch['handle'];
}

/**
 * Routes by method and number of path segments, each list in the order the routes were
 * declared (the first that fits wins, as with Express). A HEAD request is answered by the GET
 * route; a trailing slash is ignored; parameters are percent-decoded.
 */
class PathTable implements RouteTable {
  private readonly byShape = new Map<string, PathRoute[]>();

  add(method: Method, path: string, handle: RouteMatch['handle']): void {
    const parts = path.split('/').slice(1);
    if (parts.some((p) => /[*()?+]/.test(p))) throw new Error(`route ${path}: only literal segments and :parameters are supported`);
    const route: PathRoute = {
      segments: parts.map((p) => (p.startsWith(':') ? null : p)),
      names: parts.filter((p) => p.startsWith(':')).map((p) => p.slice(1)),
      template: { path },
      handle,
    };
    const key = `${method.toUpperCase()} ${parts.length}`;
    const list = this.byShape.get(key);
    if (list) list.push(route);
    else this.byShape.set(key, [route]);
  }

  match(method: string, path: string): RouteMatch | undefined {
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const parts = trimmed.split('/');
    const candidates = this.byShape.get(`${method === 'HEAD' ? 'GET' : method} ${parts.length - 1}`);
    if (!candidates) return undefined;
    next: for (const route of candidates) {
      const values: string[] = [];
      for (let i = 0; i < route.segments.length; i++) {
        const literal = route.segments[i];
        const part = parts[i + 1];
        if (literal === null) {
          if (part === '') continue next;
          values.push(part);
        } else if (literal !== part) continue next;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeSegment(values[i])));
      return { handle: route.handle, params, route: route.template };
    }
    return undefined;
  }
}

function decodeSegment(part: string): string {
  if (!part.includes('%')) return part;
  let decoded: string;
  try {
    decoded = decodeURIComponent(part);
  } catch {
    throw badRequest(text(`路径段 ${part} 不是有效的百分号编码`, `the path segment ${part} is not valid percent-encoding`));
  }
  if (decoded.includes('\0')) throw badRequest(text(`路径段 ${part} ${NUL_MESSAGE_ZH}`, `the path segment ${part} ${NUL_MESSAGE}`));
  return decoded;
}

export const jsonBody = (limit: string) =>
  express.json({
    limit,
    type: ['application/json', 'application/*+json'],
    // body-parser answers what verify throws with the error's own status
    verify: (_req, _res, buf) => {
      if (jsonHasNul(buf.toString('utf8'))) throw badRequest(text(`请求体中的字符串${NUL_MESSAGE_ZH}`, `a string in the body ${NUL_MESSAGE}`), [{ in: 'body', path: '', message: 'NUL byte' }]);
    },
  });
