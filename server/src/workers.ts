import cluster, { type Worker } from 'node:cluster';
import fs from 'node:fs/promises';
import { HeadSigner } from './audit/signing.ts';
import type { Config } from './config.ts';
import { openDatabase, redact } from './db/connect.ts';
import { migrateAsOwner } from './db/migrate.ts';
import { seedDemo } from './demo/seed.ts';
import { createLogger } from './http/observability.ts';
import { stopOnSignals } from './server.ts';

/**
 * `odx serve --workers N`: N server processes on one host sharing its port (node:cluster hands
 * each new connection to one of them). This process does what must happen once before they
 * start — start the embedded PostgreSQL when there is no DATABASE_URL, migrate, make the signing
 * key, seed the demo — then gives the workers the database's URLs, replaces a worker that dies,
 * and on SIGINT/SIGTERM stops them (each finishes its requests) before stopping the database.
 * Everything the workers share lives in PostgreSQL (docs/architecture.md, "Several processes").
 */
export async function serveWorkers(config: Config, opts: { workers: number; demo?: boolean }): Promise<void> {
  const log = createLogger(config.logLevel);
  await fs.mkdir(config.homeDir, { recursive: true, mode: 0o755 });
  const db = await openDatabase(config, (line) => log.debug({ postgres: line.trim() }, 'embedded postgres'), { create: true });
  log.info({ database: redact(db.url), embedded: Boolean(db.embedded), workers: opts.workers }, 'database open');
  const applied = await migrateAsOwner(db);
  if (applied.length) log.info({ applied }, 'migrations applied');
  // made here so that the workers do not race to make different keys
  await HeadSigner.load(config.homeDir);
  const demo = opts.demo ? await seedDemo(db.knex, config) : undefined;
  await db.knex.destroy();

  const env = { DATABASE_URL: db.url, ODX_MIGRATE_URL: db.ownerUrl };
  let stopping = false;
  const fork = () => cluster.fork(env);
  cluster.on('exit', (worker: Worker, code, signal) => {
    if (stopping) return;
    log.error({ worker: worker.process.pid, code, signal }, 'a server worker stopped; starting another');
    setTimeout(fork, 1000).unref();
  });
  let listening = 0;
  cluster.on('listening', () => {
    if (++listening === opts.workers && demo) {
      const url = `http://localhost:${config.port}`;
      process.stdout.write(`\nODX is running at ${url} (${opts.workers} processes)\n  API reference: ${url}/docs/api\n  admin token:   ${demo.adminTokenFile} (mode 0600)\n  sign-in:       ${demo.accountsFile} (mode 0600: demo logins and passwords)\n  data:          ${config.homeDir}\n\n`);
    }
  });
  for (let i = 0; i < opts.workers; i++) fork();

  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down the server workers');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w));
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            w.once('exit', () => resolve());
            w.process.kill('SIGTERM');
          }),
      ),
    );
    await db.embedded?.stop('smart');
    log.info('stopped');
  };
  stopOnSignals(stop, log);
}
