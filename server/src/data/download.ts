import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import ExcelJS from 'exceljs';
import pg from 'pg';
import Cursor from 'pg-cursor';
import copyStreams from 'pg-copy-streams';
import { RecordBatchStreamWriter } from 'apache-arrow';
import { arrowBatch, arrowSchema } from './arrow.ts';
import { quoteIdent } from '../open/masking.ts';
import { selectSql, whereSql, type RowQuery } from './query.ts';
import type { DataView } from './view.ts';

export const DOWNLOAD_FORMATS = ['csv', 'ndjson', 'json', 'arrow', 'xlsx'] as const;
export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];

export const CONTENT_TYPES: Record<DownloadFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  json: 'application/json; charset=utf-8',
  arrow: 'application/vnd.apache.arrow.stream',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

const XLSX_MAX_ROWS = 1_048_575;
const BATCH = 8192;

/** COPY cannot take parameters: the WHERE values are inlined as escaped literals (they were type-checked when parsed). */
function inlineWhere(view: DataView, q: RowQuery): string {
  const where = whereSql(view, q);
  let i = 0;
  const lit = (v: unknown): string => (Array.isArray(v) ? `array[${v.map(lit).join(',')}]` : pg.Client.prototype.escapeLiteral(String(v)));
  return where.sql.replace(/\?/g, () => lit(where.bindings[i++]));
}

/** The statement a download runs: fields masked in SQL; ordered only when the caller asked for an order. */
function downloadSelect(view: DataView, q: RowQuery, limit: number | null): string {
  let sql = `select ${q.fields.map((f) => `${view.byName.get(f)!.select} as ${quoteIdent(f)}`).join(', ')} from ${view.table} where ${inlineWhere(view, q)}`;
  if (q.sort.length) sql += ` order by ${q.sort.map((s) => `${quoteIdent(s.column)} ${s.desc ? 'desc' : 'asc'} nulls last`).join(', ')}`;
  if (limit !== null) sql += ` limit ${limit}`;
  return sql;
}

/**
 * COPY text format doubles every backslash; JSON text has no other characters COPY escapes.
 * Works on bytes (a backslash is never part of a multi-byte UTF-8 character), so a character
 * split between chunks is never touched; a chunk ending inside a pair carries its half over.
 */
export function unescapeCopyText(): Transform {
  let carry = false;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (!carry && chunk.indexOf(92) === -1) return cb(null, chunk); // the common case
      const out = Buffer.allocUnsafe(chunk.length + 1);
      let n = 0;
      let i = 0;
      if (carry) {
        out[n++] = 92;
        i = chunk[0] === 92 ? 1 : 0; // the other half of the pair
        carry = false;
      }
      for (; i < chunk.length; i++) {
        out[n++] = chunk[i];
        if (chunk[i] === 92) {
          if (i + 1 < chunk.length) i++;
          else {
            n--;
            carry = true;
          }
        }
      }
      cb(null, out.subarray(0, n));
    },
    flush(cb) {
      cb(null, carry ? Buffer.from([92]) : undefined);
    },
  });
}

/** NDJSON lines into one JSON array, on bytes and without parsing them (a JSON line holds no raw newline). */
export function ndjsonToArray(): Transform {
  let started = false;
  let held = false;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      let lines = 0;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      const out = Buffer.allocUnsafe(chunk.length + lines + 3);
      let n = 0;
      if (!started) {
        out[n++] = 91; // [
        started = true;
      }
      if (held && chunk.length) {
        out[n++] = 44; // ,
        out[n++] = 10;
        held = false;
      }
      for (let i = 0; i < chunk.length; i++) {
        if (chunk[i] !== 10) {
          out[n++] = chunk[i];
        } else if (i === chunk.length - 1) {
          held = true; // the last line's newline: a comma follows only if more comes
        } else {
          out[n++] = 44;
          out[n++] = 10;
        }
      }
      cb(null, out.subarray(0, n));
    },
    flush(cb) {
      cb(null, (started ? '' : '[') + '\n]\n');
    },
  });
}

function countLines(counter: { rows: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) counter.rows++;
      cb(null, chunk);
    },
  });
}

/**
 * Counts the rows of COPY's CSV as they pass: a newline ends a row unless it is inside a quoted
 * field (COPY doubles quotes inside one, which toggles twice). Jumps between quotes and newlines
 * with indexOf, so rows without quotes cost one native search each.
 */
export function countCsvRows(counter: { rows: number }): Transform {
  let quoted = false;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      const n = chunk.length;
      let i = 0;
      let nextQuote = -1;
      while (i < n) {
        if (quoted) {
          const q = chunk.indexOf(34, i);
          if (q === -1) break;
          quoted = false;
          i = q + 1;
          continue;
        }
        if (nextQuote < i) {
          nextQuote = chunk.indexOf(34, i);
          if (nextQuote === -1) nextQuote = n;
        }
        const nl = chunk.indexOf(10, i);
        if (nl !== -1 && nl < nextQuote) {
          counter.rows++;
          i = nl + 1;
        } else if (nextQuote < n) {
          quoted = true;
          i = nextQuote + 1;
        } else break;
      }
      cb(null, chunk);
    },
  });
}

