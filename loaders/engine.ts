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
import { numericPrecision, numericScale, pgType } from './coerce.ts';
import iconv from 'iconv-lite';
import { CsvScanner, CsvSink, CsvSyntaxError, HeaderCapture, sniffDelimiter, type RawEncoding } from './csv.ts';
import { ColumnResolver, checkItems, planColumns } from './plan.ts';
import { CopyOut, Sink, type SinkOptions } from './sink.ts';
import { ByteSource, detectEncoding, prepend, sniffFormat, toUtf8, type TextEncoding } from './source.ts';
import { quoteIdent } from '../server/src/lib/sql.ts';
import { createTableSql, profileTable, type KnownStats } from './sql.ts';
import { LoadError, type LoadFormat, type LoadOptions, type LoadResult, type LoaderItem, type Reject } from './types.ts';
import type { FormatReader } from './format-reader.ts';
import { ArrowReader } from './arrow.ts';
import { BINARY_HEADER, BINARY_TRAILER } from './binary.ts';
import { JsonReader } from './json.ts';
import { XlsxReader } from './xlsx.ts';

const COPY_AHEAD = 8 << 20;
const DELIMITER_SQL: Record<string, string> = { ',': `','`, '\t': `E'\\t'`, ';': `';'`, '|': `'|'` };

class CsvReader implements FormatReader {
  encoding = 'utf8';
  delimiter = ',';
  /** The bytes COPY receives: UTF-8, or GB18030 passed through untouched (PostgreSQL converts). */
  copyEncoding: 'UTF8' | 'GB18030' = 'UTF8';
  readonly allItems = false;
  private chunks!: AsyncGenerator<Buffer>;
  private rest: Buffer = Buffer.alloc(0);
  private eof = false;
  private scanner!: CsvScanner;
  private sink: CsvSink | null = null;
  /** The decoder met undecodable input. */
  private suspect = false;
  private raw: RawEncoding = 'utf8';
  private transcoded = false;

  constructor(
    private readonly src: ByteSource,
    private readonly opts: LoadOptions,
    private readonly tsv: boolean,
  ) {}

  async open(): Promise<string[]> {
    const enc: TextEncoding = await detectEncoding(this.src, this.opts.encoding);
    this.encoding = enc;
    // The raw head decides the delimiter.
    const rawChunks = this.src.chunks();
    let rawHead: Buffer = Buffer.alloc(0);
    let rawEof = false;
    while (rawHead.length < 1 << 16 && !rawEof) {
      const r = await rawChunks.next();
      if (r.done) rawEof = true;
      else rawHead = rawHead.length ? Buffer.concat([rawHead, r.value]) : r.value;
    }
    const sample =
      enc === 'utf8' ? rawHead.toString('utf8') : iconv.decode(rawHead, enc === 'gb18030' ? 'gb18030' : enc === 'utf16le' ? 'utf-16le' : 'utf-16be');
    this.delimiter = this.tsv ? '\t' : sniffDelimiter(sample.replace(/^\ufeff/, ''), /\.(tsv|tab)$/i.test(this.src.name ?? ''));
    const all = prepend(rawHead, rawChunks);
    if (enc === 'utf8') this.chunks = toUtf8(all, 'utf8');
    else if (enc === 'gb18030' && this.delimiter !== '|') {
      // GB18030 never uses the bytes of " , ; tab CR LF inside a character: scan the bytes as they are and
      // let COPY convert them. ('|' can be the second byte of a character, so that file is transcoded.)
      this.raw = 'gb18030';
      this.copyEncoding = 'GB18030';
      this.chunks = all;
    } else {
      this.transcoded = true;
      this.chunks = toUtf8(all, enc, () => {
        this.suspect = true;
        this.sink?.lookCloser();
      });
    }
    let head: Buffer = Buffer.alloc(0);
    while (head.length < 1 << 16 && !this.eof) {
      const r = await this.chunks.next();
      if (r.done) this.eof = true;
      else head = head.length ? Buffer.concat([head, r.value]) : r.value;
    }
    this.scanner = new CsvScanner(this.delimiter.charCodeAt(0));
    const hc = new HeaderCapture(this.scanner, this.raw);
    this.scanner.handler = hc;
    for (;;) {
      let used: number;
      try {
        used = this.scanner.scan(head, this.eof);
      } catch (e) {
        if (e instanceof CsvSyntaxError) throw new LoadError('parse', e.message, { line: e.line });
        throw e;
      }
      if (hc.header) {
        this.rest = head.subarray(used);
        return hc.header;
      }
      if (this.eof) throw new LoadError('parse', 'the file is empty (no header line)');
      head = head.subarray(used); // blank lines before the header
      const r = await this.chunks.next();
      if (r.done) this.eof = true;
      else head = Buffer.concat([head, r.value]);
    }
  }

