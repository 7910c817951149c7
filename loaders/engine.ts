/**
 * loadFile: streams a department's extract into a new typed table inside the caller's transaction.
 *
 *   bytes -> (decode to UTF-8) -> records -> coerce + check per item -> COPY ... FROM STDIN (FORMAT csv)
 *         -> key (primary key; duplicate keys become rejects) -> merge with the base version -> profile
 *
 * Anything thrown (a LoadError) means the caller must roll back; nothing it did is then visible.
 */
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { ClientBase } from 'pg';
import copyStreams from 'pg-copy-streams';
import { quoteIdent } from '../server/src/lib/sql.ts';
import { ArrowReader } from './arrow.ts';
import { ArrowBinarySink } from './arrow-binary.ts';
import { BINARY_HEADER, BINARY_TRAILER } from './binary.ts';
import { numericPrecision, numericScale, pgType } from './coerce.ts';
import { CsvSink } from './csv.ts';
import { CsvReader } from './csv-reader.ts';
import type { FormatReader } from './format-reader.ts';
import { JsonReader } from './json.ts';
import { ColumnResolver, checkItems, planColumns } from './plan.ts';
import { CopyOut, type Sink } from './sink.ts';
import { ByteSource, sniffFormat } from './source.ts';
import { createTableSql, profileTable, type KnownStats } from './sql.ts';
import { LoadError, type LoadFormat, type LoadOptions, type LoadResult, type LoaderItem, type QualityProfile, type Reject } from './types.ts';
import { XlsxReader } from './xlsx.ts';

const COPY_AHEAD = 8 << 20;
/** maintenance_work_mem while the primary key is built (bytes). */
const KEY_BUILD_MEM = 256 << 20;
const DELIMITER_SQL: Record<string, string> = { ',': `','`, '\t': `E'\\t'`, ';': `';'`, '|': `'|'` };

function makeReader(format: LoadFormat, src: ByteSource, opts: LoadOptions): FormatReader {
  switch (format) {
    case 'csv':
      return new CsvReader(src, opts, false);
    case 'tsv':
      return new CsvReader(src, opts, true);
    case 'ndjson':
      return new JsonReader(src, opts, true);
    case 'json':
      return new JsonReader(src, opts, false);
    case 'arrow':
      return new ArrowReader(src);
    case 'xlsx':
      return new XlsxReader(src, opts);
    default:
      throw new LoadError('options', `unknown format ${String(format)}`);
  }
}

function checkOptions(opts: LoadOptions): string[] {
  checkItems(opts.items);
  if (!opts.targetTable || typeof opts.targetTable !== 'string') throw new LoadError('options', 'targetTable is required');
  if (!['replace', 'append', 'upsert'].includes(opts.mode)) throw new LoadError('options', `unknown mode ${String(opts.mode)}`);
  if (!Number.isInteger(opts.maxErrors) || opts.maxErrors < 0) throw new LoadError('options', 'maxErrors must be a non-negative integer');
  if (opts.format && !['csv', 'tsv', 'ndjson', 'json', 'arrow', 'xlsx'].includes(opts.format))
    throw new LoadError('options', `unknown format ${opts.format}`);
  if (opts.encoding && !['auto', 'utf8', 'gb18030'].includes(opts.encoding)) throw new LoadError('options', `unknown encoding ${opts.encoding}`);
  const key = opts.key && opts.key.length ? opts.key : opts.items.filter((i) => i.key).map((i) => i.name);
  for (const k of key) {
    const it = opts.items.find((i) => i.name === k);
    if (!it) throw new LoadError('options', `key column ${k} is not an item`);
    if (it.type === 'G' || it.type === 'M') throw new LoadError('options', `key column ${k} has type ${it.type}, which cannot be a key`);
  }
  if (opts.mode === 'upsert' && key.length === 0) throw new LoadError('options', 'upsert needs a key (items marked key, or the key option)');
  return key;
}

/** Maps an error raised by PostgreSQL during COPY to the record and line of the file. */
function copyError(e: unknown, sink: Sink | null): LoadError {
  if (e instanceof LoadError) return e;
  const err = e as { message?: string; code?: string; where?: string };
  const m = /line (\d+)(?:, column ([^:]+))?/.exec(err.where ?? '');
  let where = '';
  let line: number | undefined;
  if (m && sink) {
    const rec = sink.recordOfEmitted(Number(m[1]));
    const l = sink.lines.line(rec);
    if (l !== null) line = l;
    where = ` (record ${rec}${l !== null ? ', line ' + l : ''}${m[2] ? ', column ' + m[2] : ''})`;
  }
  const code = err.code === '22021' || err.code === '22P05' ? 'encoding' : err.code?.startsWith('22') || err.code?.startsWith('23') ? 'parse' : 'database';
  return new LoadError(code, `${err.message ?? String(e)}${where}`, { line, column: m?.[2], cause: e });
}

