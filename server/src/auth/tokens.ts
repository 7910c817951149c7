import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { recordedSuite, suiteOf } from '../db/crypto-suite.ts';
import { preparedRows } from '../db/prepared.ts';
import { secretHash, type CryptoSuite } from '../lib/crypto-suite.ts';
import { principalFromRow, type Principal, type Scope } from './roles.ts';
import type { CommandContext } from '../audit/command.ts';
import { badRequest, forbidden, notFound, text } from '../http/errors.ts';

const PREFIX = 'odx_';

/** A new secret: `odx_` and 32 base62 characters (190 bits). Only its hash (SHA-256, or SM3 in the 国密 suite) is stored. */
export function newTokenSecret(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const bytes = randomBytes(64);
  let out = '';
  // rejection sampling keeps every character equally likely
  for (const b of bytes) {
    if (b < 248) out += alphabet[b % 62];
    if (out.length === 32) break;
  }
  if (out.length < 32) return newTokenSecret();
  return PREFIX + out;
}

export function hashToken(secret: string, suite: CryptoSuite): Buffer {
  return secretHash(secret, suite);
}

export interface TokenRecord {
  id: number;
  principalId: number;
  login: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface CreatedToken extends TokenRecord {
  /** Shown once, never stored. */
  secret: string;
}

/** The longest lifetime any token may have, an admin's included. */
export const TOKEN_MAX_DAYS = 3650;

/**
 * The one lifetime rule of tokens, for the API, consumer credentials and the CLI alike: at most
 * ODX_TOKEN_DEFAULT_DAYS days; longer (up to TOKEN_MAX_DAYS) or never expiring only when an
 * admin makes it — at the command line the operator, who holds the database, counts as one.
 */
export function tokenExpiry(days: number | null | undefined, opts: { admin: boolean; defaultDays: number; field?: string }): Date | null {
  const path = opts.field ?? '/expiresInDays';
  if (days === null) {
    if (!opts.admin) throw forbidden(text('只有管理员可以创建永不过期的令牌', 'only an admin may create a token that never expires'));
    return null;
  }
  const d = days ?? opts.defaultDays;
  const max = opts.admin ? TOKEN_MAX_DAYS : opts.defaultDays;
  if (!Number.isInteger(d) || d < 1 || d > max) {
    throw badRequest(text(`令牌有效期为 1 至 ${max} 天，不能是 ${d} 天`, `a token may live 1 to ${max} days, not ${d}`), [{ in: 'body', path, value: d, message: text(`1 至 ${max} 天`, `1 to ${max} days`) }]);
  }
  return new Date(Date.now() + d * 86_400_000);
}

export async function tokenCreator(
  ctx: CommandContext,
  input: { principalId: number; name: string; scopes: Scope[]; expiresAt: Date | null },
): Promise<CreatedToken> {
  const principal = await ctx.trx('odx.principals').where({ id: input.principalId }).first('login', 'department_id', 'roles');
  if (!principal) throw notFound(text(`账号 ${input.principalId}`, `principal ${input.principalId}`));
  if (principal.roles.includes('consumer') && input.scopes.includes('write')) {
    throw badRequest(
      text(`接口凭证只读：${principal.login} 的令牌只能有 read 权限`, `consumer credentials are read-only: a token of ${principal.login} takes the scope read only`),
      [{ in: 'body', path: '/scopes', message: text('只读', 'read only') }],
    );
  }
  const secret = newTokenSecret();
  const [row] = await ctx.trx('odx.tokens')
    .insert({
      principal_id: input.principalId,
      name: input.name,
      prefix: secret.slice(0, 12),
      hash: hashToken(secret, await recordedSuite(ctx.trx)),
      scopes: input.scopes,
      expires_at: input.expiresAt,
    })
    .returning('*');
  ctx.audit({
    action: 'token.create',
    departmentId: principal.department_id,
    targetType: 'token',
    targetId: row.id,
    detail: { principal: principal.login, name: input.name, scopes: input.scopes, expiresAt: input.expiresAt?.toISOString() ?? null },
  });
  return { ...toRecord({ ...row, login: principal.login }), secret };
}

export async function tokenRevoker(ctx: CommandContext, tokenId: number): Promise<TokenRecord | undefined> {
  const [row] = await ctx.trx('odx.tokens').where({ id: tokenId }).whereNull('revoked_at').update({ revoked_at: ctx.trx.fn.now() }).returning('*');
  if (!row) return undefined;
  const principal = await ctx.trx('odx.principals').where({ id: row.principal_id }).first('login', 'department_id');
  ctx.audit({ action: 'token.revoke', departmentId: principal.department_id, targetType: 'token', targetId: tokenId, detail: { principal: principal.login } });
  return toRecord({ ...row, login: principal.login });
}

export function tokenQuery(knex: Knex) {
  return knex('odx.tokens as t').join('odx.principals as p', 'p.id', 't.principal_id').select('t.*', 'p.login', 'p.department_id');
}

export function toRecord(r: Record<string, any>): TokenRecord {
  return {
    id: r.id,
    principalId: r.principal_id,
    login: r.login,
    name: r.name,
    prefix: r.prefix,
    scopes: r.scopes,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

/** The principal behind a bearer secret, or null when the token is unknown, revoked, expired or its account disabled. */
export async function authenticateToken(knex: Knex, secret: string): Promise<Principal | null> {
  if (!secret.startsWith(PREFIX) || secret.length !== PREFIX.length + 32) return null;
  const [row] = await preparedRows(
    knex,
    `select t.id as token_id, t.scopes, t.last_used_at, p.id, p.login, p.display_name, p.department_id, p.roles, p.kind, p.system_id
     from odx.tokens t join odx.principals p on p.id = t.principal_id
     where t.hash = ? and t.revoked_at is null and p.disabled_at is null and (t.expires_at is null or t.expires_at > now())`,
    [hashToken(secret, await suiteOf(knex))],
  );
  if (!row) return null;
  // last use is bookkeeping, not a state change: kept to a minute's precision and not audited
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
    knex('odx.tokens').where({ id: row.token_id }).update({ last_used_at: knex.fn.now() }).catch(() => undefined);
  }
  return principalFromRow(row, { tokenId: row.token_id, sessionId: null, scopes: row.scopes as Scope[] });
}
