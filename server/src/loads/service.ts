import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import type { ClientBase } from 'pg';
import { loadErrorZh, loadFile, LoadError, type LoadEncoding, type LoadFormat, type LoadMode, type LoadProgress, type LoadResult, type Reject } from '../../../loaders/index.ts';
import { runCommand, type CommandOrigin } from '../audit/command.ts';
import { notFound, stateConflict, text, unprocessable } from '../http/errors.ts';
import { dropOldVersions, versionTable } from './versions.ts';

export interface LoadOptionsInput {
  format?: LoadFormat;
  encoding?: LoadEncoding;
  sheet?: string;
  mode: LoadMode;
  key?: string[];
  maxErrors: number;
  mapping?: Record<string, string>;
  fileName?: string;
  totalBytes?: number;
  /** A replace by a file without rows may empty a resource that has rows (else the load fails, nothing changed). */
  allowEmpty?: boolean;
}

/** Loads run against the items the catalogue shows: the published version, else the draft. */
function itemsOf(resource: Record<string, any>): Record<string, any>[] {
  return (resource.published_doc ?? resource.doc).items;
}

/** Registers a load of a resource, audited; the file arrives or is read afterwards. */
export async function loadCreator(knex: Knex, origin: CommandOrigin, resourceId: number, opts: LoadOptionsInput): Promise<number> {
  return runCommand(knex, origin, async (ctx) => {
    const resource = await ctx.trx('odx.resources').where({ id: resourceId }).first('id', 'department_id', 'doc', 'published_doc', 'current_version');
    if (!resource) throw notFound(text(`数据资源 ${resourceId}`, `resource ${resourceId}`));
    const names = new Set(itemsOf(resource).map((i) => i.name));
    const unknownKeys = (opts.key ?? []).filter((k) => !names.has(k));
    if (unknownKeys.length) throw unprocessable(text(`以下键列不是该资源的信息项：${unknownKeys.join('、')}`, `key columns that are not items of the resource: ${unknownKeys.join(', ')}`), [{ path: '/key', message: unknownKeys.join(', ') }]);
    if (opts.mode !== 'replace' && resource.current_version === null) {
      throw stateConflict(text(`'${opts.mode}' 方式须在已装载的版本上进行，首次装载须用 'replace'`, `mode '${opts.mode}' needs a loaded version to start from; the first load must be 'replace'`));
    }
    const [row] = await ctx.trx('odx.loads')
      .insert({
        resource_id: resourceId,
        state: 'queued',
        mode: opts.mode,
        options: JSON.stringify(opts),
        file_name: opts.fileName ?? null,
        total_bytes: opts.totalBytes ?? null,
        actor: ctx.actor.label,
        actor_id: ctx.actor.id ?? null,
        host: os.hostname(),
        pid: process.pid,
      })
      .returning('id');
    ctx.audit({ action: 'resource.load.request', departmentId: resource.department_id, targetType: 'resource', targetId: resourceId, detail: { load: row.id, mode: opts.mode, file: opts.fileName ?? null } });
    return row.id as number;
  });
}

/**
 * A value as it can be stored: PostgreSQL's text and jsonb hold no NUL, so the rejected value or
 * error that names one shows it as ␀ (U+2400) — else recording why a load failed would fail too.
 */
function storable<T>(v: T): T {
  if (typeof v === 'string') return (v.includes('\0') ? v.replace(/\0/g, '\u2400') : v) as T;
  if (Array.isArray(v)) return v.map(storable) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, storable(x)])) as T;
  return v;
}

function rejectRows(loadId: number, rejects: Reject[]) {
  return rejects.map((r, n) => storable({ load_id: loadId, n, record: r.record, line: r.line, column_name: r.column, header: r.header, value: r.value, rule: r.rule, message: r.message }));
}

export interface LoadOutcome {
  ok: boolean;
  result?: LoadResult;
  error?: { code: string; message: string; messageZh: string; line?: number; column?: string; columns?: string[] };
  version?: number;
}

const HEARTBEAT_MS = 1000;

/**
 * Runs a registered load: builds the next version table beside the current one and switches
 * the resource to it in the same transaction, so readers see the old version or the new one,
 * never a part. Any failure rolls that transaction back and is recorded on the load.
 */
