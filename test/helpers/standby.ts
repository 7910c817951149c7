import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { EmbeddedPostgres } from '../../server/src/db/embedded.ts';
import { freePort } from './cluster.ts';
import { eventually } from './wait.ts';

const run = promisify(execFile);

/**
 * A primary and a streaming standby made of it with PostgreSQL's low-level backup API, as
 * docs/operations.md ("Making a standby without pg_basebackup") tells an operator to: the embedded
 * package ships no pg_basebackup. The primary runs with wal_level=replica and WAL senders, a
 * replication role with its pg_hba.conf line, and a physical slot that keeps the WAL the standby
 * still needs.
 */
export interface Pair {
  primary: EmbeddedPostgres;
  standby: EmbeddedPostgres;
  /** Superuser URLs of the `database` on each. */
  primaryUrl: string;
  standbyUrl: string;
  /** The same database URL (any role, password kept) pointed at the standby. */
  onStandby(url: string): string;
  stop(): Promise<void>;
}

const SETTINGS = { wal_level: 'replica', max_wal_senders: '4', max_replication_slots: '4', fsync: 'off', synchronous_commit: 'off', max_connections: '100' };

/** Leaves out what the PostgreSQL manual says a base backup must not carry (or need not). */
const EXCLUDED_FILES = new Set(['postmaster.pid', 'postmaster.opts', 'server.log', 'backup_label', 'tablespace_map']);
const EMPTIED_DIRS = new Set(['pg_wal', 'pg_replslot', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans']);

export async function startPrimary(dir: string, database: string, settings: Record<string, string> = {}): Promise<{ primary: EmbeddedPostgres; url: string; port: number }> {
  const port = await freePort();
  const primary = new EmbeddedPostgres({ dataDir: path.join(dir, 'primary', 'pgdata'), port, settings: { ...SETTINGS, ...settings } });
  const url = await primary.start(database);
  return { primary, url, port };
}

export async function makeStandby(dir: string, primary: { url: string; port: number; primary: EmbeddedPostgres }, database: string, settings: Record<string, string> = {}): Promise<Pair> {
  const primaryDir = path.join(dir, 'primary', 'pgdata');
  const standbyDir = path.join(dir, 'standby', 'pgdata');
  const password = `repl-${process.pid}`;
  const admin = new pg.Client({ connectionString: primary.url });
  await admin.connect();
  try {
    // 1. a role that may replicate, its pg_hba.conf line, and a slot so the WAL from the backup on is kept
    await admin.query(`create role odx_replicator with login replication password '${password}'`);
    await fs.appendFile(path.join(primaryDir, 'pg_hba.conf'), '\nhost replication odx_replicator 127.0.0.1/32 scram-sha-256\n');
    await admin.query('select pg_reload_conf()');
    await admin.query(`select pg_create_physical_replication_slot('odx_standby', true)`);
    // 2. the low-level backup: start, copy the files, stop; the session must stay open throughout
    await admin.query(`select pg_backup_start('odx', true)`);
    await fs.mkdir(path.dirname(standbyDir), { recursive: true, mode: 0o755 });
    await fs.cp(primaryDir, standbyDir, {
      recursive: true,
      filter: (src) => {
        const rel = path.relative(primaryDir, src);
        if (EXCLUDED_FILES.has(rel)) return false;
        const [top, ...rest] = rel.split(path.sep);
        return !(EMPTIED_DIRS.has(top) && rest.length > 0) && !rel.includes('pgsql_tmp');
      },
    });
    await fs.mkdir(path.join(standbyDir, 'pg_wal', 'archive_status'), { recursive: true });
    const stopped = await admin.query('select labelfile, spcmapfile from pg_backup_stop(true)');
    // 3. the backup_label pg_backup_stop returned, standby.signal, and where the primary is
    await fs.writeFile(path.join(standbyDir, 'backup_label'), stopped.rows[0].labelfile);
    if (stopped.rows[0].spcmapfile) await fs.writeFile(path.join(standbyDir, 'tablespace_map'), stopped.rows[0].spcmapfile);
    await fs.writeFile(path.join(standbyDir, 'standby.signal'), '');
    await fs.appendFile(
      path.join(standbyDir, 'postgresql.auto.conf'),
      `primary_conninfo = 'host=127.0.0.1 port=${primary.port} user=odx_replicator password=${password} application_name=odx_standby'\nprimary_slot_name = 'odx_standby'\n`,
    );
  } finally {
    await admin.end();
  }
  // the embedded cluster keeps its superuser's password beside the data directory
  await fs.copyFile(path.join(dir, 'primary', 'pg-password'), path.join(dir, 'standby', 'pg-password'));
  if (process.getuid?.() === 0) await run('chown', ['-R', 'postgres:postgres', standbyDir]);
  await fs.chmod(standbyDir, 0o700);
  const port = await freePort();
  const standby = new EmbeddedPostgres({ dataDir: standbyDir, port, settings: { ...SETTINGS, ...settings } });
  const standbyUrl = await standby.start(database);
  const streaming = async () => {
    const r = await sqlRows(primary.url, `select state from pg_stat_replication where application_name = 'odx_standby'`);
    return r[0]?.state === 'streaming';
  };
  if (!(await eventually(streaming, 60_000))) throw new Error('the standby did not start streaming from the primary');
  const onStandby = (url: string) => {
    const u = new URL(url);
    u.port = String(port);
    return u.toString();
  };
  return {
    primary: primary.primary,
    standby,
    primaryUrl: primary.url,
    standbyUrl,
    onStandby,
    async stop() {
      await standby.stop('fast').catch(() => undefined);
      await primary.primary.stop('fast').catch(() => undefined);
    },
  };
}

export async function sqlRows(url: string, sql: string, params: unknown[] = []): Promise<Record<string, any>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}
