import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { closeServices, createApp, type App } from '../../../server/src/app.ts';
import { chainPending } from '../../../server/src/audit/chain.ts';
import { AuditChainer, registerChainer } from '../../../server/src/audit/chainer.ts';
import { HeadSigner } from '../../../server/src/audit/signing.ts';
import { loadConfig } from '../../../server/src/config.ts';
import { createLogger } from '../../../server/src/http/observability.ts';
import { executeLoad, loadCreator } from '../../../server/src/loads/service.ts';
import { makeDepartment, TEST_ACTOR, type Dept } from '../../helpers/app.ts';
import { publishedResource } from '../../helpers/census.ts';
import { report, fmt } from './report.ts';
import { registerItems, writeRegisterCsv } from './register.ts';
import { listenLocal } from './listen.ts';

/** The register benchmarks read: `rows` generated rows, loaded through the real loader into a published open resource. */
export async function registerDataset(knex: Knex, rows: number, over: Record<string, unknown> = {}, superuser: Knex = knex): Promise<{ provider: Dept; resource: Record<string, any>; table: string }> {
  const csv = path.join(os.tmpdir(), `odx-bench-register-${rows}.csv`);
  if (!fs.existsSync(csv)) await writeRegisterCsv(csv, rows);
  const provider = await makeDepartment(knex, '滨海市市场监督管理局（基准）');
  // the catalogue schema gives money a scale only as N (数值型)
  const items = registerItems.map((i) => ({ ...i, ...(i.type === 'Y' ? { type: 'N' } : {}), ...(i.name === 'phone' ? { sensitivity: 'personal', mask: 'mobile' } : {}) }));
  const resource = await publishedResource(knex, provider.uscc, { name: '市场主体登记信息', items, domain: 'market', ...over });
  const loadId = await loadCreator(knex, { actor: TEST_ACTOR }, resource.id, { mode: 'replace', maxErrors: 0, encoding: 'auto', fileName: 'register.csv' });
  const t0 = Date.now();
  const outcome = await executeLoad(knex, { actor: TEST_ACTOR }, loadId, csv, { retention: 3 });
  if (!outcome.ok) throw new Error(`load failed: ${JSON.stringify(outcome.error)}`);
  report('setup: load of the dataset', { rows: fmt(outcome.result!.rows), 'rows/s': fmt(outcome.result!.rows / ((Date.now() - t0) / 1000)) });
  const table = `data.r${resource.id}_v${outcome.version}`;
  // settle what a fresh million-row table leaves for later, so no autovacuum or checkpoint runs inside a measurement
  // (a checkpoint is not the application role's to run: pass the superuser connection)
  await superuser.raw(`vacuum (analyze) ${table}`);
  await superuser.raw('checkpoint');
  return { provider, resource: await knex('odx.resources').where({ id: resource.id }).first(), table };
}

/**
 * Lets the database finish what a phase of heavy reads left behind before the next phase is
 * timed: the chainer's backlog, then a vacuum of the audit tables (each read wrote an event, so
 * autovacuum would otherwise start on them inside the next measurement) and a checkpoint.
 */
export async function settleAudit(knex: Knex, superuser: Knex): Promise<void> {
  await chainPending(knex);
  // vacuuming the owner's tables and a checkpoint are not the application role's to do
  await superuser.raw('vacuum (analyze) odx.audit_pending, odx.audit_events');
  await superuser.raw('checkpoint');
}

/**
 * The real app on a loopback port as `odx serve` runs it (audit chainer included), rate limits off (the
 * benchmark is one client); `webDir` for another web build than web/dist, `env` for other settings.
 */
export async function serveApp(
  { knex, url }: { knex: Knex; url: string },
  opts: { webDir?: string; env?: Record<string, string> } = {},
): Promise<App & { base: string; close(): Promise<void> }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'odx-bench-home-'));
  const config = loadConfig({
    ODX_HOME: home, ODX_LOG_LEVEL: 'silent', ODX_RATE_LIMIT_ANONYMOUS: '0', ODX_RATE_LIMIT_KEY: '0',
    ...(opts.webDir ? { ODX_WEB_DIR: opts.webDir } : {}),
    ...opts.env,
  } as NodeJS.ProcessEnv);
  const log = createLogger('silent');
  const chainer = new AuditChainer(url, log).start();
  registerChainer(knex, chainer);
  const built = createApp({ knex, config, log, signer: await HeadSigner.load(home) });
  const server = built.server();
  const base = await listenLocal(server);
  return {
    ...built,
    base,
    async close() {
      await new Promise((r) => server.close(r));
      await closeServices(built.services);
      await chainer.stop();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
