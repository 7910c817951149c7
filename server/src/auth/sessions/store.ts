import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { CommandContext } from '../../audit/command.ts';
import type { Config } from '../../config.ts';
import { recordedSuite, suiteOf } from '../../db/crypto-suite.ts';
import { preparedRows } from '../../db/prepared.ts';
import { secretHash } from '../../lib/crypto-suite.ts';
import { principalFromRow, type Principal } from '../roles.ts';

/**
 * Server-side sessions of people signed in. The browser holds a random secret in a cookie; the
 * database holds only its hash (SHA-256, or SM3 in the 国密 suite), so a copy of the table signs no one in. A session ends when
 * signed out, after `sessionIdleMinutes` without a request, or `sessionMaxHours` after sign-in.
 */

/** 256 random bits, base64url. */
export const newSessionSecret = (): string => randomBytes(32).toString('base64url');

const SESSION_SECRET = /^[\w-]{43}$/;

export interface SessionOpening {
  principalId: number;
  login: string;
  departmentId: number | null;
  method: 'password' | 'oidc';
  address: string | undefined;
  userAgent: string | undefined;
}

/** Opens a session; the secret goes into the cookie and nowhere else. */
export async function sessionCreator(ctx: CommandContext, input: SessionOpening, config: Config): Promise<{ id: number; secret: string }> {
  const secret = newSessionSecret();
  const [row] = await ctx.trx('odx.sessions')
    .insert({
      principal_id: input.principalId,
      hash: secretHash(secret, await recordedSuite(ctx.trx)),
      method: input.method,
      expires_at: ctx.trx.raw(`now() + make_interval(secs => ?)`, [config.sessionMaxHours * 3600]),
      address: input.address ?? null,
      user_agent: input.userAgent?.slice(0, 300) ?? null,
    })
    .returning('id');
  ctx.audit({
    action: 'session.sign-in',
    departmentId: input.departmentId,
    targetType: 'principal',
    targetId: input.principalId,
    detail: { login: input.login, method: input.method, session: row.id, address: input.address ?? null },
  });
  return { id: row.id, secret };
}

/**
 * Ends sessions of one account: one (`only`), or all (`all`, but `except` when given). Returns
 * how many were still open. The event names what ended it; the account's login is in the detail.
 */
export async function sessionsEnder(
  ctx: CommandContext,
  principalId: number,
  which: { only: number } | { all: true; except?: number },
  action: 'session.sign-out' | 'session.sign-out-everywhere' | 'session.end',
): Promise<number> {
  const principal = await ctx.trx('odx.principals').where({ id: principalId }).first('login', 'department_id');
  const ended = await ctx.trx('odx.sessions')
    .where({ principal_id: principalId })
    .whereNull('ended_at')
    .modify((q) => {
      if ('only' in which) q.where('id', which.only);
      else if (which.except !== undefined) q.whereNot('id', which.except);
    })
    .update({ ended_at: ctx.trx.fn.now() });
  ctx.audit({
    action,
    departmentId: principal.department_id,
    targetType: 'principal',
    targetId: principalId,
    detail: { login: principal.login, ...('only' in which ? { session: which.only } : {}), ended },
  });
  return ended;
}

/** An open session's condition in SQL: not ended, not past its absolute end, not idle too long (the idle length in seconds is bound to ?). */
export const OPEN_SESSION = `s.ended_at is null and s.expires_at > now() and s.last_seen_at > now() - make_interval(secs => ?)`;

/**
 * The principal behind a session secret, or null when the session is unknown, ended, expired or
 * idle too long, or its account disabled. A prepared statement, as the token check: it runs on
 * every request of a signed-in person.
 */
export async function authenticateSession(knex: Knex, secret: string, config: Config): Promise<Principal | null> {
  if (!SESSION_SECRET.test(secret)) return null;
  const idle = config.sessionIdleMinutes * 60;
  const [row] = await preparedRows(
    knex,
    `select s.id as session_id, s.last_seen_at, p.id, p.login, p.display_name, p.department_id, p.roles, p.kind
     from odx.sessions s join odx.principals p on p.id = s.principal_id
     where s.hash = ? and p.disabled_at is null and ${OPEN_SESSION}`,
    [secretHash(secret, await suiteOf(knex)), idle],
  );
  if (!row) return null;
  // last seen is kept to a minute (or a tenth of the idle length, when that is shorter): a write per
  // request would cost more than the check itself, and the idle timeout is late by at most that much
  if (Date.now() - row.last_seen_at.getTime() > Math.min(60_000, idle * 100)) {
    knex('odx.sessions').where({ id: row.session_id }).update({ last_seen_at: knex.fn.now() }).catch(() => undefined);
  }
  return sessionPrincipal(row, row.session_id);
}

/** A person signed in by a session: the account's roles, and both scopes (a session is the person, not a script's token). */
export function sessionPrincipal(row: Record<string, any>, sessionId: number): Principal {
  return principalFromRow(row, { tokenId: null, sessionId, scopes: ['read', 'write'] });
}
