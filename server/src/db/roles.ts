import type { Knex } from 'knex';
import type pg from 'pg';

/**
 * The database roles ODX runs as (docs/security.md, "Database roles"):
 * - `odx_owner` owns the schemas `odx` and `data` and everything in `odx`; migrations run as it.
 * - `odx_app` is what the API, the chainer and the CLI's everyday commands connect as. It reads
 *   and writes the working tables, creates and drops the tables of loaded versions (schema
 *   `data`, which it owns), appends to odx.audit_pending and moves pending events into the chain
 *   only through odx.audit_chain. It owns nothing in `odx`, so it cannot alter a table or disable
 *   a trigger; it holds no UPDATE or DELETE on the chain, its head or the pending events; and it
 *   is no superuser, so `session_replication_role` is closed to it.
 * With an external server, `odx_app` may be a group role the login role is a member of.
 */
export const OWNER_ROLE = 'odx_owner';
export const APP_ROLE = 'odx_app';

/** Tables the application reads but never writes: the chain, its head, the migrations' record, the cryptographic suite. */
const READ_ONLY = ['odx.audit_events', 'odx.audit_head', 'odx.knex_migrations', 'odx.knex_migrations_lock', 'odx.crypto_suite'];
/** Tables the application appends to and reads, never changes: events before the chain, signed checkpoints. */
const APPEND_ONLY = ['odx.audit_pending', 'odx.audit_checkpoints'];

/**
 * Every privilege of the application role, in one statement list: run by each migration pass
 * (server/src/db/migrate.ts) so that tables a later migration adds are covered too. Idempotent.
 */
export function appPrivilegesSql(): string {
  return `
    do $$ begin
      if not exists (select from pg_roles where rolname = '${APP_ROLE}') then
        create role ${APP_ROLE} nologin;
      end if;
    exception when insufficient_privilege then
      raise exception 'the role ${APP_ROLE} does not exist and % may not create it', current_user
        using hint = 'create the roles as docs/operations.md ("Database roles") says, then run odx migrate again';
    end $$;
    grant usage on schema odx to ${APP_ROLE};
    grant usage, create on schema data to ${APP_ROLE};
    grant select, insert, update, delete on all tables in schema odx to ${APP_ROLE};
    -- a table of a later migration (odx.crypto_suite) is not there yet when 011 runs this
    do $$ declare t text; begin
      foreach t in array array['${READ_ONLY.join("', '")}'] loop
        if to_regclass(t) is not null then
          execute format('revoke insert, update, delete, truncate, references, trigger on %s from ${APP_ROLE}', t);
        end if;
      end loop;
    end $$;
    revoke update, delete, truncate, references, trigger on ${APPEND_ONLY.join(', ')} from ${APP_ROLE};
    grant usage, select on all sequences in schema odx to ${APP_ROLE};
    revoke all on function odx.audit_chain(bigint, bigint[], text[]) from public;
    grant execute on function odx.audit_chain(bigint, bigint[], text[]) to ${APP_ROLE};
    -- pg-boss's queue (migration 022): the application works its rows; its tables are the owner's
    do $$ begin
      if to_regnamespace('pgboss') is not null then
        grant usage on schema pgboss to ${APP_ROLE};
        grant select, insert, update, delete on all tables in schema pgboss to ${APP_ROLE};
      end if;
    end $$;
    -- the tables of loaded versions are the application's: it creates them, and drops them past retention
    do $$ declare t record; begin
      for t in select c.oid::regclass as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
               where n.nspname = 'data' and c.relkind in ('r', 'p') and pg_get_userbyid(c.relowner) <> '${APP_ROLE}'
      loop
        execute format('alter table %s owner to ${APP_ROLE}', t.name);
      end loop;
    end $$;`;
}

/**
 * What a superuser runs on a cluster ODX manages (the embedded one, the test suite's): the two
 * login roles with these passwords; the owner may hand version tables to the application.
 */
export async function ensureRoles(superuser: pg.ClientBase, passwords: { owner: string; app: string }): Promise<void> {
  for (const [role, password] of [[OWNER_ROLE, passwords.owner], [APP_ROLE, passwords.app]]) {
    const exists = (await superuser.query('select 1 from pg_roles where rolname = $1', [role])).rowCount;
    const how = `login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password ${superuser.escapeLiteral(password)}`;
    try {
      await superuser.query(`${exists ? 'alter' : 'create'} role ${role} ${how}`);
    } catch (err) {
      // another process sharing the cluster (a second test run) made it first
      if ((err as { code?: string }).code !== '42710' && (err as { code?: string }).code !== '23505') throw err;
      await superuser.query(`alter role ${role} ${how}`);
    }
  }
  await superuser.query(`grant ${APP_ROLE} to ${OWNER_ROLE}`);
}

/**
 * Makes the owner own the database and — on an installation made before the roles existed — the
 * objects the bootstrap superuser created in it: schema `odx` and all in it to the owner, the
 * version tables in `data` to the application. Run as a superuser connected to the database.
 */
export async function handOverDatabase(superuser: pg.ClientBase, database: string): Promise<void> {
  await superuser.query(`alter database ${superuser.escapeIdentifier(database)} owner to ${OWNER_ROLE}`);
  await superuser.query(`
    do $$ declare o record; begin
      if to_regnamespace('odx') is null then return; end if;
      if pg_get_userbyid((select nspowner from pg_namespace where nspname = 'odx')) = '${OWNER_ROLE}' then return; end if;
      execute 'alter schema odx owner to ${OWNER_ROLE}';
      execute 'alter schema data owner to ${OWNER_ROLE}';
      for o in select c.oid::regclass as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
               where n.nspname = 'odx' and c.relkind in ('r', 'p', 'v', 'm', 'f')
      loop
        execute format('alter table %s owner to ${OWNER_ROLE}', o.name);
      end loop;
      for o in select p.oid::regprocedure as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'odx'
      loop
        execute format('alter routine %s owner to ${OWNER_ROLE}', o.name);
      end loop;
      for o in select c.oid::regclass as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
               where n.nspname = 'data' and c.relkind in ('r', 'p')
      loop
        execute format('alter table %s owner to ${APP_ROLE}', o.name);
      end loop;
    end $$`);
}

/** Whether the application's connection could rewrite the audit trail: a superuser, or the schema's owner or one of its members. */
export async function connectsPrivileged(knex: Knex): Promise<boolean> {
  const r = await knex.raw(`select r.rolsuper or coalesce(pg_has_role(current_user, n.nspowner, 'MEMBER'), false) as privileged
    from pg_roles r left join pg_namespace n on n.nspname = 'odx' where r.rolname = current_user`);
  return Boolean(r.rows[0]?.privileged);
}
