import type { Knex } from 'knex';

/**
 * Sign-in for people (docs/accounts.md): a password per account, server-side sessions, and the
 * counters that stop guessing. Passwords and failures live in tables of their own, not in
 * odx.principals: a change there notifies every process to drop its caches (008), which a
 * failed sign-in must not do.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- the scrypt hash with its salt and cost parameters in one string, so the cost can rise later
    -- while older hashes still verify
    create table odx.passwords (
      principal_id bigint primary key references odx.principals(id),
      hash text not null check (hash like '$scrypt$%'),
      changed_at timestamptz not null default now()
    );

    -- only the SHA-256 of a session's secret is stored; the secret is in the browser's cookie
    create table odx.sessions (
      id bigint generated always as identity primary key,
      principal_id bigint not null references odx.principals(id),
      hash bytea not null unique,
      method text not null check (method in ('password', 'oidc')),
      created_at timestamptz not null default now(),
      last_seen_at timestamptz not null default now(),
      expires_at timestamptz not null,
      ended_at timestamptz,
      address text,
      user_agent text
    );
    create index sessions_principal on odx.sessions (principal_id) where ended_at is null;

    -- consecutive failures per login as typed (known or not, so a lock says nothing about
    -- whether the login exists), and the lock they led to
    create table odx.sign_in_locks (
      login text primary key,
      failures integer not null,
      last_at timestamptz not null,
      locked_until timestamptz
    );

    -- failures per address, counted over a sliding window to slow an address that guesses
    create table odx.sign_in_failures (
      address text not null,
      at timestamptz not null default now()
    );
    create index sign_in_failures_address on odx.sign_in_failures (address, at);
    create index sign_in_failures_at on odx.sign_in_failures (at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table odx.sign_in_failures;
    drop table odx.sign_in_locks;
    drop table odx.sessions;
    drop table odx.passwords;
  `);
}
