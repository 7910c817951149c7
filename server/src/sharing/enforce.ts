/**
 * What every read of shared data checks: a live grant, the granted items, the grant's rate, a
 * stated purpose. Used by verification (verify.ts) and by the sharing data API
 * (`/api/v1/shared/:code/rows|download`), so both answer the same way. docs/sharing.md.
 */
import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import { HttpError, badRequest, forbidden } from '../http/errors.ts';
import { now } from './clock.ts';
import type { RowCondition } from '../data/values.ts';
import type { AccessMode } from './states.ts';

/** A grant in force: what its consumer department may read of one resource, in one mode. */
export interface LiveGrant {
  id: number;
  requestId: number;
  consumerDepartmentId: number;
  providerDepartmentId: number;
  resourceId: number;
  resourceCode: string;
  mode: AccessMode;
  /** Item names the consumer may read (and, for `verify`, match on). */
  items: string[];
  /** AND of conditions on item names; rows outside it do not exist for this consumer. [] = every row. */
  rowFilter: RowCondition[];
  /** Masked items the provider approved to be served raw; every other masked item stays masked. */
  raw: string[];
  /** Calls per minute. */
  rateLimit: number;
  startsAt: Date;
  /** null: long-term. */
  endsAt: Date | null;
}

export interface GrantQuery {
  /** The calling principal's department (the consumer). */
  departmentId: number | null;
  resourceId: number;
  mode: AccessMode;
  /** When; default: now (the sharing clock). */
  at?: Date;
}

function toLive(r: Record<string, any>): LiveGrant {
  return {
    id: r.id,
    requestId: r.request_id,
    consumerDepartmentId: r.consumer_department_id,
    providerDepartmentId: r.provider_department_id,
    resourceId: r.resource_id,
    resourceCode: r.resource_code,
    mode: r.mode,
    items: r.items,
    rowFilter: r.row_filter,
    raw: r.raw_items,
    rateLimit: r.rate_limit,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
  };
}

/**
 * The grant in force for a department on a resource in a mode at an instant, or null: the grant
 * is active (not suspended, revoked or superseded), its period has begun and not ended, and the
 * resource is not retired. Read from the database on every call, so a suspension or revocation
 * takes effect on the next request.
 */
export async function liveGrant(knex: Knex | Knex.Transaction, q: GrantQuery): Promise<LiveGrant | null> {
  if (q.departmentId === null) return null;
  const at = q.at ?? now();
  const row = await knex('odx.grants as g')
    .join('odx.resources as r', 'r.id', 'g.resource_id')
    .where({ 'g.consumer_department_id': q.departmentId, 'g.resource_id': q.resourceId, 'g.mode': q.mode, 'g.status': 'active' })
    .whereNull('r.retired_at')
    .where('g.starts_at', '<=', at)
    .where((w) => w.whereNull('g.ends_at').orWhere('g.ends_at', '>', at))
    .first('g.*', 'r.code as resource_code');
  return row ? toLive(row) : null;
}

/** A published resource named by id or code, with the caller's live grant on it (or null) and its current data version (or null). */
export interface GrantedResource {
  resourceId: number;
  resourceCode: string;
  grant: LiveGrant | null;
  version: { version: number; table: string; items: Record<string, any>[] } | null;
}

/**
 * One query for a read of shared data: the published resource by id or code, the grant in force
 * for the department in the mode (as `liveGrant`), and the resource's current version. Undefined
 * when no published resource has that id or code.
 */
export async function grantedResource(
  knex: Knex | Knex.Transaction,
  q: { departmentId: number | null; ref: string; mode: AccessMode; at?: Date },
): Promise<GrantedResource | undefined> {
  const at = q.at ?? now();
  const row = await knex('odx.resources as r')
    .leftJoin('odx.grants as g', (j) =>
      j
        .on('g.resource_id', 'r.id')
        .andOn('g.consumer_department_id', knex.raw('?', [q.departmentId ?? -1]))
        .andOn('g.mode', knex.raw('?', [q.mode]))
        .andOn('g.status', knex.raw("'active'"))
        .andOn('g.starts_at', '<=', knex.raw('?', [at]))
        .andOn((o) => o.onNull('g.ends_at').orOn('g.ends_at', '>', knex.raw('?', [at])))
        .andOnNull('r.retired_at'),
    )
    .leftJoin('odx.resource_versions as v', (j) => j.on('v.resource_id', 'r.id').andOn('v.version', 'r.current_version'))
    .where(/^\d+$/.test(q.ref) ? { 'r.id': Number(q.ref) } : { 'r.code': q.ref })
    .whereNotNull('r.published_doc')
    .first('g.*', 'r.id as r_id', 'r.code as resource_code', 'v.version as v_version', 'v.table_name as v_table', 'v.items as v_items');
  if (!row) return undefined;
  return {
    resourceId: row.r_id,
    resourceCode: row.resource_code,
    grant: row.id ? toLive(row) : null,
    version: row.v_version ? { version: row.v_version, table: row.v_table, items: row.v_items } : null,
  };
}

