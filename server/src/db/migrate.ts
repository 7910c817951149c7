import type { Knex } from 'knex';
import { createKnex, type Database } from './connect.ts';
import { migrations } from './migrations/index.ts';
import { appPrivilegesSql } from './roles.ts';

/**
 * Migrations are TypeScript modules listed in migrations/index.ts (knex's directory
 * loader does not read TS under ESM); knex still records them in odx.knex_migrations.
 */
const source: Knex.MigrationSource<(typeof migrations)[number]> = {
  getMigrations: async () => migrations,
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m,
};

const config: Knex.MigratorConfig = { migrationSource: source, schemaName: 'odx', tableName: 'knex_migrations' };

export class SchemaTooNewError extends Error {}

export interface SchemaState {
  applied: string[];
  pending: string[];
  unknown: string[];
}

export async function schemaState(knex: Knex): Promise<SchemaState> {
  const known = migrations.map((m) => m.name);
  const table = await knex.raw(`select to_regclass('odx.knex_migrations') as t`);
  const applied: string[] = table.rows[0].t
    ? (await knex('odx.knex_migrations').select('name').orderBy('id')).map((r: { name: string }) => r.name)
    : [];
  return {
    applied,
    pending: known.filter((n) => !applied.includes(n)),
    unknown: applied.filter((n) => !known.includes(n)),
  };
}

/** Applies pending migrations; refuses to touch a database whose schema is newer than this code. */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const state = await schemaState(knex);
  if (state.unknown.length) {
    throw new SchemaTooNewError(
      `the database schema is newer than this ODX (unknown migrations: ${state.unknown.join(', ')}); upgrade ODX before using this database`,
    );
  }
  // a current schema needs no privilege to stay so: the application role may run this too
  if (state.pending.length === 0) return [];
  await knex.raw('create schema if not exists odx');
  const [, names] = (await knex.migrate.latest(config)) as [unknown, string[]];
  // tables a migration after 011 adds (in this run or a later one) get the application's privileges without each repeating them
  if (names.length && (await schemaState(knex)).applied.includes('011_least_privilege')) {
    await knex.raw(appPrivilegesSql());
  }
  return names;
}

/** Applies pending migrations as the schema's owner (the application role may not change the schema). */
export async function migrateAsOwner(db: Pick<Database, 'knex' | 'url' | 'ownerUrl'>): Promise<string[]> {
  const knex = db.ownerUrl === db.url ? db.knex : createKnex(db.ownerUrl, { min: 0, max: 1 });
  try {
    return await migrateLatest(knex);
  } catch (err) {
    if ((err as { code?: string }).code === '42501') {
      throw new MigrationPrivilegeError(`migrations must run as the schema's owner: ${(err as Error).message}; set ODX_MIGRATE_URL (or odx migrate --owner-url) to the owner's URL (docs/operations.md, "Database roles")`);
    }
    throw err;
  } finally {
    if (knex !== db.knex) await knex.destroy();
  }
}

export class MigrationPrivilegeError extends Error {}
