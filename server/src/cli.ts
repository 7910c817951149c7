import cluster from 'node:cluster';
import { DEMO_EXAMPLE_RESOURCE } from './demo/census.ts';
import { Command, InvalidArgumentError } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import type { z } from 'zod';
import { runCommand } from './audit/command.ts';
import { parseKeptHeads, verifyAgainst, verifyChain } from './audit/verify.ts';
import { HeadSigner } from './audit/signing.ts';
import { chainPending } from './audit/chain.ts';
import { principalCreator } from './auth/accounts/commands.ts';
import { PrincipalCreate } from './auth/accounts/schema.ts';
import { registerPasswordCommand } from './auth/password-cli.ts';
import { tokenCreator, tokenExpiry, tokenQuery, tokenRevoker, toRecord } from './auth/tokens.ts';
import { ROLES, SCOPES, type Scope } from './auth/roles.ts';
import { departmentCreator, findDepartmentByUscc } from './census/departments/commands.ts';
import { DepartmentCreate } from './census/departments/schema.ts';
import { HttpError } from './http/errors.ts';
import { cliActor, config, UsageError, withDatabase } from './cli-support.ts';
import { registerCensusCommands } from './census/imports/cli.ts';
import { registerIndicatorCommands } from './governance/cli.ts';
import { loadConfig } from './config.ts';
import { backupTo, restoreFrom, RestoreRefused } from './db/backup.ts';
import { DatabaseUnreachableError } from './db/connect.ts';
import { CryptoSuiteMismatchError, recordedSuite } from './db/crypto-suite.ts';
import { schemaState, SchemaTooNewError } from './db/migrate.ts';
import { startServer } from './server.ts';
import { serveWorkers } from './workers.ts';
import { resourceByRef } from './census/resources/ref.ts';
import { executeLoad, failInterruptedLoads, loadCreator } from './loads/service.ts';
import fs from 'node:fs/promises';
import { version } from './version.ts';

function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  // a schema's own Chinese message (lib/zod-fields.ts) first, as the API answers a Chinese reader
  const zh = (i: z.core.$ZodIssue) => (i as { params?: { zh?: unknown } }).params?.zh;
  throw new UsageError(r.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${typeof zh(i) === 'string' ? `${zh(i)} / ` : ''}${i.message}`).join('\n'));
}

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

function table(rows: Record<string, unknown>[]): void {
  if (rows.length === 0) {
    console.log('(none)');
    return;
  }
  console.table(rows);
}

/** A rule the API shares, applied at the command line: its refusal is bad usage, said in both languages. */
function cliRule<T>(apply: () => T): T {
  try {
    return apply();
  } catch (err) {
    if (err instanceof HttpError && err.text.zh !== err.text.en) throw new UsageError(`${err.text.zh} / ${err.text.en}`);
    throw new UsageError((err as Error).message);
  }
}

async function readKeptHeads(file: string) {
  try {
    return parseKeptHeads(await fs.readFile(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--against ${file}: ${(err as Error).message}`);
  }
}

const program = new Command('odx')
  .description('ODX — Open Data eXchange: government data census, catalogue, sharing and open data')
  .version(version)
  .showHelpAfterError()
  // bad usage (a missing argument, an unknown option, a bad option value) exits 2 as the README says; commander would exit 1.
  // Set before the subcommands are added, which inherit it.
  .exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

program
  .command('serve')
  .description('run the HTTP API (on the embedded PostgreSQL in $ODX_HOME unless DATABASE_URL is set)')
  .option('--demo', 'load the demo city on first start and write an admin token to $ODX_HOME/admin-token')
  .option('-p, --port <port>', 'port to listen on (ODX_PORT)', positiveInt)
  .option('--host <host>', 'address to listen on (ODX_HOST)')
  .option('--workers <n>', 'server processes sharing the port (ODX_WORKERS; default 1)', positiveInt)
  .action(async (opts: { demo?: boolean; port?: number; host?: string; workers?: number }) => {
    const cfg = loadConfig(process.env, { ...(opts.port ? { port: opts.port } : {}), ...(opts.host ? { host: opts.host } : {}) });
    const workers = opts.workers ?? cfg.workers;
    if (workers > 1 && cluster.isPrimary) return serveWorkers(cfg, { workers, demo: opts.demo });
    // a worker of `--workers`: the primary has migrated and seeded the demo
    await startServer(cfg, { demo: cluster.isPrimary && opts.demo, handleSignals: true });
  });

