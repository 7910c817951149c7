import type { Knex } from 'knex';

/**
 * Periodic work shared by every process of an installation (server/src/system/jobs.ts): one row
 * per job holds when it is next due; a process runs the job only when its claim moves that time
 * forward, so each period's run happens in one process whatever the number of processes. The
 * row also keeps the record of runs and failures an operator reads (docs/operations.md, "Several processes").
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table odx.jobs (
      name text primary key,
      next_at timestamptz not null,
      started_at timestamptz,
      finished_at timestamptz,
      claimed_by text,
      runs bigint not null default 0,
      failures bigint not null default 0,
      last_error text,
      last_failed_at timestamptz
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table odx.jobs`);
}