export interface DownloadResult {
  rows: number;
  aborted: boolean;
}

/**
 * Streams a download from the database with constant memory. CSV and (N)DJSON come from
 * PostgreSQL's COPY; Arrow and xlsx are built from cursor batches. A client that goes away
 * stops the query: its connection is destroyed, which ends the statement on the server.
 */
export async function streamDownload(pool: pg.Pool, view: DataView, q: RowQuery, format: DownloadFormat, res: Response, opts: { bom?: boolean; limit?: number | null } = {}): Promise<DownloadResult> {
  const client = await pool.connect();
  let aborted = false;
  const onClose = () => {
    if (!res.writableFinished) aborted = true;
  };
  res.on('close', onClose);
  const counter = { rows: 0 };
  try {
    const limit = format === 'xlsx' ? Math.min(opts.limit ?? XLSX_MAX_ROWS, XLSX_MAX_ROWS) : (opts.limit ?? null);
    if (format === 'csv' || format === 'ndjson' || format === 'json') {
      const select = downloadSelect(view, q, limit);
      const copySql =
        format === 'csv'
          ? `copy (${select}) to stdout with (format csv, header true)`
          : `copy (select to_json(d)::text from (${select}) d) to stdout`;
      const source = client.query(copyStreams.to(copySql));
      if (format === 'csv' && opts.bom) res.write('\uFEFF');
      const stages: (NodeJS.ReadableStream | NodeJS.WritableStream | Transform)[] = [source];
      if (format !== 'csv') stages.push(unescapeCopyText());
      stages.push(format === 'csv' ? countCsvRows(counter) : countLines(counter));
      if (format === 'json') stages.push(ndjsonToArray());
      await pipeline([...stages, res] as unknown as [NodeJS.ReadableStream, Writable]);
      if (format === 'csv') counter.rows = Math.max(counter.rows - 1, 0); // the header line
    } else {
      const { sql, bindings } = selectSql(view, q, { paged: false });
      const pgSql = limit === null ? sql : `${sql} limit ${limit}`;
      let n = 0;
      const text = pgSql.replace(/\?/g, () => `$${++n}`);
      const cursor = client.query(new Cursor(text, bindings as unknown[], { rowMode: 'array' }));
      try {
        if (format === 'arrow') await writeArrow(cursor, view, q, res, counter, () => aborted);
        else await writeXlsx(cursor, view, q, res, counter, () => aborted);
      } finally {
        await cursor.close().catch(() => undefined);
      }
    }
  } catch (err) {
    if (!aborted) throw err;
  } finally {
    res.off('close', onClose);
    // a connection cut off mid-stream is destroyed, not reused: that also stops its query
    client.release(aborted ? new Error('client went away') : undefined);
  }
  return { rows: counter.rows, aborted };
}

/** Waits while the client's socket is full; a client that has gone away releases the wait. */
async function drained(res: Response): Promise<void> {
  if (!res.writableNeedDrain || res.destroyed) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

async function writeArrow(cursor: Cursor, view: DataView, q: RowQuery, res: Response, counter: { rows: number }, gone: () => boolean) {
  const schema = arrowSchema(q.fields.map((f) => view.byName.get(f)!));
  const writer = new RecordBatchStreamWriter();
  const out = writer.toNodeStream();
  out.pipe(res);
  const done = new Promise((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
    res.on('close', resolve);
  });
  for (;;) {
    const rows = (await cursor.read(BATCH)) as unknown[][];
    if (rows.length === 0 || gone()) break;
    writer.write(arrowBatch(schema, rows));
    counter.rows += rows.length;
    // let the pipe hand the batch to the socket, then wait while the socket is full
    await new Promise((r) => setImmediate(r));
    await drained(res);
  }
  if (gone()) return; // nothing more to say to a client that left
  if (counter.rows === 0) writer.reset(undefined, schema);
  writer.finish();
  await done;
}

async function writeXlsx(cursor: Cursor, view: DataView, q: RowQuery, res: Response, counter: { rows: number }, gone: () => boolean) {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet('data');
  sheet.addRow(q.fields).commit();
  for (;;) {
    const rows = (await cursor.read(BATCH)) as unknown[][];
    if (rows.length === 0 || gone()) break;
    for (const r of rows) sheet.addRow(r).commit();
    counter.rows += rows.length;
    await drained(res);
  }
  if (gone()) return;
  sheet.commit();
  await workbook.commit();
}
