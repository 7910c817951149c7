/**
 * Rate limits of the open data API, shared by every server process: the counters live in
 * PostgreSQL (odx.rate_counters, unlogged), one fixed window per caller, incremented with a single
 * INSERT … ON CONFLICT DO UPDATE … RETURNING round trip; large limits are admitted from leases
 * (RateLimiter) so a busy caller does not cost a round trip per request. Anonymous callers are
 * counted per IP address (per /64 for IPv6), key holders per account, so extra keys do not buy
 * extra quota.
 *
 * Every limited response carries the IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers):
 *   RateLimit-Policy: "anonymous";q=60;w=60
 *   RateLimit: "anonymous";r=59;t=42
 * and a refused one is 429 with Retry-After. When the database cannot be asked the request is
 * let through (fail open) and a warning logged: a limiter must not take the API down with it.
 * docs/open-api.md gives the measured cost per request.
 */
import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { hashToken } from '../auth/tokens.ts';
import { suiteOf } from '../db/crypto-suite.ts';
import { HttpError, text } from './errors.ts';
import type { Services } from './route.ts';
import type { RequestStage } from './serve.ts';

/** The counter after a claim: requests counted in the window (this claim included), and when the window ends. */
export interface Claim {
  hits: number;
  /** Seconds until the window ends, by the database's clock (at least 1). */
  reset: number;
}

interface PgConnection {
  query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: any[] }>;
}

const CLAIM_SQL = `with t as (select extract(epoch from clock_timestamp()) as now)
  insert into odx.rate_counters as c (bucket, ends, hits)
  select $1, (floor(t.now / $2) + 1)::bigint * $2, $3 from t
  on conflict (bucket, ends) do update set hits = c.hits + excluded.hits
  returning hits, ends - extract(epoch from clock_timestamp()) as reset`;

/** The shared counter: one statement per claim; old windows are swept at most once a minute per process. */
export class RateCounter {
  private lastSweep = 0;

  constructor(
    private readonly knex: Knex,
    private readonly log?: Logger,
  ) {}

