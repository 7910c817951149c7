import type { Knex } from 'knex';

/**
 * The installation's cryptographic suite (server/src/lib/crypto-suite.ts, docs/security.md, "国密
 * option"): `intl` (SHA-256, Ed25519) or `gm` (SM3, SM2). One row, recorded by the schema's owner
 * when the installation is first started or migrated (server/src/db/crypto-suite.ts) and never
 * changed: the audit chain, its signed heads and the stored token and session hashes are in that
 * suite's algorithms, and would stop verifying under another. The application only reads it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table odx.crypto_suite (
      one boolean primary key default true check (one),
      suite text not null check (suite in ('intl', 'gm')),
      recorded_at timestamptz not null default now()
    );
    create function odx.crypto_suite_fixed() returns trigger language plpgsql as $$
    begin
      raise exception 'the installation''s cryptographic suite is fixed when it is created: % refused', tg_op using errcode = '42501';
    end $$;
    create trigger crypto_suite_fixed before update or delete on odx.crypto_suite
      for each row execute function odx.crypto_suite_fixed();
    create trigger crypto_suite_no_truncate before truncate on odx.crypto_suite
      for each statement execute function odx.crypto_suite_fixed();
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table odx.crypto_suite; drop function odx.crypto_suite_fixed()`);
}
