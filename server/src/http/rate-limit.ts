/**
 * Rate limits of the open data API, shared by every server process: the counters live in
 * PostgreSQL (odx.rate_counters, unlogged), one fixed window per caller, incremented with a single
 * INSERT … ON CONFLICT DO UPDATE … RETURNING round trip. Anonymous callers are counted per IP
 * address (per /64 for IPv6), key holders per account, so extra keys do not buy extra quota.
 *
 * Every limited response carries the IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers):
 *   RateLimit-Policy: "anonymous";q=60;w=60
 *   RateLimit: "anonymous";r=59;t=42
 * and a refused one is 429 with Retry-After. When the database cannot be asked the request is
 * let through (fail open) and a warning logged: a limiter must not take the API down with it.
 * docs/open-api.md gives the measured cost per request.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { hashToken } from '../auth/tokens.ts';
import { HttpError } from './errors.ts';
import type { Services } from './route.ts';

export interface Hit {
  /** Requests counted in the current window, this one included. */
  hits: number;
  /** Seconds until the window ends (at least 1). */
  reset: number;
}

/** The shared counter. One statement per hit; old windows are swept at most once a minute per process. */
export class RateCounter {
  private lastSweep = 0;

  constructor(
    private readonly knex: Knex,
    private readonly log?: Logger,
  ) {}

  async hit(bucket: string, windowSeconds: number): Promise<Hit> {
    const { rows } = await this.knex.raw(
      `with t as (select extract(epoch from clock_timestamp()) as now)
       insert into odx.rate_counters as c (bucket, ends, hits)
       select ?, (floor(t.now / ?) + 1)::bigint * ?, 1 from t
       on conflict (bucket, ends) do update set hits = c.hits + 1
       returning hits, ends - extract(epoch from clock_timestamp()) as reset`,
      [bucket, windowSeconds, windowSeconds],
    );
    this.sweep();
    return { hits: rows[0].hits, reset: Math.max(1, Math.ceil(Number(rows[0].reset))) };
  }

  private sweep(): void {
    const now = Date.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    this.knex
      .raw(`delete from odx.rate_counters where ends < extract(epoch from clock_timestamp())`)
      .catch((err: unknown) => this.log?.warn({ err }, 'sweeping old rate-limit windows failed'));
  }
}

/** Which account a bearer key belongs to, remembered for 30 s so a key costs one lookup per half minute. */
class KeyOwners {
  private readonly cache = new Map<string, { principalId: number | null; at: number }>();

  constructor(private readonly knex: Knex) {}

  async of(secret: string): Promise<number | null> {
    const hash = hashToken(secret);
    const key = hash.toString('hex');
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < 30_000) return cached.principalId;
    const row = await this.knex('odx.tokens as t')
      .join('odx.principals as p', 'p.id', 't.principal_id')
      .where('t.hash', hash)
      .whereNull('t.revoked_at')
      .whereNull('p.disabled_at')
      .where((q) => q.whereNull('t.expires_at').orWhere('t.expires_at', '>', this.knex.fn.now()))
      .first('p.id');
    if (this.cache.size > 10_000) this.cache.clear();
    const principalId = row ? Number(row.id) : null;
    this.cache.set(key, { principalId, at: Date.now() });
    return principalId;
  }
}

/** The part of an address a caller is counted by: the IPv4 address, or the /64 of an IPv6 one. */
export function clientBucket(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4) return v4[1];
  const [head, tail] = ip.toLowerCase().split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  const groups = tail !== undefined ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export interface RatePolicy {
  name: 'anonymous' | 'key' | 'signup';
  limit: number;
  windowSeconds: number;
}

/** The open data API: catalogue, datasets (rows and downloads too), DCAT exports and the CKAN API. */
const OPEN_PATHS = /^\/(?:api\/v1\/datasets(?:\/|$)|catalog(?:\.ttl|\.jsonld|\/|$)|api\/(?:3\/)?action\/)/;
const CKAN_PATHS = /^\/api\/(?:3\/)?action\/([^/]*)/;

function bearerSecret(req: Request): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return m ? m[1] : null;
}

function tooMany(req: Request, res: Response, next: NextFunction, policy: RatePolicy, hit: Hit, baseUrl: string): void {
  const message = `rate limit exceeded: ${policy.limit} requests per ${policy.windowSeconds} s for ${policy.name === 'key' ? 'this account' : policy.name === 'signup' ? 'sign-ups from this address' : 'anonymous callers from this address'}; retry in ${hit.reset} s${policy.name === 'anonymous' ? ' or use a developer key (POST /api/v1/developer/accounts) for a higher limit' : ''}`;
  const ckan = CKAN_PATHS.exec(req.path);
  if (ckan) {
    res.status(429).json({
      help: `${baseUrl}/api/3/action/help_show?name=${encodeURIComponent(ckan[1])}`,
      success: false,
      error: { __type: 'Rate Limit Error', message },
    });
    return;
  }
  next(new HttpError(429, 'rate_limited', message, { policy: policy.name, limit: policy.limit, windowSeconds: policy.windowSeconds, retryAfter: hit.reset }));
}

/**
 * The limiter, mounted before the routes. Reads limits from `services.config` on each request,
 * so a changed setting applies at once.
 */
export function rateLimits(services: Pick<Services, 'knex' | 'config' | 'log'>): RequestHandler {
  const counter = new RateCounter(services.knex, services.log);
  const owners = new KeyOwners(services.knex);
  return async (req, res, next) => {
    const signup = req.method === 'POST' && req.path === '/api/v1/developer/accounts';
    if (!signup && !OPEN_PATHS.test(req.path)) return next();
    const { config } = services;
    let policy: RatePolicy;
    let bucket: string;
    try {
      if (signup) {
        policy = { name: 'signup', limit: config.rateLimitSignup, windowSeconds: 3600 };
        bucket = `signup:${clientBucket(req.ip)}`;
      } else {
        const secret = bearerSecret(req);
        const principalId = secret ? await owners.of(secret) : null;
        policy = principalId
          ? { name: 'key', limit: config.rateLimitKey, windowSeconds: config.rateLimitWindowSeconds }
          : { name: 'anonymous', limit: config.rateLimitAnonymous, windowSeconds: config.rateLimitWindowSeconds };
        bucket = principalId ? `open:p${principalId}` : `open:${clientBucket(req.ip)}`;
      }
      if (policy.limit === 0) return next();
      const hit = await counter.hit(bucket, policy.windowSeconds);
      res.set('RateLimit-Policy', `"${policy.name}";q=${policy.limit};w=${policy.windowSeconds}`);
      res.set('RateLimit', `"${policy.name}";r=${Math.max(0, policy.limit - hit.hits)};t=${hit.reset}`);
      if (hit.hits > policy.limit) {
        res.set('Retry-After', String(hit.reset));
        return tooMany(req, res, next, policy, hit, config.publicBaseUrl);
      }
    } catch (err) {
      services.log.warn({ err }, 'rate limit check failed; the request is let through');
    }
    next();
  };
}
