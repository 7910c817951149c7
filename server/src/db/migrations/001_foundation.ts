import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create schema if not exists odx;
    create schema if not exists data;

    create table odx.departments (
      id bigint generated always as identity primary key,
      parent_id bigint references odx.departments(id),
      name text not null check (length(name) between 1 and 200),
      short_name text,
      uscc char(18) not null unique,
      region_code varchar(12) not null,
      kind text not null check (kind in ('city', 'district', 'bureau', 'other')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table odx.principals (
      id bigint generated always as identity primary key,
      department_id bigint references odx.departments(id),
      login text not null unique check (login ~ '^[a-z0-9][a-z0-9._@-]{1,63}$'),
      display_name text not null,
      roles text[] not null check (
        cardinality(roles) > 0
        and roles <@ array['admin', 'authority', 'officer', 'registrar', 'consumer', 'developer']
      ),
      kind text not null default 'user' check (kind in ('user', 'system')),
      email text,
      phone text,
      created_at timestamptz not null default now(),
      disabled_at timestamptz,
      -- only the public's developer accounts stand outside every department
      check (department_id is not null or roles = array['developer'])
    );
    create index principals_department on odx.principals (department_id);

    create table odx.tokens (
      id bigint generated always as identity primary key,
      principal_id bigint not null references odx.principals(id),
      name text not null,
      prefix text not null,
      hash bytea not null unique,
      scopes text[] not null check (cardinality(scopes) > 0 and scopes <@ array['read', 'write']),
      created_at timestamptz not null default now(),
      expires_at timestamptz,
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    create index tokens_principal on odx.tokens (principal_id);

    create table odx.audit_events (
      seq bigint primary key,
      at timestamptz not null,
      actor text not null,
      actor_id bigint,
      department_id bigint,
      action text not null,
      target_type text,
      target_id text,
      purpose text,
      detail jsonb not null,
      rows bigint,
      request_id text,
      prev_hash bytea not null,
      hash bytea not null
    );
    create index audit_actor on odx.audit_events (actor_id, seq);
    create index audit_department on odx.audit_events (department_id, seq);
    create index audit_target on odx.audit_events (target_type, target_id, seq);
    create index audit_action on odx.audit_events (action, seq);
    create index audit_at on odx.audit_events (at);

    -- the chain head: one row, locked by each appender, so concurrent writers form one linear chain
    create table odx.audit_head (
      id boolean primary key default true check (id),
      seq bigint not null,
      hash bytea not null
    );
    insert into odx.audit_head (seq, hash) values (0, decode(repeat('00', 32), 'hex'));

    create function odx.refuse_audit_rewrite() returns trigger language plpgsql as $$
    begin
      raise exception 'odx.audit_events is append-only: % refused', tg_op using errcode = '42501';
    end $$;
    create trigger audit_events_append_only before update or delete on odx.audit_events
      for each row execute function odx.refuse_audit_rewrite();
    create trigger audit_events_no_truncate before truncate on odx.audit_events
      for each statement execute function odx.refuse_audit_rewrite();

    create function odx.audit_head_forward() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'UPDATE' or new.seq < old.seq then
        raise exception 'odx.audit_head only moves forward: % refused', tg_op using errcode = '42501';
      end if;
      return new;
    end $$;
    create trigger audit_head_forward before update or delete on odx.audit_head
      for each row execute function odx.audit_head_forward();
    create trigger audit_head_no_truncate before truncate on odx.audit_head
      for each statement execute function odx.audit_head_forward();

    -- Events are written first to odx.audit_pending inside the transaction of the change they
    -- record (no lock, so concurrent commits share WAL flushes); one chainer at a time moves
    -- them into the hash chain in batches (docs/architecture.md, "Audit log").
    create table odx.audit_pending (
      id bigint generated always as identity primary key,
      at timestamptz not null,
      actor text not null,
      actor_id bigint,
      department_id bigint,
      action text not null,
      target_type text,
      target_id text,
      purpose text,
      detail jsonb not null,
      rows bigint,
      request_id text
    );

    -- pending events are append-only too; only the chainer, which marks its transaction, removes them
    create function odx.audit_pending_guard() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and current_setting('odx.chaining', true) = 'on' then
        return old;
      end if;
      raise exception 'odx.audit_pending is append-only: % refused', tg_op using errcode = '42501';
    end $$;
    create trigger audit_pending_guard before update or delete on odx.audit_pending
      for each row execute function odx.audit_pending_guard();
    create trigger audit_pending_no_truncate before truncate on odx.audit_pending
      for each statement execute function odx.refuse_audit_rewrite();
  `);
}

export async function down(): Promise<void> {
  throw new Error('the foundation migration cannot be reverted: the audit log is append-only');
}