export async function executeLoad(
  knex: Knex,
  origin: CommandOrigin,
  loadId: number,
  source: string | NodeJS.ReadableStream,
  opts: { retention: number; signal?: AbortSignal; onProgress?: (p: LoadProgress) => void },
): Promise<LoadOutcome> {
  const load = await knex('odx.loads').where({ id: loadId }).first();
  const options = load.options as LoadOptionsInput;
  await knex('odx.loads').where({ id: loadId }).update({ state: 'running', started_at: knex.fn.now(), heartbeat_at: knex.fn.now() });
  let progress: LoadProgress = { rows: 0, bytes: 0 };
  const beat = setInterval(() => {
    knex('odx.loads').where({ id: loadId }).update({ heartbeat_at: knex.fn.now(), rows_read: progress.rows, bytes_read: progress.bytes }).catch(() => undefined);
  }, HEARTBEAT_MS);
  try {
    const outcome = await runCommand(knex, origin, async (ctx) => {
      // one load at a time per resource; the resource row itself stays free for catalogue edits
      await ctx.trx.raw('select pg_advisory_xact_lock(hashtext(?), ?)', ['odx.load', load.resource_id]);
      const resource = await ctx.trx('odx.resources').where({ id: load.resource_id }).first();
      const items = itemsOf(resource);
      const last = await ctx.trx('odx.resource_versions').where({ resource_id: resource.id }).max<{ v: number | null }>('version as v').first();
      const version = (last?.v ?? 0) + 1;
      const base = resource.current_version ? versionTable(resource.id, resource.current_version) : undefined;
      const conn = (await ctx.trx.client.acquireConnection()) as ClientBase;
      const result = await loadFile(conn, {
        items: items as any,
        source,
        format: options.format,
        encoding: options.encoding,
        sheet: options.sheet,
        mapping: options.mapping,
        targetTable: versionTable(resource.id, version),
        mode: options.mode,
        baseTable: base,
        key: options.key,
        maxErrors: options.maxErrors,
        fileName: options.fileName,
        signal: opts.signal,
        onProgress: (p) => {
          progress = p;
          opts.onProgress?.(p);
        },
      });
      if (options.mode === 'replace' && result.totalRows === 0 && Number(resource.data_rows) > 0 && !options.allowEmpty) {
        throw new LoadError('empty', `the file has no rows and would empty a resource that has ${resource.data_rows}; nothing was loaded (to empty it on purpose: allowEmpty=true, odx load --allow-empty)`);
      }
      await ctx.trx('odx.resource_versions').insert({
        resource_id: resource.id,
        version,
        table_name: versionTable(resource.id, version),
        items: JSON.stringify(items),
        rows: result.totalRows,
        profile: JSON.stringify(result.profile),
        load_id: loadId,
      });
      await ctx.trx('odx.resources').where({ id: resource.id }).update({
        current_version: version,
        linked: true,
        data_updated_at: ctx.trx.fn.now(),
        data_rows: result.totalRows,
        quality: JSON.stringify(result.profile),
      });
      if (result.rejects.length) await ctx.trx.batchInsert('odx.load_rejects', rejectRows(loadId, result.rejects), 1000);
      const { rejects: _kept, ...summary } = result;
      await ctx.trx('odx.loads').where({ id: loadId }).update({
        state: 'succeeded',
        rows_read: result.rows + result.rejected,
        bytes_read: result.bytes,
        rows_loaded: result.rows,
        rejected: result.rejected,
        version,
        result: JSON.stringify(summary),
        // now() would be the transaction's start, before a row was read: the load's duration is wall time
        finished_at: ctx.trx.raw('clock_timestamp()'),
      });
      ctx.audit({
        action: 'resource.load',
        departmentId: resource.department_id,
        targetType: 'resource',
        targetId: resource.id,
        rows: result.rows,
        detail: { load: loadId, version, mode: options.mode, rejected: result.rejected, totalRows: result.totalRows, format: result.format, encoding: result.encoding },
      });
      return { ok: true, result, version } satisfies LoadOutcome;
    });
    await dropOldVersions(knex, load.resource_id, opts.retention, origin);
    return outcome;
  } catch (err) {
    const e = err as LoadError & { status?: number };
    const error = {
      code: err instanceof LoadError ? e.code : 'internal',
      message: e.message,
      // both languages stored, so whoever reads the load later reads it in theirs (presentLoad)
      messageZh: loadErrorZh(err instanceof LoadError ? e.code : 'internal', e.message),
      ...(e.line !== undefined ? { line: e.line } : {}),
      ...(e.column !== undefined ? { column: e.column } : {}),
      ...(e.columns ? { columns: e.columns } : {}),
      ...(e.missingColumns ? { missingColumns: e.missingColumns } : {}),
      ...(e.unknownColumns ? { unknownColumns: e.unknownColumns } : {}),
    };
    await failLoad(knex, origin, loadId, error, err instanceof LoadError ? (e.rejects ?? []) : [], e.rejected);
    return { ok: false, error };
  } finally {
    clearInterval(beat);
  }
}