interface ProblemRow {
  ord: string;
  tid: string;
  k: (string | null)[];
  dup: boolean;
  inbase: boolean;
}

/** The file as read and mapped: its format, its reader (header read), and which column feeds which item. */
interface ReadFile {
  format: LoadFormat;
  reader: FormatReader;
  resolver: ColumnResolver;
  plan: ReturnType<typeof planColumns>;
}

/** The COPY in flight, so that a failure can end it before the caller rolls back, and the sink that maps its errors to lines. */
interface CopyInFlight {
  stream: (Writable & { rowCount: number }) | null;
  done: Promise<void> | null;
  failed: unknown;
  sink: Sink | null;
}

function abortCheck(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LoadError('aborted', 'the load was aborted');
}

/**
 * Loads the file in four timed phases — copy, key, merge, profile — each a function below:
 * records into the new table; the primary key and the rejects of duplicate keys; the rows kept from
 * the base version; the quality profile.
 */
export async function loadFile(client: ClientBase, opts: LoadOptions): Promise<LoadResult> {
  const t0 = performance.now();
  const key = checkOptions(opts);
  abortCheck(opts.signal);
  const src = await ByteSource.open(opts.source as NodeJS.ReadableStream | string, opts.fileName);
  const copy: CopyInFlight = { stream: null, done: null, failed: null, sink: null };
  let file: ReadFile | undefined;
  try {
    file = await readFile(src, opts, key);
    const sk = await copyPhase(client, src, opts, file, copy);
    const tCopied = performance.now();
    abortCheck(opts.signal);
    await keyPhase(client, opts, key, sk);
    const tKeyed = performance.now();
    abortCheck(opts.signal);
    const merged = await mergePhase(client, opts, key);
    const tMerged = performance.now();
    abortCheck(opts.signal);
    const profile = await profilePhase(client, opts, file, sk);
    const tDone = performance.now();
    const { format, reader, plan } = file;
    const items = opts.items;
    const order = new Map(items.map((it, i) => [it.name, i]));
    const rejects = sk.rejects.sort((a, b) => a.record - b.record || (order.get(a.column ?? '') ?? -1) - (order.get(b.column ?? '') ?? -1));
    const present = new Set(plan.columns.filter((c) => c.item).map((c) => c.item!.name));
    return {
      rows: sk.emitted - sk.rejectedAfterCopy,
      rejected: sk.rejectedRows,
      rejects,
      rejectsTruncated: sk.rejectsTruncated,
      totalRows: profile.rows,
      baseRows: merged.baseRows,
      replacedRows: merged.replacedRows,
      profile,
      format,
      encoding: reader.encoding,
      ...(format === 'csv' || format === 'tsv' ? { delimiter: reader.delimiter } : {}),
      columns: [
        ...plan.columns.filter((c) => c.item).map((c) => ({ header: c.header, item: c.item!.name })),
        ...items.filter((it) => !present.has(it.name)).map((it) => ({ header: null, item: it.name })),
      ],
      ignoredColumns: plan.ignored,
      key,
      bytes: src.bytes,
      durationMs: Math.round(tDone - t0),
      phases: {
        copyMs: Math.round(tCopied - t0),
        keyMs: Math.round(tKeyed - tCopied),
        mergeMs: Math.round(tMerged - tKeyed),
        profileMs: Math.round(tDone - tMerged),
      },
    };
  } catch (e) {
    if (copy.stream && copy.done) {
      // End the COPY (CopyFail) and wait for the server, so the connection is usable for the ROLLBACK.
      if (!copy.stream.destroyed) copy.stream.destroy(e instanceof Error ? e : new Error(String(e)));
      await copy.done.catch(() => {});
    }
    if (e instanceof LoadError) throw e;
    throw copyError(e, copy.sink);
  } finally {
    file?.reader.close?.();
    src.destroy();
  }
}

