import type { Knex } from 'knex';
import { runCommand, type CommandOrigin } from '../../audit/command.ts';
import type { Config } from '../../config.ts';
import { HttpError, text, unauthorized, type Bilingual } from '../../http/errors.ts';
import { clientBucket } from '../../http/rate-limit.ts';
import { dummyHash, verifyPassword } from '../passwords.ts';
import type { Principal } from '../roles.ts';
import { sessionCreator, sessionPrincipal } from './store.ts';
import { addressWait, failureRecorder, failuresCleared, lockWait } from './throttle.ts';

/** The one answer to a wrong login or password: the same status and words whether the login exists or not. */
export const WRONG_CREDENTIALS = text('登录名或密码错误', 'the login or the password is wrong');

export interface Caller {
  address: string | undefined;
  userAgent: string | undefined;
}

/**
 * An account that may sign in with a password: by its login, or (developer accounts, whose login
 * is made up for them) by its e-mail address. Disabled accounts and system credentials never do.
 */
export async function accountForSignIn(knex: Knex, typed: string) {
  return knex('odx.principals as p')
    .leftJoin('odx.passwords as w', 'w.principal_id', 'p.id')
    .where((q) => q.where('p.login', typed).orWhere((e) => e.whereNull('p.department_id').whereRaw('lower(p.email) = ?', [typed])))
    .whereNull('p.disabled_at')
    .where('p.kind', 'user')
    .orderByRaw('p.login = ? desc', [typed])
    .first('p.id', 'p.login', 'p.display_name', 'p.department_id', 'p.roles', 'p.kind', 'w.hash');
}

/** 429 with when to try again; `limit` says whether the login is locked or the address slowed. */
const tooManyFailures = (message: Bilingual, retryAfter: number, limit: 'login' | 'address') => new HttpError(429, 'rate_limited', message, { retryAfter, limit });

export type Account = NonNullable<Awaited<ReturnType<typeof accountForSignIn>>>;

/**
 * Checks a login and password, as at sign-in and before a password change. Refused, in this
 * order: an address with too many recent failures (429), a locked login (429), a wrong login or
 * password (401 `unauthorized`, one answer for both, and as slow for an unknown login as for a known one).
 * Every refusal but the address's is an audit event; so is the failure that starts refusing an
 * address or locks a login (throttle.ts).
 */
export async function checkCredentials(knex: Knex, config: Config, input: { login: string; password: string }, caller: Caller, origin: CommandOrigin): Promise<Account> {
  const typed = input.login.trim().toLowerCase();
  const bucket = clientBucket(caller.address);
  const wait = await addressWait(knex, bucket, config);
  if (wait) {
    throw tooManyFailures(text(`登录失败次数过多，请 ${wait} 秒后再试`, `too many failed sign-ins from this address: try again in ${wait} s`), wait, 'address');
  }
  const account = await accountForSignIn(knex, typed);
  const login = account?.login ?? typed;
  const failed = (reason: string, countsForLogin: boolean) =>
    runCommand(knex, origin, async (ctx) => {
      ctx.audit({
        action: 'session.sign-in-failed',
        departmentId: account?.department_id ?? null,
        targetType: account ? 'principal' : undefined,
        targetId: account?.id,
        detail: { login: typed, reason, address: caller.address ?? null },
      });
      await failureRecorder(ctx, { login, bucket, countsForLogin }, config);
    });
  const locked = await lockWait(knex, login);
  if (locked) {
    await failed('locked', false);
    throw tooManyFailures(
      text(`该登录名因多次登录失败已被锁定，请 ${Math.ceil(locked / 60)} 分钟后再试`, `this login is locked after repeated failed sign-ins: try again in ${locked} s`), locked, 'login');
  }
  // an unknown login (or an account without a password) is checked against a dummy hash, so it costs the same time
  const matches = await verifyPassword(input.password, account?.hash ?? (await dummyHash()));
  if (!account?.hash || !matches) {
    await failed(!account ? 'unknown-login' : !account.hash ? 'no-password' : 'wrong-password', true);
    throw unauthorized(WRONG_CREDENTIALS);
  }
  return account;
}

/** Opens a session for an account that proved who it is (by password or single sign-on); its failure count starts again. */
export async function sessionOpener(knex: Knex, config: Config, account: Account, method: 'password' | 'oidc', caller: Caller, origin: CommandOrigin): Promise<{ principal: Principal; secret: string }> {
  const session = await runCommand(knex, origin, async (ctx) => {
    await failuresCleared(ctx, account.login);
    return sessionCreator(ctx, { principalId: account.id, login: account.login, departmentId: account.department_id, method, ...caller }, config);
  });
  return { principal: sessionPrincipal(account, session.id), secret: session.secret };
}

/** Signs a person in with a login and password and opens a session; its secret is for the cookie. */
export async function signIn(knex: Knex, config: Config, input: { login: string; password: string }, caller: Caller, origin: CommandOrigin): Promise<{ principal: Principal; secret: string }> {
  return sessionOpener(knex, config, await checkCredentials(knex, config, input, caller, origin), 'password', caller, origin);
}
