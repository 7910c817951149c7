/**
 * The call rate of a grant: `rateLimit` calls a minute, counted in PostgreSQL like the open API's
 * limits (http/rate-limit.ts), so every process of an installation shares one budget per grant.
 */
import type { Response } from 'express';
import type { Knex } from 'knex';
import { HttpError, text } from '../http/errors.ts';
import { RateCounter, RateLimiter } from '../http/rate-limit.ts';
import type { LiveGrant } from './live-grants.ts';

const GRANT_WINDOW_SECONDS = 60;
const limiters = new WeakMap<Knex, RateLimiter>();

function limiterOf(knex: Knex): RateLimiter {
  let limiter = limiters.get(knex);
  if (!limiter) limiters.set(knex, (limiter = new RateLimiter(new RateCounter(knex))));
  return limiter;
}

/** Takes one call from the grant's minute; 429 with Retry-After when it is used up. Sets the RateLimit fields either way. */
export async function enforceRate(knex: Knex, grant: Pick<LiveGrant, 'id' | 'rateLimit'>, res?: Response): Promise<void> {
  const d = await limiterOf(knex).take(`grant:${grant.id}`, grant.rateLimit, GRANT_WINDOW_SECONDS);
  res?.set('RateLimit-Policy', `"grant";q=${grant.rateLimit};w=${GRANT_WINDOW_SECONDS}`);
  res?.set('RateLimit', `"grant";r=${d.remaining};t=${d.reset}`);
  if (d.allowed) return;
  res?.set('Retry-After', String(d.reset));
  throw new HttpError(429, 'rate_limited', text(`授权 ${grant.id} 每分钟允许调用 ${grant.rateLimit} 次，请 ${d.reset} 秒后再试`, `grant ${grant.id} allows ${grant.rateLimit} calls per minute; retry in ${d.reset} s`), {
    rateLimit: grant.rateLimit,
    retryAfterSeconds: d.reset,
  });
}

/** Gives every grant a fresh minute: forgets the counts and this process's leases (tests; an operator after raising a limit by hand). */
export async function resetRateLimits(knex: Knex): Promise<void> {
  limiters.delete(knex);
  await knex('odx.rate_counters').where('bucket', 'like', 'grant:%').del();
}
