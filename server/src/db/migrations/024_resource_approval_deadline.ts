import type { Knex } from 'knex';
import { RESOURCE_APPROVAL_DAYS } from '../../config.ts';
import { workCalendar } from '../../sharing/clock.ts';

// entries submitted before this migration get the default limit (a migration does not read the running config)
const DAYS_AT_MIGRATION = RESOURCE_APPROVAL_DAYS;

/**
 * The officer's approval of a submitted catalogue entry has a deadline in working days, as share
 * requests do: the limit and the deadline computed from the working-day calendar when the entry is
 * submitted, cleared when it leaves 'submitted'. Entries already waiting count from their last submit.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table odx.resources
      add column approval_limit_days int,
      add column approval_due_at timestamptz;
    create index resources_approval_waiting on odx.resources (department_id, approval_due_at) where status = 'submitted';
  `);
  const waiting = await knex.raw(`
    select r.id, coalesce((select max(h.at) from odx.census_history h where h.kind = 'resource' and h.doc_id = r.id and h.action = 'submit'), r.updated_at) as submitted_at
    from odx.resources r where r.status = 'submitted'`);
  for (const r of waiting.rows as { id: number; submitted_at: Date }[]) {
    await knex('odx.resources')
      .where({ id: r.id })
      .update({ approval_limit_days: DAYS_AT_MIGRATION, approval_due_at: workCalendar().addWorkdays(r.submitted_at, DAYS_AT_MIGRATION) });
  }
  await knex.raw(`alter table odx.resources add constraint resources_approval_due check ((approval_due_at is null) = (status <> 'submitted'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table odx.resources drop constraint resources_approval_due;
    drop index odx.resources_approval_waiting;
    alter table odx.resources drop column approval_due_at, drop column approval_limit_days;
  `);
}