program
  .command('migrate')
  .description('apply pending database migrations, as the schema owner')
  .option('--owner-url <url>', "the schema owner's PostgreSQL URL when DATABASE_URL is the application role (ODX_MIGRATE_URL)")
  .action((o: { ownerUrl?: string }) =>
    withDatabase(async (db) => {
      const state = await schemaState(db.knex);
      console.log(state.pending.length ? `applied: ${state.pending.join(', ')}` : 'the schema is current');
    }, { migrate: true, ownerUrl: o.ownerUrl }),
  );

const department = program.command('department').description('the department tree');
department
  .command('add')
  .description('add a department')
  .requiredOption('--name <name>', 'full name, e.g. 滨海市交通运输局')
  .requiredOption('--uscc <code>', '统一社会信用代码 (18 characters, check character included)')
  .requiredOption('--region <code>', 'GB/T 2260 行政区划代码')
  .option('--kind <kind>', 'city | district | bureau | other', 'bureau')
  .option('--short-name <name>', 'short name')
  .option('--parent <uscc>', 'the parent department, by its 统一社会信用代码')
  .action((o) =>
    withDatabase(async (db) => {
      let parentId: number | null = null;
      if (o.parent) {
        const parent = await findDepartmentByUscc(db.knex, o.parent);
        if (!parent) throw new UsageError(`no department has the code ${o.parent}`);
        parentId = parent.id;
      }
      const input = parseWith(DepartmentCreate, { name: o.name, shortName: o.shortName, uscc: o.uscc, regionCode: o.region, kind: o.kind, parentId });
      const created = await runCommand(db.knex, { actor: cliActor() }, (ctx) => departmentCreator(ctx, input));
      console.log(`department ${created.id} added: ${created.name} (${created.uscc})`);
    }),
  );
department
  .command('list')
  .description('list departments')
  .action(() =>
    withDatabase(async (db) => {
      const rows = await db.knex('odx.departments').orderBy('id').select('id', 'parent_id', 'name', 'uscc', 'region_code', 'kind');
      table(rows);
    }),
  );

const user = program.command('user').description('accounts');
user
  .command('add')
  .description('add an account to a department')
  .requiredOption('--login <login>', 'login name')
  .requiredOption('--name <name>', 'display name')
  .option('--department <uscc>', "the department's 统一社会信用代码 (not for developer accounts)")
  .requiredOption('--roles <roles>', `comma-separated: ${ROLES.join(', ')}`, list)
  .option('--system', 'a system credential (consumer systems) rather than a person')
  .action((o) =>
    withDatabase(async (db) => {
      let departmentId: number | null = null;
      if (o.department) {
        const d = await findDepartmentByUscc(db.knex, o.department);
        if (!d) throw new UsageError(`no department has the code ${o.department}`);
        departmentId = d.id;
      }
      const input = parseWith(PrincipalCreate, { login: o.login, displayName: o.name, departmentId, roles: o.roles, kind: o.system ? 'system' : 'user' });
      const created = await runCommand(db.knex, { actor: cliActor() }, (ctx) => principalCreator(ctx, input));
      console.log(`account ${created.id} added: ${created.login} [${created.roles.join(', ')}]`);
    }),
  );

registerPasswordCommand(user);

