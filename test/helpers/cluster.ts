import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { EmbeddedPostgres } from '../../server/src/db/embedded.ts';
import { createKnex } from '../../server/src/db/connect.ts';
import { migrateLatest } from '../../server/src/db/migrate.ts';
import { APP_ROLE, ensureRoles, OWNER_ROLE } from '../../server/src/db/roles.ts';

/**
 * The suite's PostgreSQL: DATABASE_URL when set (CI's second run, as a superuser), else a
 * throw-away embedded cluster. One migrated template database is made per run; each test file
 * clones it (CREATE DATABASE ... TEMPLATE), which takes milliseconds. As in production the
 * schema belongs to odx_owner, which migrates it, and tests connect as odx_app.
 */
interface Cluster {
  adminUrl: string;
  template: string;
  /** A database's URL as the owner or the application role. */
  as(role: 'owner' | 'app', database: string): string;
  stop(): Promise<void>;
}

let cluster: Cluster | undefined;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** `durable: false` (tests) turns fsync off; benchmarks keep PostgreSQL's default durability. */
export async function startCluster(opts: { durable?: boolean } = {}): Promise<Cluster> {
  let adminUrl: string;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-test-'));
    await fs.chmod(dir, 0o755); // the postgres user must reach the data directory when we run as root
    const embedded = new EmbeddedPostgres({
      dataDir: path.join(dir, 'pgdata'),
      port: await freePort(),
      settings: opts.durable
        ? { max_connections: '200' }
        : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '200' },
    });
    adminUrl = await embedded.start('postgres');
    stopEmbedded = async () => {
      await embedded.stop('fast');
      await fs.rm(dir, { recursive: true, force: true });
    };
  }
  const passwords = { owner: `owner-${process.pid}`, app: `app-${process.pid}` };
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await ensureRoles(client, passwords).finally(() => client.end());
  const as = (role: 'owner' | 'app', database: string) => {
    const u = new URL(withDatabase(adminUrl, database));
    u.username = role === 'owner' ? OWNER_ROLE : APP_ROLE;
    u.password = passwords[role];
    return u.toString();
  };
  const template = `odx_tpl_${process.pid}`;
  await adminQuery(adminUrl, `drop database if exists ${template}`);
  await adminQuery(adminUrl, `create database ${template} owner ${OWNER_ROLE}`);
  const knex = createKnex(as('owner', template));
  try {
    await migrateLatest(knex);
  } finally {
    await knex.destroy();
  }
  cluster = {
    adminUrl,
    template,
    as,
    async stop() {
      await adminQuery(adminUrl, `drop database if exists ${template}`);
      await stopEmbedded?.();
    },
  };
  return cluster;
}

export async function adminQuery(adminUrl: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

export function currentCluster(): Cluster {
  if (!cluster) throw new Error('the test cluster is not started (test/setup.ts starts it)');
  return cluster;
}

/**
 * An admin URL for tests that need only TEMP tables: the suite's cluster when test/setup.ts started
 * one; run on their own (mocha --no-config), DATABASE_URL, or the machine's PostgreSQL.
 */
export function scratchDatabaseUrl(): string {
  try {
    return currentCluster().adminUrl;
  } catch {
    return process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  }
}
