import type { Knex } from 'knex';

/**
 * Monthly indicator snapshots (docs/indicators.md): one row per month and department, plus one
 * for the whole city (department_id null), holding the indicators as computed at the month's
 * end. Trends read these instead of recomputing a year of history.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table odx.indicator_snapshots (
      month date not null check (extract(day from month) = 1),
      department_id bigint references odx.departments(id),
      indicators jsonb not null,
      computed_at timestamptz not null default now()
    );
    create unique index indicator_snapshots_month on odx.indicator_snapshots (month, coalesce(department_id, 0));
    create index indicator_snapshots_department on odx.indicator_snapshots (department_id, month);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table odx.indicator_snapshots`);
}