const token = program.command('token').description('API tokens');
token
  .command('create')
  .description('create a token for an account; the secret is printed once')
  .requiredOption('--login <login>', 'the account')
  .option('--name <name>', 'what the token is for', 'created with odx token create')
  .option('--scopes <scopes>', `comma-separated: ${SCOPES.join(', ')}`, list, ['read', 'write'])
  .option('--days <days>', 'days until it expires', positiveInt)
  .option('--no-expiry', 'a token that never expires')
  .action((o) =>
    withDatabase(async (db) => {
      const bad = (o.scopes as string[]).filter((s) => !(SCOPES as readonly string[]).includes(s));
      if (bad.length) throw new UsageError(`unknown scope(s): ${bad.join(', ')}`);
      const p = await db.knex('odx.principals').where({ login: o.login }).first('id');
      if (!p) throw new UsageError(`no account has the login ${o.login}`);
      const expiresAt = cliRule(() => tokenExpiry(o.expiry === false ? null : o.days, { admin: true, defaultDays: config().tokenDefaultDays, field: '--days' }));
      const created = await runCommand(db.knex, { actor: cliActor() }, (ctx) =>
        tokenCreator(ctx, { principalId: p.id, name: o.name, scopes: o.scopes as Scope[], expiresAt }),
      );
      console.error(`token ${created.id} for ${o.login}, scopes ${created.scopes.join(',')}, expires ${created.expiresAt?.toISOString() ?? 'never'} — store it now, it is not shown again:`);
      console.log(created.secret);
    }),
  );
token
  .command('list')
  .description('list tokens (never their secrets)')
  .option('--login <login>', 'only this account')
  .action((o) =>
    withDatabase(async (db) => {
      const q = tokenQuery(db.knex).orderBy('t.id');
      if (o.login) q.where('p.login', o.login);
      table((await q).map((r: Record<string, any>) => {
        const t = toRecord(r);
        return { id: t.id, login: t.login, name: t.name, prefix: t.prefix, scopes: t.scopes.join(','), expires: t.expiresAt?.toISOString() ?? 'never', lastUsed: t.lastUsedAt?.toISOString() ?? '', revoked: t.revokedAt?.toISOString() ?? '' };
      }));
    }),
  );
token
  .command('revoke')
  .description('revoke a token at once')
  .argument('<id>', 'token id', positiveInt)
  .action((id: number) =>
    withDatabase(async (db) => {
      const t = await db.knex('odx.tokens').where({ id }).first('revoked_at');
      if (!t) throw new UsageError(`no token ${id}`);
      if (t.revoked_at) {
        console.log(`token ${id} was already revoked`);
        return;
      }
      await runCommand(db.knex, { actor: cliActor() }, (ctx) => tokenRevoker(ctx, id));
      console.log(`token ${id} revoked`);
    }),
  );

