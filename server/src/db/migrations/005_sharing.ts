import type { Knex } from 'knex';

/**
 * Sharing (数据共享): share requests and their steps, grants, and consumer credentials bound to a
 * system of the 系统清单. States and rules: server/src/sharing/states.ts, docs/sharing.md.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    -- a consumer credential is a system principal bound to one of its department's systems
    alter table odx.principals
      add column system_id bigint references odx.systems(id),
      add constraint principals_system_binding check (system_id is null or (kind = 'system' and department_id is not null));
    create index principals_system on odx.principals (system_id) where system_id is not null;

    create table odx.share_requests (
      id bigint generated always as identity primary key,
      consumer_department_id bigint not null references odx.departments(id),
      provider_department_id bigint not null references odx.departments(id),
      resource_id bigint not null references odx.resources(id),
      resource_code text not null,
      demand_id bigint references odx.demands(id),
      consumer_system_id bigint references odx.systems(id),
      requested_by bigint references odx.principals(id),
      -- the share-request document as submitted (catalog-schemas/share-request.schema.json)
      doc jsonb not null,
      -- the strictest share type of the resource and the items asked for
      share_type text not null check (share_type in ('unconditional', 'conditional', 'none')),
      access_mode text not null check (access_mode in ('query', 'download', 'verify')),
      -- whether data was loaded here when the request was made (the provider gets longer otherwise)
      data_on_platform boolean not null,
      state text not null check (state in ('submitted', 'provider_review', 'granted', 'refused', 'disputed', 'denied', 'rejected', 'withdrawn')),
      -- the current state: since when, its limit in working days and the deadline computed from the calendar
      stage_started_at timestamptz not null,
      limit_days int,
      due_at timestamptz,
      reason text,
      dispute_reason text,
      dispute_basis text,
      grant_id bigint,
      submitted_at timestamptz not null,
      checked_at timestamptz,
      decided_at timestamptz,
      disputed_at timestamptz,
      closed_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (consumer_department_id <> provider_department_id),
      check ((due_at is null) = (state not in ('submitted', 'provider_review', 'disputed'))),
      check (state not in ('refused', 'denied', 'rejected') or reason is not null)
    );
    create index share_requests_consumer on odx.share_requests (consumer_department_id, id);
    create index share_requests_provider on odx.share_requests (provider_department_id, id);
    create index share_requests_waiting on odx.share_requests (state, due_at) where due_at is not null;
    create index share_requests_demand on odx.share_requests (demand_id) where demand_id is not null;
    create index share_requests_resource on odx.share_requests (resource_id, id);

    -- every transition: who, when, from which state, and whether the state left was past its deadline
    create table odx.share_request_steps (
      id bigint generated always as identity primary key,
      request_id bigint not null references odx.share_requests(id),
      step text not null,
      from_state text,
      to_state text not null,
      at timestamptz not null,
      actor text not null,
      actor_id bigint,
      automatic boolean not null default false,
      note text,
      due_at timestamptz,
      late boolean,
      detail jsonb not null default '{}'
    );
    create index share_request_steps_request on odx.share_request_steps (request_id, id);

    create table odx.grants (
      id bigint generated always as identity primary key,
      request_id bigint not null unique references odx.share_requests(id),
      consumer_department_id bigint not null references odx.departments(id),
      provider_department_id bigint not null references odx.departments(id),
      resource_id bigint not null references odx.resources(id),
      mode text not null check (mode in ('query', 'download', 'verify')),
      items text[] not null check (cardinality(items) > 0),
      -- AND of { column, op: 'eq' | 'in', value } on item names; [] = every row
      row_filter jsonb not null default '[]' check (jsonb_typeof(row_filter) = 'array'),
      -- masked items the provider approved to be seen raw
      raw_items text[] not null default '{}' check (raw_items <@ items),
      rate_limit int not null check (rate_limit > 0),
      starts_at timestamptz not null,
      ends_at timestamptz,
      -- 'unconditional' (granted at once), 'provider' or 'authority' (a dispute)
      decided_by text not null check (decided_by in ('unconditional', 'provider', 'authority')),
      status text not null default 'active' check (status in ('active', 'suspended', 'revoked', 'superseded')),
      status_reason text,
      status_at timestamptz,
      superseded_by bigint references odx.grants(id),
      created_at timestamptz not null default now(),
      check (ends_at is null or ends_at > starts_at),
      check (status = 'active' or status_at is not null)
    );
    -- one grant in force (active or suspended) per consumer, resource and mode: a new one supersedes it
    create unique index grants_one_in_force on odx.grants (consumer_department_id, resource_id, mode) where status in ('active', 'suspended');
    create index grants_consumer on odx.grants (consumer_department_id, id);
    create index grants_provider on odx.grants (provider_department_id, id);
    alter table odx.share_requests add constraint share_requests_grant foreign key (grant_id) references odx.grants(id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table odx.share_requests drop constraint share_requests_grant;
    drop table odx.grants, odx.share_request_steps, odx.share_requests;
    alter table odx.principals drop constraint principals_system_binding, drop column system_id;
  `);
}
