import type { Knex } from 'knex';

/**
 * Catalogue search at a bounded cost per request (docs/search.md, server/src/census/resources/search-keys.ts):
 *
 * - `odx.search_keys(...)`: an entry's search document as index keys — every lexeme of its
 *   search vector plus one key per facet value (`~domain=market`, `~department_id=7`, …) and
 *   `~` (every entry). With `bucketed`, every key carries the entry's id bucket (id >> 10), so
 *   the posting list of `信息/97` holds only the entries 99,328–100,351 that contain 信息.
 * - `resources_recent`: GIN over the bucketed keys. The newest matches of a query are read from
 *   its newest buckets — the work is that of the matches found, not of every match.
 * - `resources_sample`: GIN over the plain keys of a fixed 1/32 sample of the entries, in runs
 *   of four consecutive ids (`hashint8(id >> 2) & 31 = 0`: a run mostly shares a heap page), for
 *   the facet estimates of large match sets.
 * - `resources_hidden`: the entries only their department (and the authority) sees.
 * - `resource_facet_counts` (+ `resource_facet_deltas`): facet counts of the whole catalogue,
 *   kept by statement triggers, so browsing without a filter counts exactly without reading it.
 * - No parallel scans of odx.resources: every query of it reads a bounded number of rows, and
 *   starting workers cost more than such a query (measured: 23 ms for a stage that then did not run).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function odx.search_keys(search tsvector, id bigint, department_id bigint, domain text, share_type text,
                                    open_type text, format_type text, update_cycle text, bucketed boolean)
    returns tsvector language sql immutable parallel safe as $$
      select array_to_tsvector(array(
        select case when bucketed then k || '/' || (id >> 10)::text else k end
        from unnest(tsvector_to_array(search) || array_remove(array[
          '~', '~department_id=' || department_id::text, '~domain=' || domain, '~share_type=' || share_type,
          '~open_type=' || open_type, '~format_type=' || format_type, '~update_cycle=' || update_cycle], null)) k))
    $$;

    create index resources_recent on odx.resources using gin (
      odx.search_keys(search, id, department_id, domain, share_type, open_type, format_type, update_cycle, true));
    create index resources_sample on odx.resources using gin (
      odx.search_keys(search, id, department_id, domain, share_type, open_type, format_type, update_cycle, false))
      where (hashint8(id >> 2) & 31) = 0;
    create index resources_hidden on odx.resources (department_id) where published_doc is null or retired_at is not null;
    alter table odx.resources set (parallel_workers = 0);

    -- facet value counts of the catalogue; hidden: entries only their department and the authority see
    create table odx.resource_facet_counts (
      facet text not null,
      value text not null,
      hidden boolean not null,
      n bigint not null,
      primary key (facet, value, hidden)
    );
    -- changes not yet folded into the counts: writers only append, so they never wait for each other
    create table odx.resource_facet_deltas (
      id bigint generated always as identity primary key,
      facet text not null,
      value text not null,
      hidden boolean not null,
      n bigint not null
    );

    create function odx.resource_facet_values(r odx.resources) returns table (facet text, value text, hidden boolean)
    language sql immutable as $$
      select f.facet, f.value, r.published_doc is null or r.retired_at is not null
      from (values ('department_id', r.department_id::text), ('domain', r.domain), ('share_type', r.share_type),
                   ('open_type', r.open_type), ('format_type', r.format_type), ('update_cycle', r.update_cycle)) f(facet, value)
      where f.value is not null
    $$;

    create function odx.resource_facet_changes() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into odx.resource_facet_deltas (facet, value, hidden, n)
        select v.facet, v.value, v.hidden, count(*) from new_rows r, odx.resource_facet_values(r) v group by 1, 2, 3;
      elsif tg_op = 'DELETE' then
        insert into odx.resource_facet_deltas (facet, value, hidden, n)
        select v.facet, v.value, v.hidden, -count(*) from old_rows r, odx.resource_facet_values(r) v group by 1, 2, 3;
      else
        insert into odx.resource_facet_deltas (facet, value, hidden, n)
        select facet, value, hidden, sum(d) from (
          select v.*, 1 as d from new_rows r, odx.resource_facet_values(r) v
          union all
          select v.*, -1 from old_rows r, odx.resource_facet_values(r) v
        ) x group by 1, 2, 3 having sum(d) <> 0;
      end if;
      return null;
    end $$;

    create function odx.resource_facet_reset() returns trigger language plpgsql as $$
    begin
      delete from odx.resource_facet_counts;
      delete from odx.resource_facet_deltas;
      return null;
    end $$;

    create trigger resource_facets_insert after insert on odx.resources referencing new table as new_rows
      for each statement execute function odx.resource_facet_changes();
    create trigger resource_facets_update after update on odx.resources referencing old table as old_rows new table as new_rows
      for each statement execute function odx.resource_facet_changes();
    create trigger resource_facets_delete after delete on odx.resources referencing old table as old_rows
      for each statement execute function odx.resource_facet_changes();
    create trigger resource_facets_truncate after truncate on odx.resources
      for each statement execute function odx.resource_facet_reset();

    insert into odx.resource_facet_counts (facet, value, hidden, n)
    select v.facet, v.value, v.hidden, count(*) from odx.resources r, odx.resource_facet_values(r) v group by 1, 2, 3;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop trigger resource_facets_insert on odx.resources;
    drop trigger resource_facets_update on odx.resources;
    drop trigger resource_facets_delete on odx.resources;
    drop trigger resource_facets_truncate on odx.resources;
    drop function odx.resource_facet_changes(), odx.resource_facet_reset();
    drop function odx.resource_facet_values(odx.resources);
    drop table odx.resource_facet_deltas, odx.resource_facet_counts;
    alter table odx.resources reset (parallel_workers);
    drop index odx.resources_hidden, odx.resources_sample, odx.resources_recent;
    drop function odx.search_keys(tsvector, bigint, bigint, text, text, text, text, text, boolean);
  `);
}
