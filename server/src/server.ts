import fs from 'node:fs/promises';
import type { Server } from 'node:http';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { closeServices, createApp } from './app.ts';
import { AuditChainer, registerChainer } from './audit/chainer.ts';
import { dailyCheckpoint } from './audit/checkpoints.ts';
import { HeadSigner } from './audit/signing.ts';
import type { Config } from './config.ts';
import { settleCryptoSuite } from './db/crypto-suite.ts';
import { openDatabase, redact, type Database } from './db/connect.ts';
import { migrateAsOwner } from './db/migrate.ts';
import { connectsPrivileged } from './db/roles.ts';
import { seedDemo } from './demo/seed.ts';
import { createLogger } from './http/observability.ts';
import { failInterruptedLoads, removeStaleUploads } from './loads/service.ts';
import { governanceJobs } from './governance/schedule.ts';
import { Scheduler, type Job } from './system/jobs.ts';

export interface Running {
  server: Server;
  db: Database;
  url: string;
  log: Logger;
  stop(): Promise<void>;
}

/** Opens the database, migrates, optionally seeds the demo, and listens; SIGINT/SIGTERM shut down gracefully. */
export async function startServer(config: Config, opts: { demo?: boolean; handleSignals?: boolean } = {}): Promise<Running> {
  const log = createLogger(config.logLevel);
  await fs.mkdir(config.homeDir, { recursive: true, mode: 0o755 });
  const db = await openDatabase(config, (line) => log.debug({ postgres: line.trim() }, 'embedded postgres'), { create: true });
  log.info({ database: redact(db.url), embedded: Boolean(db.embedded) }, 'database open');
  const applied = await migrateAsOwner(db);
  if (applied.length) log.info({ applied }, 'migrations applied');
  if (await connectsPrivileged(db.knex)) log.warn('the application connects as a superuser or the schema owner, so its credentials could rewrite the audit trail: connect as odx_app (docs/operations.md, "Database roles")');
  // before anything is hashed: an installation keeps the suite it was created with
  const suite = await settleCryptoSuite(db, config.crypto).catch(async (err: Error) => {
    await db.close();
    throw err;
  });
  const signer = await HeadSigner.load(config.homeDir, suite);
  const chainer = new AuditChainer(db.url, log).start();
  registerChainer(db.knex, chainer);
  const demo = opts.demo ? await seedDemo(db.knex, config) : undefined;
  const interrupted = await failInterruptedLoads(db.knex);
  if (interrupted.length) log.warn({ loads: interrupted }, 'loads interrupted by a previous stop were marked failed');
  const removed = await removeStaleUploads(db.knex, config.homeDir);
  if (removed.length) log.warn({ files: removed }, 'uploads left by stopped loads were removed');
  const { server: httpServer, services } = createApp({ knex: db.knex, config, log, signer });
  const scheduler = new Scheduler(db.knex, periodicJobs(db.knex, config, signer, log), log).start();
  const server = await new Promise<Server>((resolve, reject) => {
    const s = httpServer().listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  log.info({ url }, 'ODX is listening');
  if (demo) {
    process.stdout.write(`\nODX is running at ${url}\n  API reference: ${url}/docs/api\n  admin token:   ${demo.adminTokenFile} (mode 0600)\n  sign-in:       ${demo.accountsFile} (mode 0600: demo logins and passwords)\n  data:          ${config.homeDir}\n\n`);
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('shutting down: no new connections, finishing requests in flight');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await closed;
      clearTimeout(timer);
      await scheduler.stop();
      await closeServices(services);
      await chainer.stop();
      await db.close('smart');
      log.info('stopped');
    })());
  if (opts.handleSignals) stopOnSignals(stop, log);
  return { server, db, url, log, stop };
}

/** On SIGINT or SIGTERM: stop, then exit 0 (1 when stopping failed). A worker process and a cluster's primary stop the same way. */
export function stopOnSignals(stop: () => Promise<void>, log: Logger): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      stop().then(
        () => process.exit(0),
        (err) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

/**
 * The installation's periodic work, each run once per period across all its processes
 * (system/jobs.ts): loads whose process stopped beating are marked failed; the daily signed
 * checkpoint is made when due (checked hourly); last month's indicator snapshot, which trends
 * read, is made when missing (checked hourly, so also soon after the month turns).
 */
export function periodicJobs(knex: Knex, config: Config, signer: HeadSigner, log: Logger): Job[] {
  return [
    {
      name: 'loads.sweep',
      everyMs: 30_000,
      run: async () => {
        const failed = await failInterruptedLoads(knex);
        if (failed.length) log.warn({ loads: failed }, 'loads whose process stopped were marked failed');
      },
    },
    { name: 'audit.checkpoint', everyMs: 3_600_000, run: () => dailyCheckpoint(knex, signer) },
    // monthly snapshots (last month's made on start when missing), alert checks, webhook deliveries
    ...governanceJobs(knex, config, log),
  ];
}