/** Picks the reader, reads the header and maps the file's columns to the items. */
async function readFile(src: ByteSource, opts: LoadOptions, key: string[]): Promise<ReadFile> {
  const format = opts.format ?? (await sniffFormat(src));
  const reader = makeReader(format, src, opts);
  const header = await reader.open();
  abortCheck(opts.signal);
  const resolver = new ColumnResolver(opts.items, opts.mapping);
  const plan = planColumns(resolver, header, { mustHave: key, allItems: reader.allItems, nulChecked: format === 'csv' || format === 'tsv' });
  if (plan.copyItems.length === 0) throw new LoadError('options', 'no column of the file maps to an item');
  return { format, reader, resolver, plan };
}

/** Phase "copy": creates the table and streams every record into it with one COPY; returns the sink that counted them. */
async function copyPhase(client: ClientBase, src: ByteSource, opts: LoadOptions, file: ReadFile, copy: CopyInFlight): Promise<Sink> {
  const { reader, resolver, plan } = file;
  const target = opts.targetTable;
  await client.query(createTableSql(target, opts.items));
  // FREEZE (rows written frozen: faster COPY, no hint-bit rewrite on first read) needs the table created
  // in this subtransaction, which it was, and no transaction snapshot held (READ COMMITTED).
  const iso = (await client.query(`SELECT current_setting('transaction_isolation') AS iso`)).rows[0].iso;
  const freeze = iso === 'read committed' ? ', FREEZE' : '';
  const cols = plan.copyItems.map((it) => quoteIdent(it.name)).join(', ');
  const delim = reader.delimiter ?? ',';
  // How records reach the server. UTF-8 files go in COPY text format (DELIMITER as in the file, NULL ''):
  // records without quotes or backslashes are valid as they are, and the server parses text format ~10%
  // faster than CSV. GB18030 bytes go as CSV (a backslash byte can sit inside a GB18030 character).
  // COPY BINARY (opt-in) spares the server the text input functions too; its text values are read in the
  // session's client_encoding, so it needs UTF-8 there.
  // Files whose records quote fields (as WPS and Excel write them) go as CSV too: those records pass
  // through unchanged, where text format needs every one rewritten in Node.
  let mode: 'csv' | 'text' | 'binary' = 'csv';
  const utf8Session = async () => (await client.query(`SELECT current_setting('client_encoding') AS e`)).rows[0].e === 'UTF8';
  // Arrow's values are typed already: its reader writes binary tuples from the columns (copyFormat 'csv' or
  // 'text' keeps the text path).
  if (reader.binaryPreferred && !opts.copyFormat && (await utf8Session())) mode = 'binary';
  else if (reader.canBinary && opts.copyFormat !== 'csv') {
    mode = reader.quotedRecords && opts.copyFormat !== 'text' ? 'csv' : 'text';
    if (opts.copyFormat === 'binary' && (await utf8Session())) mode = 'binary';
  }
  const binary = mode === 'binary';
  const options =
    mode === 'binary'
      ? `FORMAT binary${freeze}`
      : mode === 'text'
        ? `FORMAT text, DELIMITER ${DELIMITER_SQL[delim]}, NULL '', ENCODING 'UTF8'${freeze}`
        : `FORMAT csv, DELIMITER ${DELIMITER_SQL[delim]}, ENCODING '${reader.copyEncoding ?? 'UTF8'}', FORCE_NULL (${cols})${freeze}`;
  const cp = (copy.stream = client.query(
    copyStreams.from(
      `COPY ${target} (${cols}) FROM STDIN WITH (${options})`,
      // Let parsing run ahead of the server by a few MB, so both work all the time.
      { highWaterMark: COPY_AHEAD },
    ),
  ) as unknown as Writable & { rowCount: number });
  cp.on('error', (e) => {
    copy.failed ??= e;
  });
  copy.done = finished(cp);
  copy.done.catch(() => {});

  const sk = (copy.sink = reader.makeSink(
    {
      columns: plan.columns,
      copyItems: plan.copyItems,
      maxErrors: opts.maxErrors,
      keepRejects: opts.keepRejects ?? 10000,
      onReject: opts.onReject,
      binary,
      copyText: mode === 'text',
    },
    resolver,
  ));
  sk.out = new CopyOut(cp);
  if (binary) sk.out.raw(BINARY_HEADER, 0, BINARY_HEADER.length);
  const tick = async () => {
    if (copy.failed) throw copy.failed;
    await sk.out.flush();
    abortCheck(opts.signal);
    opts.onProgress?.({ rows: sk.records, bytes: src.bytes, totalBytes: src.totalBytes });
  };
  await reader.run(tick);
  if (binary) sk.out.raw(BINARY_TRAILER, 0, BINARY_TRAILER.length);
  await tick();
  cp.end();
  await copy.done;
  copy.stream = null;
  if (cp.rowCount !== sk.emitted) throw new LoadError('parse', `COPY stored ${cp.rowCount} rows, ${sk.emitted} were sent`);
  return sk;
}

