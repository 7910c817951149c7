import type { Knex } from 'knex';
import { loaderFunctionsSql } from '../../../../loaders/sql.ts';

/**
 * Loads and data versions. Each loaded version of a resource is a real typed table in
 * schema `data` (data.r<resource>_v<version>); the resource points at its current one and
 * a load switches the pointer in the transaction that built the table.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(loaderFunctionsSql());
  await knex.raw(`
    create table odx.loads (
      id bigint generated always as identity primary key,
      resource_id bigint not null references odx.resources(id),
      state text not null check (state in ('queued', 'running', 'succeeded', 'failed')),
      mode text not null check (mode in ('replace', 'append', 'upsert')),
      options jsonb not null,
      file_name text,
      total_bytes bigint,
      bytes_read bigint not null default 0,
      rows_read bigint not null default 0,
      rows_loaded bigint,
      rejected bigint,
      version int,
      result jsonb,
      error jsonb,
      actor text not null,
      actor_id bigint,
      host text not null,
      pid int not null,
      heartbeat_at timestamptz not null default now(),
      created_at timestamptz not null default now(),
      started_at timestamptz,
      finished_at timestamptz
    );
    create index loads_resource on odx.loads (resource_id, id);
    create index loads_unfinished on odx.loads (state) where state in ('queued', 'running');

    create table odx.load_rejects (
      load_id bigint not null references odx.loads(id),
      n int not null,
      record bigint not null,
      line bigint,
      column_name text,
      header text,
      value text,
      rule text not null,
      message text not null,
      primary key (load_id, n)
    );

    create table odx.resource_versions (
      resource_id bigint not null references odx.resources(id),
      version int not null,
      table_name text not null,
      -- the items (columns) this version was loaded with: a revision may change them
      items jsonb not null,
      rows bigint not null,
      profile jsonb not null,
      load_id bigint references odx.loads(id),
      created_at timestamptz not null default now(),
      dropped_at timestamptz,
      primary key (resource_id, version)
    );

    alter table odx.resources
      add column current_version int,
      add column data_rows bigint,
      add column quality jsonb;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table odx.resources drop column current_version, drop column data_rows, drop column quality;
    drop table odx.resource_versions, odx.load_rejects, odx.loads;
  `);
}
