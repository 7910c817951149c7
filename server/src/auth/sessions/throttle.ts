import type { Knex } from 'knex';
import type { CommandContext } from '../../audit/command.ts';
import type { Config } from '../../config.ts';

/**
 * What stops guessing, counted in PostgreSQL so it holds across every server process:
 * - a login is locked for `signInLockMinutes` after `signInMaxFailures` failures in a row (each
 *   within that many minutes of the last); the lock is kept by the login as typed when no account
 *   has it, so a lock says nothing about whether the login exists;
 * - an address with `signInAddressFailures` failures in the last `signInLockMinutes` is refused
 *   until the oldest of them is that old (429 with Retry-After).
 */

const windowSeconds = (config: Config) => config.signInLockMinutes * 60;

/** Seconds until the address (an IPv4 address or an IPv6 /64) may try again; 0 when it may now. */
export async function addressWait(knex: Knex, address: string, config: Config): Promise<number> {
  const { rows } = await knex.raw(
    `select count(*)::int as n,
       ceil(extract(epoch from (array_agg(at order by at desc))[?] + make_interval(secs => ?) - now())) as wait
     from odx.sign_in_failures where address = ? and at > now() - make_interval(secs => ?)`,
    [config.signInAddressFailures, windowSeconds(config), address, windowSeconds(config)],
  );
  return rows[0].n >= config.signInAddressFailures ? Math.max(1, Number(rows[0].wait)) : 0;
}

/** Seconds the login stays locked; 0 when it is not locked. */
export async function lockWait(knex: Knex, login: string): Promise<number> {
  const { rows } = await knex.raw(`select ceil(extract(epoch from locked_until - now())) as wait from odx.sign_in_locks where login = ? and locked_until > now()`, [login]);
  return rows.length ? Math.max(1, Number(rows[0].wait)) : 0;
}

export interface Failure {
  /** The login the failure counts against: the account's when one was found, else as typed. */
  login: string;
  /** The address it is counted against (IPv6 by its /64). */
  bucket: string;
  /** Whether it counts towards the login's lock (a try while locked only counts against the address). */
  countsForLogin: boolean;
}

/**
 * Records a failed sign-in against its login and address. The failure that reaches the limit
 * locks the login, or starts refusing the address, and is recorded as its own audit event.
 */
export async function failureRecorder(ctx: CommandContext, failure: Failure, config: Config): Promise<void> {
  const window = windowSeconds(config);
  // rows that can no longer count are dropped as new ones come
  await ctx.trx.raw(`delete from odx.sign_in_failures where at < now() - make_interval(secs => ?)`, [window]);
  await ctx.trx.raw(`delete from odx.sign_in_locks where last_at < now() - make_interval(secs => ?) and (locked_until is null or locked_until < now())`, [window]);
  await ctx.trx('odx.sign_in_failures').insert({ address: failure.bucket });
  const [{ n }] = (await ctx.trx.raw(`select count(*)::int as n from odx.sign_in_failures where address = ? and at > now() - make_interval(secs => ?)`, [failure.bucket, window])).rows;
  if (n === config.signInAddressFailures) {
    ctx.audit({ action: 'session.address-slowed', detail: { address: failure.bucket, failures: n, minutes: config.signInLockMinutes } });
  }
  if (!failure.countsForLogin) return;
  // a lock in force (a try that raced the lock) stays as it is; an ended lock, or a last failure
  // too long ago, starts the count again
  const [row] = (
    await ctx.trx.raw(
      `insert into odx.sign_in_locks as l (login, failures, last_at) values (?, 1, now())
       on conflict (login) do update set
         failures = case when l.locked_until > now() then l.failures
                         when l.locked_until is not null or l.last_at < now() - make_interval(secs => ?) then 1
                         else l.failures + 1 end,
         locked_until = case when l.locked_until > now() then l.locked_until end,
         last_at = now()
       returning failures, locked_until`,
      [failure.login, window],
    )
  ).rows;
  if (row.locked_until || row.failures < config.signInMaxFailures) return;
  const [locked] = (
    await ctx.trx.raw(`update odx.sign_in_locks set locked_until = now() + make_interval(secs => ?) where login = ? returning locked_until`, [window, failure.login])
  ).rows;
  ctx.audit({ action: 'session.locked', detail: { login: failure.login, failures: row.failures, until: locked.locked_until.toISOString() } });
}

/** A successful sign-in clears the login's count. */
export async function failuresCleared(ctx: CommandContext, login: string): Promise<void> {
  await ctx.trx('odx.sign_in_locks').where({ login }).delete();
}
