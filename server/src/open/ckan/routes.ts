import type { Request } from 'express';
import { z } from 'zod';
import { HttpError, text } from '../../http/errors.ts';
import { knownFailure } from '../../http/observability.ts';
import { NUL_MESSAGE, jsonHasNul, queryHasNul } from '../../lib/nul.ts';
import { route, type HandlerContext, type RouteSpec } from '../../http/route.ts';
import { sendJsonText } from '../../http/respond.ts';
import { ACTIONS, RawJson } from './actions.ts';
import { CkanError, failure, success } from './envelope.ts';
import type { Params } from './params.ts';
import { CkanEnvelope } from './schema.ts';

const ActionParams = z.object({ action: z.string().max(100) });

function limitBytes(limit: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(limit.trim());
  if (!m) return 1024 * 1024;
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Math.floor(Number(m[1]) * unit);
}

class BadRequest extends Error {}

async function readBody(req: Request, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new HttpError(413, 'payload_too_large', text('请求体超过允许的大小', 'the request body is larger than allowed'));
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The parameters of a call the way CKAN reads them: GET from the query string; POST from a JSON
 * body, or a form (CKAN also takes a form whose single key is the JSON text).
 */
async function callParams(req: Request, bodyLimit: string): Promise<Params> {
  if (req.method === 'GET') return { ...(req.query as Params) };
  const text = (await readBody(req, limitBytes(bodyLimit))).toString('utf8');
  if (jsonHasNul(text) || (req.is('application/x-www-form-urlencoded') && queryHasNul(text))) throw new BadRequest(`the body ${NUL_MESSAGE}`);
  if (!text.trim()) return { ...(req.query as Params) };
  if (req.is('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(text);
    const keys = [...new Set(form.keys())];
    if (keys.length === 1 && ['', '1'].includes(form.get(keys[0]) ?? '')) return jsonObject(keys[0]);
    const out: Params = {};
    for (const k of keys) {
      const all = form.getAll(k);
      out[k] = all.length === 1 ? all[0] : all;
    }
    return out;
  }
  return jsonObject(text);
}

function jsonObject(text: string): Params {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new BadRequest(`JSON Error: Error decoding JSON data. Error: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BadRequest(`Bad request data: Request data JSON decoded to ${JSON.stringify(parsed)} but it needs to be a dictionary.`);
  }
  return parsed as Params;
}

async function call({ params, req, res, services, actor, requestId, principal }: HandlerContext<{ action: string }, unknown, unknown>) {
  const base = services.config.publicBaseUrl;
  const action = ACTIONS[params.action];
  res.set('Cache-Control', 'no-cache');
  if (!action || !Object.prototype.hasOwnProperty.call(ACTIONS, params.action)) {
    res.status(400).json(`Bad request - Action name not known: ${params.action}`);
    return;
  }
  try {
    const input = await callParams(req, services.config.bodyLimit);
    delete input.callback;
    // catalogue actions read on a replica like the open API; datastore_search asks for its own snapshot (datastore.ts)
    const result = params.action === 'datastore_search'
      ? await action(input, services, { actor, requestId })
      : await services.replicas.read(principal, (reader) => action(input, { ...services, knex: reader.knex }, { actor, requestId }));
    if (result instanceof RawJson) {
      const { help } = success(base, params.action, null);
      sendJsonText(res, `{"help":${JSON.stringify(help)},"success":true,"result":${result.text}}`);
    } else res.json(success(base, params.action, result));
  } catch (err) {
    if (err instanceof BadRequest) {
      res.status(400).json(`Bad request - ${err.message}`);
      return;
    }
    if (err instanceof CkanError) {
      res.status(err.status).json(failure(base, params.action, err));
      return;
    }
    if (err instanceof HttpError && err.status < 500) {
      const type = err.status === 404 ? 'Not Found Error' : err.status === 403 || err.status === 401 ? 'Authorization Error' : 'Validation Error';
      const mapped = new CkanError(type, err.message);
      res.status(err.status === 413 || err.status === 400 ? err.status : mapped.status).json(failure(base, params.action, mapped));
      return;
    }
    const known = knownFailure(err);
    if (known) {
      if (known.retryAfter) res.set('Retry-After', String(known.retryAfter));
      res.status(known.status).json(failure(base, params.action, new CkanError(known.status === 503 ? 'Internal Server Error' : 'Validation Error', known.message.en, {}, known.status)));
      return;
    }
    services.log.error({ err, action: params.action }, 'CKAN action failed');
    res.status(500).json(failure(base, params.action, new CkanError('Internal Server Error', 'Internal Server Error')));
  }
}

/** The CKAN Action API under /api/3/action/ and CKAN's unversioned /api/action/, GET and POST alike. */
export const ckanRoutes: RouteSpec[] = ['/api/3/action/:action', '/api/action/:action'].flatMap((path) =>
  (['get', 'post'] as const).map((method) =>
    route({
      method,
      path,
      operationId: `${method === 'get' ? 'call' : 'post'}CkanAction${path.startsWith('/api/3/') ? '' : 'Unversioned'}`,
      summary: `CKAN Action API (${method.toUpperCase()}): status_show, package_list, package_show, package_search, organization_list, organization_show, datastore_search, help_show — see docs/ckan.md`,
      tags: ['open data', 'ckan'],
      access: 'public',
      params: ActionParams,
      response: CkanEnvelope,
      responds: { status: 200, description: 'the CKAN envelope; success false with a 4xx status when the action fails' },
      ...(method === 'post' ? { rawBody: true as const } : {}),
      handler: call,
    }),
  ),
);

/**
 * CKAN clients send their key as a bare `Authorization: <key>` or `X-CKAN-API-Key: <key>`; ODX reads
 * `Authorization: Bearer <key>`. Mounted before the rate limiter and the routes on the CKAN paths.
 */
export function ckanKeyHeaders(req: Request): void {
  if (/^\/api\/(?:3\/)?action\//.test(req.path)) {
    const auth = req.get('authorization')?.trim();
    const key = req.get('x-ckan-api-key')?.trim();
    if (auth && !/^Bearer\s/i.test(auth) && !/\s/.test(auth)) req.headers.authorization = `Bearer ${auth}`;
    else if (!auth && key) req.headers.authorization = `Bearer ${key}`;
  }
}