/** Why `liveGrant` found nothing, in words a caller can act on (the 403 message). */
export async function whyNoGrant(knex: Knex | Knex.Transaction, q: GrantQuery): Promise<string> {
  const at = q.at ?? now();
  const resource = await knex('odx.resources').where({ id: q.resourceId }).first('code', 'retired_at');
  const label = `resource ${resource?.code ?? q.resourceId}`;
  if (q.departmentId === null) return `only a principal of a department can hold grants; ${label} is not shared with this account`;
  if (resource?.retired_at) return `${label} was retired; its grants no longer apply`;
  const g = await knex('odx.grants').where({ consumer_department_id: q.departmentId, resource_id: q.resourceId, mode: q.mode }).orderBy('id', 'desc').first();
  if (!g) {
    const others: string[] = await knex('odx.grants')
      .where({ consumer_department_id: q.departmentId, resource_id: q.resourceId, status: 'active' })
      .distinct('mode')
      .pluck('mode');
    return `your department holds no '${q.mode}' grant on ${label}${others.length ? ` (it holds ${others.map((m) => `'${m}'`).join(', ')})` : ''}; request one: POST /api/v1/share-requests`;
  }
  const when = (d: Date) => new Date(d).toISOString();
  if (g.status === 'suspended') return `grant ${g.id} on ${label} is suspended since ${when(g.status_at)}: ${g.status_reason}`;
  if (g.status === 'revoked') return `grant ${g.id} on ${label} was revoked at ${when(g.status_at)}: ${g.status_reason}`;
  if (g.status === 'superseded') return `grant ${g.id} on ${label} was superseded by grant ${g.superseded_by}`;
  if (g.ends_at && new Date(g.ends_at).getTime() <= at.getTime()) return `grant ${g.id} on ${label} expired at ${when(g.ends_at)}; request it again: POST /api/v1/share-requests`;
  if (new Date(g.starts_at).getTime() > at.getTime()) return `grant ${g.id} on ${label} starts at ${when(g.starts_at)}`;
  return `no grant in force on ${label}`;
}

/** The live grant, or 403 naming why there is none. */
export async function requireGrant(knex: Knex | Knex.Transaction, q: GrantQuery): Promise<LiveGrant> {
  const g = await liveGrant(knex, q);
  if (!g) throw forbidden(await whyNoGrant(knex, q));
  return g;
}

/** 403 naming every item asked for that the grant does not cover. */
export function assertGrantedItems(grant: Pick<LiveGrant, 'id' | 'items'>, names: readonly string[]): void {
  const outside = [...new Set(names.filter((n) => !grant.items.includes(n)))];
  if (outside.length) {
    throw forbidden(`not granted: ${outside.join(', ')} (grant ${grant.id} covers ${grant.items.join(', ')})`, { items: outside, granted: grant.items });
  }
}

// ---------------------------------------------------------------------------------------------
// Call rate, per grant (a token bucket of `rateLimit` calls refilled over a minute)

const buckets = new Map<number, { tokens: number; at: number; limit: number }>();

/** Takes one call from a grant's budget. In-process: a deployment with several API processes divides the rate among them. */
export function takeCall(grant: Pick<LiveGrant, 'id' | 'rateLimit'>, atMs: number = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
  const cap = grant.rateLimit;
  let b = buckets.get(grant.id);
  if (!b || b.limit !== cap) {
    b = { tokens: cap, at: atMs, limit: cap };
    buckets.set(grant.id, b);
  } else {
    b.tokens = Math.min(cap, b.tokens + ((atMs - b.at) * cap) / 60_000);
    b.at = atMs;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return { ok: true };
  }
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((1 - b.tokens) * 60) / cap)) };
}

/** 429 with Retry-After when the grant's rate is used up. */
export function enforceRate(grant: Pick<LiveGrant, 'id' | 'rateLimit'>, res?: Response): void {
  const r = takeCall(grant);
  if (r.ok) return;
  res?.set('Retry-After', String(r.retryAfterSeconds));
  throw new HttpError(429, 'rate_limited', `grant ${grant.id} allows ${grant.rateLimit} calls per minute; retry in ${r.retryAfterSeconds} s`, {
    rateLimit: grant.rateLimit,
    retryAfterSeconds: r.retryAfterSeconds,
  });
}

/** Forgets every grant's budget (tests). */
export function resetRateLimits(): void {
  buckets.clear();
}

// ---------------------------------------------------------------------------------------------
// Purpose

export const PURPOSE_HEADER = 'X-ODX-Purpose';

/**
 * The purpose a read states (logged with it): the `purpose` query parameter, else `fromBody`,
 * else the X-ODX-Purpose header (URL-encoded, as headers carry no Chinese). 400 when missing.
 */
export function purposeOf(req: Request, fromBody?: string): string {
  const q = typeof req.query.purpose === 'string' ? req.query.purpose : undefined;
  let h = req.get(PURPOSE_HEADER);
  if (h) {
    try {
      h = decodeURIComponent(h);
    } catch {
      throw badRequest(`the ${PURPOSE_HEADER} header must be URL-encoded UTF-8`);
    }
  }
  const purpose = (q ?? fromBody ?? h ?? '').trim();
  if (purpose.length < 2) {
    throw badRequest(`every read of shared data states its purpose (用途): give purpose=… or the ${PURPOSE_HEADER} header`, [{ in: 'query', path: '/purpose', message: 'required' }]);
  }
  if (purpose.length > 500) throw badRequest('the purpose is longer than 500 characters', [{ in: 'query', path: '/purpose', message: 'too long' }]);
  return purpose;
}
