import type { Knex } from 'knex';
import { migrations } from './migrations/index.ts';

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
  await knex.raw('create schema if not exists odx');
  const [, names] = await knex.migrate.latest(config);
  return names as string[];
}
