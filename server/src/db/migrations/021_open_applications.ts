import type { Knex } from 'knex';

/**
 * Applications for conditionally open data (有条件开放, docs/open-data-applications.md): a developer
 * applies, the providing department's officer answers within a working-day limit, and an approval
 * makes a grant in odx.grants held by the developer's account instead of a department, so every
 * read is enforced by the sharing grant machinery (items, rows, masking, period, rate, revocation).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table odx.open_applications (
      id bigint generated always as identity primary key,
      developer_id bigint not null references odx.principals(id),
      resource_id bigint not null references odx.resources(id),
      resource_code text not null,
      provider_department_id bigint not null references odx.departments(id),
      -- the application document as submitted (catalog-schemas/open-application.schema.json)
      doc jsonb not null,
      access_mode text not null check (access_mode in ('query', 'download')),
      state text not null check (state in ('provider_review', 'granted', 'refused', 'withdrawn')),
      -- the provider's limit in working days and the deadline computed from the calendar when submitted
      limit_days int,
      due_at timestamptz,
      reason text,
      note text,
      grant_id bigint,
      submitted_at timestamptz not null,
      decided_at timestamptz,
      decided_by bigint references odx.principals(id),
      -- the answer came at or after the deadline
      late boolean,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check ((due_at is null) = (state <> 'provider_review')),
      check (state <> 'refused' or reason is not null),
      check ((grant_id is not null) = (state = 'granted'))
    );
    create index open_applications_developer on odx.open_applications (developer_id, id);
    create index open_applications_provider on odx.open_applications (provider_department_id, id);
    create index open_applications_waiting on odx.open_applications (due_at) where due_at is not null;

    -- a grant is held by a consumer department (decided on a share request) or by a developer account (on an application)
    alter table odx.grants
      alter column request_id drop not null,
      alter column consumer_department_id drop not null,
      add column developer_id bigint references odx.principals(id),
      add column application_id bigint unique references odx.open_applications(id),
      add constraint grants_holder check ((consumer_department_id is null) <> (developer_id is null)),
      add constraint grants_origin check ((request_id is null) <> (application_id is null)),
      add constraint grants_developer_origin check (developer_id is null or application_id is not null);
    create unique index grants_one_in_force_developer on odx.grants (developer_id, resource_id, mode) where status in ('active', 'suspended') and developer_id is not null;
    create index grants_developer on odx.grants (developer_id, id) where developer_id is not null;
    alter table odx.open_applications add constraint open_applications_grant foreign key (grant_id) references odx.grants(id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table odx.open_applications drop constraint open_applications_grant;
    delete from odx.grants where developer_id is not null;
    drop index odx.grants_one_in_force_developer;
    drop index odx.grants_developer;
    alter table odx.grants
      drop constraint grants_developer_origin,
      drop constraint grants_origin,
      drop constraint grants_holder,
      drop column application_id,
      drop column developer_id,
      alter column consumer_department_id set not null,
      alter column request_id set not null;
    drop table odx.open_applications;
  `);
}
