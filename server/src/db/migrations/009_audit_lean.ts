import type { Knex } from 'knex';

/**
 * Chaining cost the database more than the reads it records: every read writes an event, and
 * the chainer moves each one from odx.audit_pending into odx.audit_events. Two things were paid
 * per event that need not be (docs/architecture.md, "Writes and the audit log"):
 * - the pending table's guard ran once per deleted row; it now runs once per statement, which
 *   refuses the same statements (a DELETE outside the chainer's transaction, any UPDATE);
 * - audit_events kept a B-tree on `at` and one on `actor_id` that held every anonymous read under
 *   a null nobody searches for. Events are appended in time order, so a BRIN index finds a time
 *   range at a fraction of the size and insert cost (each block range is summarised as soon as it
 *   fills, so recent events are narrowed down too), and the actor index now holds only events of
 *   a signed-in principal (a search by actor id never looks for null).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ${pendingGuard('statement')}
    drop index odx.audit_at;
    create index audit_at on odx.audit_events using brin (at) with (autosummarize = on);
    drop index odx.audit_actor;
    create index audit_actor on odx.audit_events (actor_id, seq) where actor_id is not null;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index odx.audit_actor;
    create index audit_actor on odx.audit_events (actor_id, seq);
    drop index odx.audit_at;
    create index audit_at on odx.audit_events (at);
    ${pendingGuard('row')}
  `);
}

/** The pending table's guard, fired for each row (as 001 made it) or for each statement. */
function pendingGuard(each: 'row' | 'statement'): string {
  return `
    drop trigger audit_pending_guard on odx.audit_pending;
    create or replace function odx.audit_pending_guard() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and current_setting('odx.chaining', true) = 'on' then
        return ${each === 'row' ? 'old' : 'null'};
      end if;
      raise exception 'odx.audit_pending is append-only: % refused', tg_op using errcode = '42501';
    end $$;
    create trigger audit_pending_guard before update or delete on odx.audit_pending
      for each ${each} execute function odx.audit_pending_guard();`;
}
