import { randomBytes } from 'node:crypto';
import type { CommandContext } from '../../audit/command.ts';
import { principalCreator } from '../../auth/accounts/commands.ts';
import { passwordSetter, type AcceptedPassword } from '../../auth/passwords.ts';
import { tokenCreator, type CreatedToken } from '../../auth/tokens.ts';
import { alreadyExists, stateConflict, text } from '../../http/errors.ts';
import type { DeveloperSignup } from './schema.ts';

/** Active keys one developer account may hold; a revoked or expired one frees its place. */
export const MAX_ACTIVE_KEYS = 10;

/** A developer's API keys read open data only. */
const KEY_SCOPES = ['read'] as const;

/**
 * A self-service developer account: a `developer` principal outside every department, an
 * account token (read and write: it manages the account's keys) and a first API key (read only).
 * One account per e-mail address. With a password, the developer can also sign in to the portal
 * (by the e-mail address) and manage the keys there.
 */
export async function developerSignup(ctx: CommandContext, input: DeveloperSignup, days: number, password?: AcceptedPassword) {
  const taken = await ctx.trx('odx.principals').whereNull('department_id').whereRaw('lower(email) = ?', [input.email]).first('id');
  if (taken) throw alreadyExists(text('已有使用此电子邮件地址的开发者账号，请用该账号的令牌创建更多密钥', 'a developer account with this e-mail address exists; create further keys with its account token'), {
      email: input.email,
    });
  const account = await principalCreator(ctx, {
    login: `dev.${randomBytes(6).toString('hex')}`,
    displayName: input.name ?? input.email.split('@')[0],
    departmentId: null,
    roles: ['developer'],
    kind: 'user',
    email: input.email,
  });
  const expiresAt = new Date(Date.now() + days * 86_400_000);
  const token = await tokenCreator(ctx, { principalId: account.id, name: 'account', scopes: ['read', 'write'], expiresAt });
  const key = await tokenCreator(ctx, { principalId: account.id, name: 'api key', scopes: [...KEY_SCOPES], expiresAt });
  if (password) await passwordSetter(ctx, account.id, password);
  if (input.purpose) {
    ctx.audit({ action: 'developer.signup', targetType: 'principal', targetId: account.id, detail: { login: account.login, purpose: input.purpose } });
  }
  return { account, token, key };
}

/** A further read-only key for the calling developer. */
export async function developerKeyCreator(ctx: CommandContext, principalId: number, name: string, days: number): Promise<CreatedToken> {
  await ctx.trx('odx.principals').where({ id: principalId }).forUpdate().first('id');
  const [{ n }] = await ctx.trx('odx.tokens')
    .where({ principal_id: principalId })
    .whereNull('revoked_at')
    .where((q) => q.whereNull('expires_at').orWhere('expires_at', '>', ctx.trx.fn.now()))
    .count<{ n: string }[]>('* as n');
  if (Number(n) >= MAX_ACTIVE_KEYS) {
    throw stateConflict(text(`每个账号最多有 ${MAX_ACTIVE_KEYS} 个有效密钥，请先吊销一个`, `an account holds at most ${MAX_ACTIVE_KEYS} active keys; revoke one first`), {
      active: Number(n),
      max: MAX_ACTIVE_KEYS,
    });
  }
  return tokenCreator(ctx, { principalId, name, scopes: [...KEY_SCOPES], expiresAt: new Date(Date.now() + days * 86_400_000) });
}