program
  .command('load')
  .description('load a data extract into a resource: builds a new version and switches to it atomically')
  .argument('<resource>', `resource code or id (in the demo: ${DEMO_EXAMPLE_RESOURCE.code}, ${DEMO_EXAMPLE_RESOURCE.name})`)
  .argument('<file>', 'CSV/TSV (UTF-8 or GB18030), NDJSON, JSON array, Arrow IPC, or .xlsx')
  .option('--format <format>', 'csv | tsv | ndjson | json | arrow | xlsx (default: sniffed)')
  .option('--encoding <encoding>', 'auto | utf8 | gb18030', 'auto')
  .option('--sheet <name>', 'xlsx: the worksheet to load')
  .option('--mode <mode>', 'replace | append | upsert', 'replace')
  .option('--key <columns...>', 'key columns for upsert (default: the items marked key)')
  .option('--max-errors <n>', 'rows that may be rejected before the load fails', (v) => Number(v), 0)
  .option('--mapping <file>', 'JSON file: file header -> item name')
  .option('--allow-empty', 'let a file without rows replace a resource that has rows (empties it)')
  .action(async (resourceRef: string, file: string, o) => {
    // the command line is checked before any database is opened
    const stat = await fs.stat(file).catch(() => null);
    if (!stat?.isFile()) throw new UsageError(`cannot read ${file}`);
    if (!['replace', 'append', 'upsert'].includes(o.mode)) throw new UsageError(`unknown mode ${o.mode}`);
    if (!Number.isInteger(o.maxErrors) || o.maxErrors < 0) throw new UsageError('--max-errors takes a whole number');
    return withDatabase(async (db) => {
      const resource = await resourceByRef(db.knex, resourceRef);
      if (!resource) throw new UsageError(`no resource has the code or id ${resourceRef}`);
      let mapping: Record<string, string> | undefined;
      if (o.mapping) {
        try {
          mapping = JSON.parse(await fs.readFile(o.mapping, 'utf8'));
        } catch (err) {
          throw new UsageError(`--mapping ${o.mapping}: ${(err as Error).message}`);
        }
      }
      await failInterruptedLoads(db.knex);
      const origin = { actor: cliActor() };
      const loadId = await loadCreator(db.knex, origin, resource.id, {
        format: o.format, encoding: o.encoding, sheet: o.sheet, mode: o.mode, key: o.key, maxErrors: o.maxErrors, mapping,
        fileName: file.split('/').pop(), totalBytes: stat.size, allowEmpty: Boolean(o.allowEmpty),
      });
      const bar = process.stderr.isTTY
        ? new SingleBar({ format: 'loading {bar} {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}', stream: process.stderr, etaBuffer: 50 }, Presets.shades_classic)
        : undefined;
      const t0 = Date.now();
      bar?.start(stat.size, 0, { rows: 0, rate: 0 });
      const outcome = await executeLoad(db.knex, origin, loadId, file, {
        retention: loadConfig().versionRetention,
        onProgress: (p) => bar?.update(p.bytes, { rows: p.rows, rate: Math.round(p.rows / Math.max((Date.now() - t0) / 1000, 0.001)) }),
      });
      bar?.stop();
      if (outcome.ok && outcome.result) {
        const r = outcome.result;
        console.log(`load ${loadId}: version ${outcome.version} of ${resource.code ?? resource.id} is current — ${r.rows} rows loaded, ${r.rejected} rejected, ${r.totalRows} rows in all (${Math.round(r.rows / Math.max(r.durationMs / 1000, 0.001))} rows/s)`);
        for (const rej of r.rejects.slice(0, 20)) console.log(`  rejected record ${rej.record} (line ${rej.line ?? '-'}), ${rej.header ?? rej.column ?? 'record'}: ${rej.message}`);
      } else {
        console.error(`load ${loadId} failed, nothing changed: ${outcome.error?.message}`);
        const rejects = await db.knex('odx.load_rejects').where({ load_id: loadId }).orderBy('n').limit(20);
        for (const rej of rejects) console.error(`  record ${rej.record} (line ${rej.line ?? '-'}), ${rej.header ?? rej.column_name ?? 'record'}: ${rej.message}`);
        // a refused empty replace is a usage matter (--allow-empty); rejected data is a failed check
        process.exitCode = outcome.error?.code === 'empty' ? 2 : 1;
      }
    });
  });