/** Records a failed load (and the rejects that made it fail), audited. The data is as it was. */
export async function failLoad(knex: Knex, origin: CommandOrigin, loadId: number, error: Record<string, unknown>, rejects: Reject[] = [], rejected?: number) {
  await runCommand(knex, origin, async (ctx) => {
    const load = await ctx.trx('odx.loads').where({ id: loadId }).forUpdate().first('resource_id', 'state');
    if (!load || !['queued', 'running'].includes(load.state)) return;
    const resource = await ctx.trx('odx.resources').where({ id: load.resource_id }).first('department_id');
    if (rejects.length) await ctx.trx.batchInsert('odx.load_rejects', rejectRows(loadId, rejects), 1000);
    await ctx.trx('odx.loads').where({ id: loadId }).update({ state: 'failed', error: JSON.stringify(storable(error)), rejected: rejected ?? rejects.length, finished_at: ctx.trx.raw('clock_timestamp()') });
    ctx.audit({ action: 'resource.load.fail', departmentId: resource.department_id, targetType: 'resource', targetId: load.resource_id, detail: { load: loadId, error: storable(error) } });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Marks loads whose process died (kill -9, power loss) as failed: loads of this host whose
 * process is gone, and any load whose heartbeat stopped. Their transaction was rolled back
 * by PostgreSQL when the connection dropped, so the resource still serves its old version.
 */
/**
 * Removes uploaded files no load will read: those of loads that finished (a process killed
 * during a load leaves its file behind; failInterruptedLoads has just failed those loads) and
 * files of no known load. Files of queued or running loads stay.
 */
export async function removeStaleUploads(knex: Knex, homeDir: string): Promise<string[]> {
  const dir = path.join(homeDir, 'uploads');
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const ids = names.map((n) => /^load-(\d+)$/.exec(n)?.[1]).filter((x): x is string => x !== undefined);
  const live = new Set(
    ids.length ? (await knex('odx.loads').whereIn('id', ids).whereIn('state', ['queued', 'running']).pluck('id')).map(String) : [],
  );
  const stale = names.filter((n) => !live.has(/^load-(\d+)$/.exec(n)?.[1] ?? ''));
  for (const n of stale) await fs.rm(path.join(dir, n), { force: true, recursive: true });
  return stale;
}

export async function failInterruptedLoads(knex: Knex, staleAfterMs = 15_000): Promise<number[]> {
  const unfinished = await knex('odx.loads').whereIn('state', ['queued', 'running']).select('id', 'host', 'pid', 'heartbeat_at');
  const dead = unfinished.filter(
    (l: { host: string; pid: number; heartbeat_at: Date }) =>
      (l.host === os.hostname() && l.pid !== process.pid && !alive(l.pid)) || Date.now() - l.heartbeat_at.getTime() > staleAfterMs,
  );
  for (const l of dead) {
    await failLoad(knex, { actor: { kind: 'system', label: 'system:recovery' } }, l.id, {
      code: 'interrupted',
      message: 'the process running this load stopped before it finished; the previous version is still current',
      messageZh: '运行此装载的进程在完成前停止，之前的版本仍为当前版本',
    });
  }
  return dead.map((l: { id: number }) => l.id);
}