  get canBinary(): boolean {
    return this.raw === 'utf8';
  }

  makeSink(o: SinkOptions): Sink {
    this.sink = new CsvSink(this.scanner, { ...o, transcoded: this.transcoded, raw: this.raw, binary: !!o.binary, copyText: !!o.copyText });
    if (this.suspect) this.sink.lookCloser();
    return this.sink;
  }

  async run(tick: () => Promise<void>): Promise<void> {
    const sc = this.scanner;
    const sink = this.sink!;
    sc.handler = sink;
    let pending: Buffer[] = this.rest.length ? [this.rest] : [];
    let pendingLen = this.rest.length;
    // A record larger than what was read (a huge quoted field) is rescanned only once the buffer has
    // doubled, so the work stays linear.
    let minScan = 0;
    for (;;) {
      let final = this.eof;
      if (!final) {
        const r = await this.chunks.next();
        if (r.done) final = this.eof = true;
        else {
          pending.push(r.value);
          pendingLen += r.value.length;
        }
      }
      if (!final && pendingLen < minScan) continue;
      const buf = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingLen);
      sink.begin(buf);
      let used: number;
      try {
        used = sc.scan(buf, final);
      } catch (e) {
        if (e instanceof CsvSyntaxError) {
          const col = sink.columns[e.field]?.header;
          throw new LoadError('parse', col ? `${e.message.replace(/\)$/, '')}: ${col})` : e.message, { line: e.line, column: col });
        }
        throw e;
      }
      sink.end(used);
      const left = buf.subarray(used);
      pending = left.length ? [left] : [];
      pendingLen = left.length;
      minScan = used === 0 ? buf.length * 2 : 0;
      await tick();
      if (final) return;
    }
  }
}

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

