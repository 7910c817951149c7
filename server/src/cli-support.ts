/**
 * What the `odx` commands share: the operator as actor, the one-line usage error (exit 2) and
 * opening the database for a one-off command. Command groups in their own modules import these
 * instead of reaching into cli.ts (which parses argv when loaded).
 */
import os from 'node:os';
import type { Actor } from './audit/chain.ts';
import { chainPending } from './audit/chain.ts';
import { loadConfig, type Config } from './config.ts';
import { openDatabase, type Database } from './db/connect.ts';
import { checkCryptoSuite, settleCryptoSuite } from './db/crypto-suite.ts';
import { MigrationPrivilegeError, migrateAsOwner, schemaState, SchemaTooNewError } from './db/migrate.ts';

/** A failure the operator can act on: printed as one line, exit code 2. */
export class UsageError extends Error {}

export const cliActor = (): Actor => ({ kind: 'cli', label: `cli:${os.userInfo().username}` });

export function config(): Config {
  try {
    return loadConfig();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * Opens the database for a one-off command as the application role; the schema must be current
 * (run `odx migrate` first). `migrate` migrates first, as the owner (`ownerUrl` overrides ODX_MIGRATE_URL).
 * Only `migrate` may create the embedded cluster; other commands find none and say where they looked.
 * The installation's cryptographic suite must be ODX_CRYPTO's (`migrate` records it on a new one),
 * except for `restore` (`suiteFromBackup`), which brings the backup's.
 */
export async function withDatabase<T>(work: (db: Database) => Promise<T>, opts: { migrate?: boolean; ownerUrl?: string; suiteFromBackup?: boolean } = {}): Promise<T> {
  const db = await openDatabase(config(), undefined, { create: opts.migrate });
  if (opts.ownerUrl) db.ownerUrl = opts.ownerUrl;
  try {
    if (opts.migrate) {
      await migrateAsOwner(db).catch((err: Error) => {
        throw err instanceof MigrationPrivilegeError ? new UsageError(err.message) : err;
      });
      if (!opts.suiteFromBackup) await settleCryptoSuite(db, config().crypto);
    } else {
      const state = await schemaState(db.knex);
      if (state.unknown.length) throw new SchemaTooNewError(`the database schema is newer than this ODX (unknown migrations: ${state.unknown.join(', ')})`);
      if (state.pending.length) throw new UsageError(`the database schema is not current (pending: ${state.pending.join(', ')}); run \`odx migrate\``);
      await checkCryptoSuite(db.knex, config().crypto);
    }
    const result = await work(db);
    await chainPending(db.knex);
    return result;
  } finally {
    await db.close();
  }
}
