import type { Knex } from 'knex';

/**
 * Open data: rate-limit counters shared by every server process, and one developer account
 * per e-mail address.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- fixed-window request counters (server/src/http/rate-limit.ts): one row per caller and window,
    -- the window named by the epoch second it ends. Unlogged: a counter is worth nothing after a
    -- crash, and skipping WAL keeps each hit cheap. Room on each page lets the increment be a HOT update.
    create unlogged table odx.rate_counters (
      bucket text not null,
      ends bigint not null,
      hits integer not null,
      primary key (bucket, ends)
    ) with (fillfactor = 50);

    -- the public's developer accounts (no department) are found by their e-mail address
    create unique index principals_developer_email on odx.principals (lower(email))
      where department_id is null and email is not null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index odx.principals_developer_email;
    drop table odx.rate_counters;
  `);
}