export async function loadFile(client: ClientBase, opts: LoadOptions): Promise<LoadResult> {
  const t0 = performance.now();
  const key = checkOptions(opts);
  const items = opts.items;
  const target = opts.targetTable;
  const base = opts.mode !== 'replace' ? opts.baseTable : undefined;
  const signal = opts.signal;
  if (signal?.aborted) throw new LoadError('aborted', 'the load was aborted');
  const src = await ByteSource.open(opts.source as NodeJS.ReadableStream | string, opts.fileName);
  let copy: (Writable & { rowCount: number }) | null = null;
  let copyDone: Promise<void> | null = null;
  let copyFailed: unknown = null;
  let sink: Sink | null = null;
  try {
    const format = opts.format ?? (await sniffFormat(src));
    const reader = makeReader(format, src, opts);
    const header = await reader.open();
    if (signal?.aborted) throw new LoadError('aborted', 'the load was aborted');
    const resolver = new ColumnResolver(items, opts.mapping);
    const plan = planColumns(resolver, header, { mustHave: key, allItems: reader.allItems, nulChecked: format === 'csv' || format === 'tsv' });
    if (plan.copyItems.length === 0) throw new LoadError('options', 'no column of the file maps to an item');

    await client.query(createTableSql(target, items));
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
    let mode: 'csv' | 'text' | 'binary' = 'csv';
    if (reader.canBinary && opts.copyFormat !== 'csv') {
      mode = 'text';
      if (opts.copyFormat === 'binary' && (await client.query(`SELECT current_setting('client_encoding') AS e`)).rows[0].e === 'UTF8')
        mode = 'binary';
    }
    const binary = mode === 'binary';
    const options =
      mode === 'binary'
        ? `FORMAT binary${freeze}`
        : mode === 'text'
          ? `FORMAT text, DELIMITER ${DELIMITER_SQL[delim]}, NULL '', ENCODING 'UTF8'${freeze}`
          : `FORMAT csv, DELIMITER ${DELIMITER_SQL[delim]}, ENCODING '${reader.copyEncoding ?? 'UTF8'}', FORCE_NULL (${cols})${freeze}`;
    copy = client.query(
      copyStreams.from(
        `COPY ${target} (${cols}) FROM STDIN WITH (${options})`,
        // Let parsing run ahead of the server by a few MB, so both work all the time.
        { highWaterMark: COPY_AHEAD },
      ),
    ) as unknown as Writable & { rowCount: number };
    const cp = copy;
    cp.on('error', (e) => {
      copyFailed ??= e;
    });
    copyDone = finished(cp);
    copyDone.catch(() => {});

    sink = reader.makeSink(
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
    );
    const sk = sink;
    sk.out = new CopyOut(cp);
    if (binary) sk.out.raw(BINARY_HEADER, 0, BINARY_HEADER.length);
    const tick = async () => {
      if (copyFailed) throw copyFailed;
      await sk.out.flush();
      if (signal?.aborted) throw new LoadError('aborted', 'the load was aborted');
      opts.onProgress?.({ rows: sk.records, bytes: src.bytes, totalBytes: src.totalBytes });
    };
    await reader.run(tick);
    if (binary) sk.out.raw(BINARY_TRAILER, 0, BINARY_TRAILER.length);
    await tick();
    cp.end();
    await copyDone;
    copy = null;
    const tCopied = performance.now();
    const abortCheck = () => {
      if (signal?.aborted) throw new LoadError('aborted', 'the load was aborted');
    };
    abortCheck();
    if (cp.rowCount !== sk.emitted) throw new LoadError('parse', `COPY stored ${cp.rowCount} rows, ${sk.emitted} were sent`);

    // Keys: a primary key; duplicate keys within the file (and, for append, keys already in the base
    // version) reject every occurrence after the first.
    const keyCols = key.map(quoteIdent).join(', ');
    let baseRows = 0;
    let replacedRows = 0;
    const baseCols = base ? await baseColumns(client, base, items) : [];
    if (key.length) {
      let pkOk = await tryPrimaryKey(client, target, keyCols);
      let overlap = false;
      if (base && opts.mode === 'append') {
        const on = key.map((k) => `b.${quoteIdent(k)} = t.${quoteIdent(k)}`).join(' AND ');
        const r = await client.query(`SELECT EXISTS (SELECT 1 FROM ${target} t JOIN ${base} b ON ${on}) AS x`);
        overlap = !!r.rows[0].x;
      }
      if (!pkOk || overlap) {
        await rejectKeyProblems(client, target, base && opts.mode === 'append' ? base : undefined, key, sk);
        if (!pkOk) pkOk = await tryPrimaryKey(client, target, keyCols);
        if (!pkOk) throw new LoadError('database', 'could not create the primary key after removing duplicate keys');
      }
    }
    const tKeyed = performance.now();
    abortCheck();
    const fileRows = sk.emitted - sk.rejectedAfterCopy;
    if (base) {
      const names = baseCols.map((it) => quoteIdent(it.name)).join(', ');
      const vals = baseCols.map((it) => `b.${quoteIdent(it.name)}::${pgType(it)}`).join(', ');
      const total = Number((await client.query(`SELECT count(*)::bigint AS n FROM ${base}`)).rows[0].n);
      if (opts.mode === 'append') {
        const r = await client.query(`INSERT INTO ${target} (${names}) SELECT ${vals} FROM ${base} b`);
        baseRows = r.rowCount ?? 0;
      } else {
        const on = key.map((k) => `t.${quoteIdent(k)} = b.${quoteIdent(k)}`).join(' AND ');
        const r = await client.query(
          `INSERT INTO ${target} (${names}) SELECT ${vals} FROM ${base} b WHERE NOT EXISTS (SELECT 1 FROM ${target} t WHERE ${on})`,
        );
        baseRows = r.rowCount ?? 0;
        replacedRows = total - baseRows;
      }
    }

    const invalid: Record<string, number> = {};
    for (const c of sk.columns) if (c.item) invalid[c.item.name] = (invalid[c.item.name] ?? 0) + c.invalid;
    const tMerged = performance.now();
    abortCheck();
    // The CSV path gathered nulls/min/max of what it sent; valid while the table holds exactly those rows.
    let known: KnownStats | undefined;
    if (sk instanceof CsvSink && !base && sk.rejectedAfterCopy === 0) {
      const columns = sk.profiler.result((it) => (numericPrecision(it) !== undefined ? numericScale(it) : undefined));
      for (const it of items) if (!plan.copyItems.includes(it)) columns.set(it.name, { nulls: sk.emitted, min: null, max: null });
      known = { rows: sk.emitted, columns };
    }
    const profile = await profileTable(client, target, items, invalid, known);
    const tDone = performance.now();
    const order = new Map(items.map((it, i) => [it.name, i]));
    const rejects = sk.rejects.sort((a, b) => a.record - b.record || (order.get(a.column ?? '') ?? -1) - (order.get(b.column ?? '') ?? -1));
    const present = new Set(plan.columns.filter((c) => c.item).map((c) => c.item!.name));
    return {
      rows: fileRows,
      rejected: sk.rejectedRows,
      rejects,
      rejectsTruncated: sk.rejectsTruncated,
      totalRows: profile.rows,
      baseRows,
      replacedRows,
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
    if (copy && copyDone) {
      // End the COPY (CopyFail) and wait for the server, so the connection is usable for the ROLLBACK.
      if (!copy.destroyed) copy.destroy(e instanceof Error ? e : new Error(String(e)));
      await copyDone.catch(() => {});
    }
    if (e instanceof LoadError) throw e;
    throw copyError(e, sink);
  } finally {
    src.destroy();
  }
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