const audit = program.command('audit').description('the tamper-evident audit log');
audit
  .command('verify')
  .description('walk the hash chain; exits 1 naming the first bad seq')
  .option('--quiet', 'no progress bar')
  .option('--against <file>', 'also check signed heads kept elsewhere (a head, a list, or a checkpoints page): same seq, same hash, a valid signature')
  .action((o) =>
    withDatabase(async (db) => {
      const kept = o.against ? await readKeptHeads(o.against) : undefined;
      const bar = o.quiet || !process.stderr.isTTY ? undefined : new SingleBar({ format: 'verifying {bar} {value}/{total} events', stream: process.stderr }, Presets.shades_classic);
      const chained = await chainPending(db.knex);
      if (chained) console.error(`chained ${chained} pending events first`);
      let started = false;
      const result = await verifyChain(db.knex, (p) => {
        if (!bar) return;
        if (!started) bar.start(p.total, 0);
        started = true;
        bar.update(p.checked);
      });
      bar?.stop();
      if (result.ok) {
        console.log(`audit chain intact: ${result.checked} events, head seq ${result.headSeq} (${result.hashAlgorithm} hash chain)`);
      } else {
        console.error(`audit chain BROKEN at seq ${result.firstBadSeq}: ${result.problem} (${result.checked} events verified before it)`);
        process.exitCode = 1;
      }
      if (kept) {
        const checks = await verifyAgainst(db.knex, kept, await HeadSigner.publicKeyIn(config().homeDir, await recordedSuite(db.knex)));
        for (const c of checks) (c.ok ? console.log : console.error)(c.ok ? `kept head at seq ${c.seq}: matches` : `kept head: ${c.problem}`);
        if (checks.some((c) => !c.ok)) process.exitCode = 1;
      }
    }),
  );

program
  .command('backup')
  .description('write a consistent backup to FILE (mode 0600): every table in one snapshot, the signing key, the signed head')
  .argument('<file>', 'the backup file to create (it must not exist)')
  .action((file: string) =>
    withDatabase(async (db) => {
      const home = config().homeDir;
      const m = await backupTo(db, home, await HeadSigner.load(home, await recordedSuite(db.knex)), file).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'EEXIST' || err.code === 'ENOENT' ? new UsageError(`cannot create ${file}: ${err.message}`) : err;
      });
      console.log(`backup written to ${file}: ${m.tables.length} tables, audit head seq ${m.head.seq} signed at ${m.head.signedAt}`);
    }),
  );

program
  .command('restore')
  .description("restore a backup into an empty installation, then verify the chain against the backup's signed head")
  .argument('<file>', 'a file written by odx backup')
  .action((file: string) =>
    withDatabase(async (db) => {
      const home = config().homeDir;
      const m = await restoreFrom(db, home, file).catch((err: Error & { code?: string }) => {
        throw err instanceof RestoreRefused || err.code === 'ENOENT' || err.code === 'Z_DATA_ERROR' ? new UsageError(err.message) : err;
      });
      console.log(`restored ${m.tables.length} tables from ${file} (made ${m.createdAt})`);
      const suite = await recordedSuite(db.knex);
      const chain = await verifyChain(db.knex);
      const [kept] = await verifyAgainst(db.knex, [m.head], await HeadSigner.publicKeyIn(home, suite));
      if (chain.ok && kept.ok) {
        console.log(`audit chain intact: ${chain.checked} events; it holds the backup's signed head at seq ${m.head.seq}`);
      } else {
        console.error(`the restored audit chain does not verify: ${chain.ok ? kept.problem : `seq ${chain.firstBadSeq}: ${chain.problem}`}`);
        process.exitCode = 1;
      }
      // the installation is the backup's, suite included: the server must be started with it
      if (suite.name !== config().crypto) console.log(`the installation uses ${suite.en}: start it with ODX_CRYPTO=${suite.name} / 本系统使用${suite.zh}，启动时须设置 ODX_CRYPTO=${suite.name}`);
    }, { migrate: true, suiteFromBackup: true }),
  );

registerCensusCommands(program);
registerIndicatorCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof UsageError || err instanceof DatabaseUnreachableError || err instanceof SchemaTooNewError || err instanceof CryptoSuiteMismatchError) {
    console.error(`odx: ${err.message}`);
    process.exit(2);
  }
  // a command's own refusal (a code another department holds): its words in both languages
  if (err instanceof HttpError && err.status < 500) {
    console.error(`odx: ${err.text.zh} / ${err.text.en}`);
    process.exit(2);
  }
  const pgErr = err as { code?: string; detail?: string; message?: string };
  if (pgErr.code === '23505') {
    console.error(`odx: already exists: ${pgErr.detail ?? pgErr.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
