import type { Knex } from 'knex';
import { appPrivilegesSql } from '../roles.ts';

/**
 * The application stops connecting as the schema's owner or a superuser (docs/security.md,
 * "Database roles"): it runs as `odx_app`, which may append audit events but never change the
 * chain. Moving pending events into the chain was the one write to the chain and its head the
 * application made; it now goes through `odx.audit_chain`, which runs with the owner's rights
 * and does only that: it takes the pending events named, in the order named, with the hashes
 * the chainer computed, appends them after the current head and moves the head to the last one.
 * The application can still compute a wrong hash (verify names it) but cannot rewrite, remove
 * or reorder what is chained, drop a pending event, or move the head anywhere else.
 *
 * Signed checkpoints (server/src/audit/checkpoints.ts) are kept in odx.audit_checkpoints,
 * append-only like the events, and published so that others keep copies of them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function odx.audit_chain(p_from_seq bigint, p_ids bigint[], p_hashes text[]) returns bigint
    language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
    declare
      v_seq bigint;
      v_hash bytea;
      v_moved bigint;
    begin
      if coalesce(cardinality(p_ids), 0) = 0 or cardinality(p_ids) <> cardinality(p_hashes) then
        raise exception 'odx.audit_chain takes as many hashes as pending ids (% and %)', cardinality(p_ids), cardinality(p_hashes);
      end if;
      select seq, hash into v_seq, v_hash from odx.audit_head for update;
      if v_seq <> p_from_seq then
        raise exception 'the audit head is at %, not %: another chainer moved it', v_seq, p_from_seq using errcode = '40001';
      end if;
      perform set_config('odx.chaining', 'on', true);
      with chained as (
        select c.id, p_from_seq + c.n as seq, decode(c.hash, 'hex') as hash,
          coalesce(decode(lag(c.hash) over (order by c.n), 'hex'), v_hash) as prev_hash
        from unnest(p_ids, p_hashes) with ordinality as c(id, hash, n)
      ), taken as (
        delete from odx.audit_pending p using chained c where p.id = c.id returning p.*
      )
      insert into odx.audit_events (seq, at, actor, actor_id, department_id, action, target_type, target_id, purpose, detail, rows, request_id, prev_hash, hash)
      select c.seq, t.at, t.actor, t.actor_id, t.department_id, t.action, t.target_type, t.target_id, t.purpose, t.detail, t.rows, t.request_id, c.prev_hash, c.hash
      from taken t join chained c on c.id = t.id;
      get diagnostics v_moved = row_count;
      perform set_config('odx.chaining', 'off', true);
      if v_moved <> cardinality(p_ids) then
        raise exception 'audit chaining moved % of % pending events', v_moved, cardinality(p_ids);
      end if;
      update odx.audit_head set seq = p_from_seq + v_moved, hash = decode(p_hashes[cardinality(p_hashes)], 'hex');
      return v_moved;
    end $$;

    create table odx.audit_checkpoints (
      id bigint generated always as identity primary key,
      seq bigint not null,
      hash bytea not null,
      signed_at timestamptz not null,
      -- the exact bytes signed, and how: a copy kept elsewhere is checked against these
      message text not null,
      signature text not null,
      algorithm text not null,
      public_key text not null,
      reason text not null check (reason in ('daily', 'on demand'))
    );
    create index audit_checkpoints_signed_at on odx.audit_checkpoints (signed_at);
    create trigger audit_checkpoints_append_only before update or delete on odx.audit_checkpoints
      for each row execute function odx.refuse_audit_rewrite();
    create trigger audit_checkpoints_no_truncate before truncate on odx.audit_checkpoints
      for each statement execute function odx.refuse_audit_rewrite();
  `);
  await knex.raw(appPrivilegesSql());
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop function odx.audit_chain(bigint, bigint[], text[])`);
  await knex.raw(`drop table odx.audit_checkpoints`);
}