/**
 * Phase "key": a primary key; duplicate keys within the file (and, for append, keys already in the
 * base version) reject every occurrence after the first.
 */
async function keyPhase(client: ClientBase, opts: LoadOptions, key: string[], sk: Sink): Promise<void> {
  if (!key.length) return;
  // The primary key is built by parallel workers that share maintenance_work_mem: at PostgreSQL's default
  // (64 MB) each worker's sort of a million keys spills to disk; with 256 MB it stays in memory and the
  // build took about 30 % less time (docs/benchmarks.md). Raised for the build only, never lowered.
  const mem = (
    await client.query(`SELECT current_setting('maintenance_work_mem') AS v, pg_size_bytes(current_setting('maintenance_work_mem')) < $1 AS low`, [KEY_BUILD_MEM])
  ).rows[0];
  if (mem.low) await client.query(`SELECT set_config('maintenance_work_mem', $1, true)`, [`${KEY_BUILD_MEM / 1048576}MB`]);
  try {
    await buildKey(client, opts, key, sk);
  } finally {
    if (mem.low) await client.query(`SELECT set_config('maintenance_work_mem', $1, true)`, [mem.v]).catch(() => {});
  }
}

async function buildKey(client: ClientBase, opts: LoadOptions, key: string[], sk: Sink): Promise<void> {
  const target = opts.targetTable;
  const base = opts.mode === 'append' ? opts.baseTable : undefined;
  const keyCols = key.map(quoteIdent).join(', ');
  let pkOk = await tryPrimaryKey(client, target, keyCols);
  let overlap = false;
  if (base) {
    const on = key.map((k) => `b.${quoteIdent(k)} = t.${quoteIdent(k)}`).join(' AND ');
    const r = await client.query(`SELECT EXISTS (SELECT 1 FROM ${target} t JOIN ${base} b ON ${on}) AS x`);
    overlap = !!r.rows[0].x;
  }
  if (!pkOk || overlap) {
    await rejectKeyProblems(client, target, base, key, sk);
    if (!pkOk) pkOk = await tryPrimaryKey(client, target, keyCols);
    if (!pkOk) throw new LoadError('database', 'could not create the primary key after removing duplicate keys');
  }
}

/** Phase "merge": the base version's rows an append keeps, or an upsert keeps where the file has no row of their key. */
async function mergePhase(client: ClientBase, opts: LoadOptions, key: string[]): Promise<{ baseRows: number; replacedRows: number }> {
  const base = opts.mode !== 'replace' ? opts.baseTable : undefined;
  if (!base) return { baseRows: 0, replacedRows: 0 };
  const target = opts.targetTable;
  const baseCols = await baseColumns(client, base, opts.items);
  const names = baseCols.map((it) => quoteIdent(it.name)).join(', ');
  const vals = baseCols.map((it) => `b.${quoteIdent(it.name)}::${pgType(it)}`).join(', ');
  const total = Number((await client.query(`SELECT count(*)::bigint AS n FROM ${base}`)).rows[0].n);
  if (opts.mode === 'append') {
    const r = await client.query(`INSERT INTO ${target} (${names}) SELECT ${vals} FROM ${base} b`);
    return { baseRows: r.rowCount ?? 0, replacedRows: 0 };
  }
  const on = key.map((k) => `t.${quoteIdent(k)} = b.${quoteIdent(k)}`).join(' AND ');
  const r = await client.query(`INSERT INTO ${target} (${names}) SELECT ${vals} FROM ${base} b WHERE NOT EXISTS (SELECT 1 FROM ${target} t WHERE ${on})`);
  const baseRows = r.rowCount ?? 0;
  return { baseRows, replacedRows: total - baseRows };
}