  /**
   * Adds `n` to the caller's count in the current window (named by the second it ends). A named
   * (prepared) statement on a connection of knex's pool: half the cost of a knex.raw round trip.
   */
  async claim(bucket: string, windowSeconds: number, n = 1): Promise<Claim> {
    const client = this.knex.client as { acquireConnection(): Promise<PgConnection>; releaseConnection(c: PgConnection): Promise<void> };
    const conn = await client.acquireConnection();
    let row: { hits: number; reset: string };
    try {
      row = (await conn.query({ name: 'odx_rate_claim', text: CLAIM_SQL, values: [bucket, windowSeconds, n] })).rows[0];
    } finally {
      await client.releaseConnection(conn);
    }
    this.sweep();
    return { hits: row.hits, reset: Math.max(1, Math.ceil(Number(row.reset))) };
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

export interface Decision {
  allowed: boolean;
  /** Requests left in the window (this process's view: exact with one process, a close estimate with several). */
  remaining: number;
  /** Seconds until the window ends. */
  reset: number;
}

/** How many requests a process claims at once: 1 for small limits (every request is counted in the database), up to 50 for large ones. */
export function leaseSize(limit: number): number {
  return Math.min(50, Math.max(1, Math.floor(limit / 20)));
}

/**
 * Requests are admitted from leases: a process claims `leaseSize(limit)` requests of a caller's
 * window in one statement and admits them locally, so a busy key costs one database round trip
 * per lease, not per request. A claim only takes what the window has left, so all processes
 * together never admit more than the limit; a lease a process does not use up is lost when the
 * window ends, so with P processes a caller may be refused up to P × (lease − 1) requests early.
 * Once the window is used up, refusals are answered locally until it ends (a flood costs nothing).
 */
export class RateLimiter {
  private readonly leases = new Map<string, { expires: number; granted: number; used: number; left: number }>();
  /** One claim at a time per caller and process: concurrent requests wait for it and share its lease. */
  private readonly claiming = new Map<string, Promise<void>>();

  constructor(private readonly counter: RateCounter) {}

  async take(bucket: string, limit: number, windowSeconds: number): Promise<Decision> {
    // each claim either grants requests or finds the window used up, so this ends
    for (;;) {
      const now = Date.now() / 1000;
      const lease = this.leases.get(bucket);
      if (lease && lease.expires > now) {
        const reset = Math.max(1, Math.ceil(lease.expires - now));
        if (lease.used < lease.granted) {
          lease.used++;
          return { allowed: true, remaining: lease.granted - lease.used + lease.left, reset };
        }
        if (lease.left === 0) return { allowed: false, remaining: 0, reset };
      }
      let claim = this.claiming.get(bucket);
      if (!claim) {
        claim = this.refill(bucket, limit, windowSeconds).finally(() => this.claiming.delete(bucket));
        this.claiming.set(bucket, claim);
      }
      await claim;
    }
  }

  private async refill(bucket: string, limit: number, windowSeconds: number): Promise<void> {
    const n = leaseSize(limit);
    const { hits, reset } = await this.counter.claim(bucket, windowSeconds, n);
    const now = Date.now() / 1000;
    if (this.leases.size > 50_000) this.prune(now);
    this.leases.set(bucket, { expires: now + reset, granted: Math.max(0, Math.min(n, limit - (hits - n))), used: 0, left: Math.max(0, limit - hits) });
  }

  private prune(now: number): void {
    for (const [k, v] of this.leases) if (v.expires <= now) this.leases.delete(k);
    if (this.leases.size > 50_000) this.leases.clear();
  }
}

/** Which account a bearer key belongs to, remembered for 30 s so a key costs one lookup per half minute. */
class KeyOwners {
  private readonly cache = new Map<string, { principalId: number | null; at: number }>();

  constructor(private readonly knex: Knex) {}

  async of(secret: string): Promise<number | null> {
    const hash = hashToken(secret, await suiteOf(this.knex));
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

/** The counter of a key holder's open-data calls: one per account, whichever of its keys called. */
export function keyBucket(principalId: number): string {
  return `open:p${principalId}`;
}

export interface RatePolicy {
  name: 'anonymous' | 'key' | 'signup';
  limit: number;
  windowSeconds: number;
}

/** The open data API: catalogue, datasets (rows and downloads too), DCAT exports and the CKAN API. */
const OPEN_PATHS = /^\/(?:api\/v1\/datasets(?:\/|$)|catalog(?:\.ttl|\.jsonld|\/|$)|api\/(?:3\/)?action\/)/;
const CKAN_PATHS = /^\/api\/(?:3\/)?action\/([^/]*)/;
const SIGNUP_PATH = '/api/v1/developer/accounts';

/** Whether requests to a path (or a route template) are rate-limited: the open data API and developer sign-ups. */
export function isRateLimited(method: string, path: string): boolean {
  return (method.toUpperCase() === 'POST' && path === SIGNUP_PATH) || OPEN_PATHS.test(path);
}

function bearerSecret(req: Request): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return m ? m[1] : null;
}

function tooMany(req: Request, res: Response, policy: RatePolicy, retryAfter: number, baseUrl: string): void {
  const message = `rate limit exceeded: ${policy.limit} requests per ${policy.windowSeconds} s for ${policy.name === 'key' ? 'this account' : policy.name === 'signup' ? 'sign-ups from this address' : 'anonymous callers from this address'}; retry in ${retryAfter} s${policy.name === 'anonymous' ? ' or use a developer key (POST /api/v1/developer/accounts) for a higher limit' : ''}`;
  const who = policy.name === 'key' ? '此账号' : policy.name === 'signup' ? '此地址的注册' : '此地址的匿名调用';
  const messageZh = `超出调用频率限制：${who}每 ${policy.windowSeconds} 秒最多 ${policy.limit} 次请求；请 ${retryAfter} 秒后再试${policy.name === 'anonymous' ? '，或使用开发者密钥（POST /api/v1/developer/accounts）获得更高的限额' : ''}`;
  const ckan = CKAN_PATHS.exec(req.path);
  if (ckan) {
    res.status(429).json({
      help: `${baseUrl}/api/3/action/help_show?name=${encodeURIComponent(ckan[1])}`,
      success: false,
      error: { __type: 'Rate Limit Error', message },
    });
    return;
  }
  throw new HttpError(429, 'rate_limited', text(messageZh, message), { policy: policy.name, limit: policy.limit, windowSeconds: policy.windowSeconds, retryAfter });
}

/**
 * The limiter, mounted before the routes. Reads limits from `services.config` on each request,
 * so a changed setting applies at once.
 */
export function rateLimits(services: Pick<Services, 'knex' | 'config' | 'log'>): RequestStage {
  const limiter = new RateLimiter(new RateCounter(services.knex, services.log));
  const owners = new KeyOwners(services.knex);
  return async (req, res) => {
    if (!isRateLimited(req.method, req.path)) return;
    const signup = req.path === SIGNUP_PATH;
    const { config } = services;
    let policy: RatePolicy;
    // who is counted, worked out only when a limit applies (req.ip parses X-Forwarded-For)
    let bucket: () => string;
    let refused: { policy: RatePolicy; reset: number } | undefined;
    try {
      if (signup) {
        policy = { name: 'signup', limit: config.rateLimitSignup, windowSeconds: 3600 };
        bucket = () => `signup:${clientBucket(req.ip)}`;
      } else {
        const secret = bearerSecret(req);
        const principalId = secret ? await owners.of(secret) : null;
        policy = principalId
          ? { name: 'key', limit: config.rateLimitKey, windowSeconds: config.rateLimitWindowSeconds }
          : { name: 'anonymous', limit: config.rateLimitAnonymous, windowSeconds: config.rateLimitWindowSeconds };
        bucket = () => (principalId ? keyBucket(principalId) : `open:${clientBucket(req.ip)}`);
      }
      if (policy.limit === 0) return;
      const decision = await limiter.take(bucket(), policy.limit, policy.windowSeconds);
      res.set('RateLimit-Policy', `"${policy.name}";q=${policy.limit};w=${policy.windowSeconds}`);
      res.set('RateLimit', `"${policy.name}";r=${decision.remaining};t=${decision.reset}`);
      if (!decision.allowed) {
        res.set('Retry-After', String(decision.reset));
        refused = { policy, reset: decision.reset };
      }
    } catch (err) {
      services.log.warn({ err }, 'rate limit check failed; the request is let through');
    }
    // answered outside the try: a refusal is not a failed check
    if (refused) tooMany(req, res, refused.policy, refused.reset, config.publicBaseUrl);
  };
}
