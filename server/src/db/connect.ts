import { existsSync } from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import type { Config } from '../config.ts';
import { EmbeddedPostgres } from './embedded.ts';

// bigint counts and sequence numbers fit in a JS number; dates stay 'YYYY-MM-DD' strings
// (a JS Date would shift them by the time zone); numeric stays a string so money keeps its digits.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export interface Database {
  /** Connected as the application role. */
  knex: Knex;
  url: string;
  /** The schema owner's connection URL, for migrations (docs/security.md, "Database roles"). */
  ownerUrl: string;
  embedded?: EmbeddedPostgres;
  close(mode?: 'smart' | 'fast'): Promise<void>;
}

export class DatabaseUnreachableError extends Error {}

/** There is no installation where a command looked: no DATABASE_URL and no embedded cluster in $ODX_HOME. */
export class NoInstallationError extends DatabaseUnreachableError {}

/**
 * Opens the configured PostgreSQL: DATABASE_URL when set (the application role; migrations use
 * ODX_MIGRATE_URL when set), else the embedded cluster in $ODX_HOME/pgdata with its own roles.
 * Only `create` (odx serve, odx migrate) makes a new cluster when there is none: any other command
 * run outside the server's ODX_HOME would otherwise start a second, empty installation.
 */
export async function openDatabase(config: Config, onLog?: (line: string) => void, opts: { create?: boolean } = {}): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  let ownerUrl = config.migrateUrl ?? url;
  if (!url) {
    const dataDir = path.join(config.homeDir, 'pgdata');
    if (!opts.create && !existsSync(path.join(dataDir, 'PG_VERSION'))) {
      throw new NoInstallationError(
        `no ODX installation here: looked for an embedded database in ${dataDir} and found none, and DATABASE_URL is not set. ` +
          'Set ODX_HOME to the data directory of the server (where `odx serve` keeps pgdata), or DATABASE_URL to its PostgreSQL.',
      );
    }
    embedded = new EmbeddedPostgres({ dataDir, port: config.embeddedPgPort, onLog });
    const roles = await embedded.roleUrls(await embedded.start());
    url = roles.app;
    ownerUrl = roles.owner;
  }
  const knex = createKnex(url, { min: 0, max: config.dbPool });
  try {
    await knex.raw('select 1');
  } catch (err) {
    await knex.destroy();
    await embedded?.stop();
    throw new DatabaseUnreachableError(`cannot reach PostgreSQL at ${redact(url)}: ${(err as Error).message}`);
  }
  return {
    knex,
    url,
    ownerUrl: ownerUrl!,
    embedded,
    async close(mode = 'fast') {
      await knex.destroy();
      await embedded?.stop(mode);
    },
  };
}

/** `applicationName` shows in pg_stat_activity: `odx-read` marks the connections that serve reads on a replica. */
export function createKnex(url: string, pool = { min: 0, max: 10 }, applicationName = 'odx'): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: applicationName },
    pool,
    acquireConnectionTimeout: 10_000,
    // knex would print pool errors to the console as well as throwing them; the caller reports them once
    log: { warn() {}, error() {}, deprecate() {}, debug() {} },
  });
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
