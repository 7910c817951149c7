import PgBoss from 'pg-boss';
import type { Knex } from 'knex';
import { up as createJobsTable } from './016_jobs.ts';

/**
 * Periodic work moves from odx.jobs to pg-boss (server/src/system/jobs.ts): its schema and one
 * queue per job are created here, by the schema's owner, because pg-boss makes a table per queue
 * and the application role may not create tables in it. A job added later comes with a migration
 * that creates its queue.
 */
const QUEUES = ['loads.sweep', 'audit.checkpoint', 'indicators.snapshot', 'alerts.check', 'webhooks.deliver'];

/** pg-boss's construction plan holds its own BEGIN … COMMIT (under an advisory lock). */
export const config = { transaction: false };

export async function up(knex: Knex): Promise<void> {
  await knex.raw(PgBoss.getConstructionPlans('pgboss'));
  await knex.transaction(async (trx) => {
    for (const name of QUEUES) await trx.raw(`select pgboss.create_queue(?, ?::json)`, [name, JSON.stringify({ policy: 'standard' })]);
    await trx.raw('drop table odx.jobs');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    await trx.raw('drop schema pgboss cascade');
    await createJobsTable(trx);
  });
}
