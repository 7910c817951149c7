import type { Knex } from 'knex';

/**
 * Every process keeps read-through caches of rows that each data request needs but that change
 * rarely (a dataset's current version, a department's grants; server/src/db/change-feed.ts).
 * These triggers tell every process that LISTENs on `odx_changes` when such a table changed;
 * PostgreSQL delivers the notification at commit and folds repeats within a transaction into one.
 */
const TABLES = ['resources', 'resource_versions', 'grants', 'principals'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function odx.notify_change() returns trigger language plpgsql as $$
    begin
      perform pg_notify('odx_changes', tg_table_name);
      return null;
    end $$`);
  for (const t of TABLES) {
    await knex.raw(`create trigger notify_change after insert or update or delete or truncate on odx.${t} for each statement execute function odx.notify_change()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const t of TABLES) await knex.raw(`drop trigger notify_change on odx.${t}`);
  await knex.raw(`drop function odx.notify_change()`);
}
