import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import ExcelJS from 'exceljs';
import pg from 'pg';
import Cursor from 'pg-cursor';
import copyStreams from 'pg-copy-streams';
import { ArrowWriter, arrowSchema, arrowSelect } from './arrow.ts';
import { JsonWriter, jsonColumn } from './json-lines.ts';
import { quoteIdent } from '../lib/sql.ts';
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

/**
 * The statement a download runs: fields masked in SQL (`exprs` when the format wants them in
 * another form, one per field); ordered only when the caller asked for an order. The order is on
 * the table's columns, qualified, so an output expression of the same name never stands in.
 */
function downloadSelect(view: DataView, q: RowQuery, limit: number | null, exprs?: string[]): string {
  const list = exprs ?? q.fields.map((f) => `${view.byName.get(f)!.select} as ${quoteIdent(f)}`);
  let sql = `select ${list.join(', ')} from ${view.table} where ${inlineWhere(view, q)}`;
  if (q.sort.length) sql += ` order by ${q.sort.map((s) => `${view.table}.${quoteIdent(s.column)} ${s.desc ? 'desc' : 'asc'} nulls last`).join(', ')}`;
  if (limit !== null) sql += ` limit ${limit}`;
  return sql;
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
 * Streams a download from the database with constant memory. Everything but xlsx comes from
 * PostgreSQL's COPY: CSV as PostgreSQL writes it; NDJSON, JSON and Arrow from a binary COPY of
 * the same masked values, encoded here (json-lines.ts, arrow.ts). xlsx is built from cursor
 * batches. Backpressure is the pipeline's: a slow client pauses the COPY. A client that goes away
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
  let encoder: JsonWriter | ArrowWriter | null = null;
  let failed = false;
  try {
    const limit = format === 'xlsx' ? Math.min(opts.limit ?? XLSX_MAX_ROWS, XLSX_MAX_ROWS) : (opts.limit ?? null);
    const columns = q.fields.map((f) => view.byName.get(f)!);
    if (format === 'csv') {
      const source = client.query(copyStreams.to(`copy (${downloadSelect(view, q, limit)}) to stdout with (format csv, header true)`));
      if (opts.bom) res.write('\uFEFF');
      await pipeline(source, countCsvRows(counter), res);
      counter.rows = Math.max(counter.rows - 1, 0); // the header line
    } else if (format === 'ndjson' || format === 'json' || format === 'arrow') {
      let exprs: string[];
      if (format === 'arrow') {
        exprs = columns.map((c) => arrowSelect(c));
        encoder = new ArrowWriter(arrowSchema(columns));
      } else {
        const json = columns.map(jsonColumn);
        exprs = json.map((c) => c.sql);
        encoder = new JsonWriter(json, format === 'json');
      }
      const sql = downloadSelect(view, q, limit, exprs.map((e, i) => `${e} as "_${i}"`));
      const source = client.query(copyStreams.to(`copy (${sql}) to stdout with (format binary)`));
      await pipeline(source, encoder, res);
    } else {
      const { sql, bindings } = selectSql(view, q, { paged: false });
      const pgSql = limit === null ? sql : `${sql} limit ${limit}`;
      let n = 0;
      const text = pgSql.replace(/\?/g, () => `$${++n}`);
      const cursor = client.query(new Cursor(text, bindings as unknown[], { rowMode: 'array' }));
      try {
        await writeXlsx(cursor, view, q, res, counter, () => aborted);
      } finally {
        await cursor.close().catch(() => undefined);
      }
    }
  } catch (err) {
    failed = true;
    if (!aborted) throw err;
  } finally {
    if (encoder) counter.rows = encoder.rows;
    res.off('close', onClose);
    // a connection cut off mid-stream (or left inside a failed COPY) is destroyed, not reused: that also stops its query
    client.release(aborted || failed ? new Error(aborted ? 'client went away' : 'download failed') : undefined);
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