/** Phase "profile": the quality profile of the new version, with the invalid values each item had. */
async function profilePhase(client: ClientBase, opts: LoadOptions, file: ReadFile, sk: Sink): Promise<QualityProfile> {
  const items = opts.items;
  const invalid: Record<string, number> = {};
  for (const c of sk.columns) if (c.item) invalid[c.item.name] = (invalid[c.item.name] ?? 0) + c.invalid;
  // The CSV path gathered nulls/min/max of what it sent; valid while the table holds exactly those rows.
  let known: KnownStats | undefined;
  const base = opts.mode !== 'replace' ? opts.baseTable : undefined;
  // So did the NDJSON path (unless records went the exact parser's way) and Arrow's binary path.
  if (((sk instanceof CsvSink && sk.profiled) || sk instanceof ArrowBinarySink) && !base && sk.rejectedAfterCopy === 0) {
    const columns = sk.profiler.result((it) => (numericPrecision(it) !== undefined ? numericScale(it) : undefined));
    for (const it of items) if (!file.plan.copyItems.includes(it)) columns.set(it.name, { nulls: sk.emitted, min: null, max: null });
    known = { rows: sk.emitted, columns };
  }
  return profileTable(client, opts.targetTable, items, invalid, known);
}

async function tryPrimaryKey(client: ClientBase, table: string, keyCols: string): Promise<boolean> {
  await client.query('SAVEPOINT odx_load_key');
  try {
    await client.query(`ALTER TABLE ${table} ADD PRIMARY KEY (${keyCols})`);
    await client.query('RELEASE SAVEPOINT odx_load_key');
    return true;
  } catch (e) {
    await client.query('ROLLBACK TO SAVEPOINT odx_load_key');
    await client.query('RELEASE SAVEPOINT odx_load_key');
    if ((e as { code?: string }).code === '23505') return false;
    throw e;
  }
}

/**
 * Finds rows with a key seen earlier in the file (or, for append, present in the base version), rejects
 * them with their record number and line, and deletes them. Rows are numbered in physical order, which
 * is COPY order: the table was created in this transaction, so COPY filled it page by page.
 */
async function rejectKeyProblems(client: ClientBase, table: string, base: string | undefined, key: string[], sink: Sink): Promise<void> {
  const kc = key.map((k) => `s.${quoteIdent(k)}`).join(', ');
  const plain = key.map(quoteIdent).join(', ');
  const inbase = base ? `EXISTS (SELECT 1 FROM ${base} b WHERE ${key.map((k) => `b.${quoteIdent(k)} = s.${quoteIdent(k)}`).join(' AND ')})` : 'false';
  const r = await client.query<ProblemRow>(
    `WITH s AS (SELECT row_number() OVER (ORDER BY ctid) AS ord, ctid AS tid, ${plain} FROM ${table}),
          d AS (SELECT ${plain} FROM ${table} GROUP BY ${plain} HAVING count(*) > 1)
     SELECT s.ord::text AS ord, s.tid::text AS tid, ARRAY[${key.map((k) => `s.${quoteIdent(k)}::text`).join(', ')}] AS k,
            (${kc}) IN (SELECT * FROM d) AS dup, ${inbase} AS inbase
       FROM s
      WHERE (${kc}) IN (SELECT * FROM d) OR ${inbase}
      ORDER BY s.ord`,
  );
  const first = new Map<string, number>();
  const del: string[] = [];
  const keyCol = sink.columns.find((c) => c.item?.name === key[0]) ?? null;
  const label = `(${key.join(', ')})`;
  for (const row of r.rows) {
    const rec = sink.recordOfEmitted(Number(row.ord));
    const line = sink.lines.line(rec);
    const kt = JSON.stringify(row.k);
    const value = row.k.join(',');
    if (row.inbase) {
      del.push(row.tid);
      sink.addReject(rec, line, keyCol, value, 'duplicate-key', `key ${label}=(${value}) is already in the current version`);
      sink.rowRejected(rec, false);
      continue;
    }
    const f = first.get(kt);
    if (f === undefined) {
      first.set(kt, rec);
      continue;
    }
    del.push(row.tid);
    const fl = sink.lines.line(f);
    sink.addReject(rec, line, keyCol, value, 'duplicate-key', `key ${label}=(${value}) already appears at record ${f}${fl !== null ? ' (line ' + fl + ')' : ''}`);
    sink.rowRejected(rec, false);
  }
  for (let i = 0; i < del.length; i += 10000) {
    await client.query(`DELETE FROM ${table} WHERE ctid = ANY($1::tid[])`, [del.slice(i, i + 10000)]);
  }
}

/** Items that the base table has a column for. */
async function baseColumns(client: ClientBase, base: string, items: LoaderItem[]): Promise<LoaderItem[]> {
  const r = await client.query(
    `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
    [base],
  );
  const have = new Set(r.rows.map((x) => x.attname as string));
  return items.filter((it) => have.has(it.name));
}

export type { Reject };
