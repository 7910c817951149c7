import { once } from 'node:events';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import ExcelJS from 'exceljs';
import pg from 'pg';
import { badRequest, text } from '../http/errors.ts';
import { csvField, neutralise } from '../lib/csv.ts';
import Cursor from 'pg-cursor';
import copyStreams from 'pg-copy-streams';
import { ArrowWriter, arrowSchema, arrowSelect } from './arrow.ts';
import { JsonWriter, jsonColumn } from './json-lines.ts';
import { quoteIdent } from '../lib/sql.ts';
import { selectSql, whereSql, type RowQuery } from './query.ts';
import type { DataView, ViewColumn } from './view.ts';

export const DOWNLOAD_FORMATS = ['csv', 'ndjson', 'json', 'arrow', 'xlsx'] as const;
export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];

export const CONTENT_TYPES: Record<DownloadFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  json: 'application/json; charset=utf-8',
  arrow: 'application/vnd.apache.arrow.stream',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * Who a download is for. `programs` (the default) get CSV exactly as the data holds it; `people`
 * (`bom=1`, `header=label`, xlsx) get cells a spreadsheet will not run as formulas, and with
 * `header: 'label'` the items' Chinese labels as the header row and booleans as 是/否.
 */
export interface DownloadOptions {
  bom?: boolean;
  header?: 'name' | 'label';
  limit?: number | null;
  /** The dataset's name: the xlsx sheet is named after it. */
  title?: string;
}

/** A download a spreadsheet user will open: formulas are neutralised (see `neutralise`). */
export function forPeople(format: DownloadFormat, opts: DownloadOptions): boolean {
  return format === 'xlsx' || Boolean(opts.bom) || opts.header === 'label';
}

/** The download options of a query string (`bom`, `header`), or a 400 naming the bad one. */
export function downloadOptions(raw: { bom?: unknown; header?: unknown }): Pick<DownloadOptions, 'bom' | 'header'> {
  const header = raw.header ?? 'name';
  if (header !== 'name' && header !== 'label') throw badRequest(text(`未知的表头方式 ${String(header)}`, `unknown header ${String(header)}`), [{ in: 'query', path: '/header', message: text('name 或 label', 'name or label') }]);
  return { bom: raw.bom === '1' || raw.bom === 'true', header };
}

/** `neutralise` (lib/csv.ts) in SQL, for the COPY of a CSV for people. */
const neutraliseSql = (expr: string) => `regexp_replace(${expr}, '^([-=+@\t\r])', '''\\1')`;

/** Columns whose values PostgreSQL writes as text of the data's own: only these can start like a formula. */
const TYPED = new Set(['I', 'N', 'Y', 'B', 'F', 'D', 'T', 'L']);
const isTyped = (c: ViewColumn) => !c.masked && TYPED.has(c.item.type);

/**
 * The CSV select list: booleans as `true`/`false` (the Table Schema's words; PostgreSQL's COPY
 * writes `t`/`f`), or 是/否 under a label header; text neutralised for people.
 */
function csvExprs(columns: ViewColumn[], people: boolean, labels: boolean): string[] {
  return columns.map((c) => {
    if (isTyped(c)) {
      if (c.item.type !== 'L') return c.select;
      return labels ? `case when ${c.select} then '是' when not ${c.select} then '否' end` : `(${c.select})::text`;
    }
    return people ? neutraliseSql(c.select) : c.select;
  });
}

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
export async function streamDownload(pool: Pick<pg.Pool, 'connect'>, view: DataView, q: RowQuery, format: DownloadFormat, res: Response, opts: DownloadOptions = {}): Promise<DownloadResult> {
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
      const labels = opts.header === 'label';
      const exprs = csvExprs(columns, forPeople(format, opts), labels).map((e, i) => `${e} as ${quoteIdent(q.fields[i])}`);
      const source = client.query(copyStreams.to(`copy (${downloadSelect(view, q, limit, exprs)}) to stdout with (format csv, header ${!labels})`));
      await started(source);
      if (opts.bom) res.write('\uFEFF');
      if (labels) res.write(columns.map((c) => csvField(neutralise(c.item.label || c.name))).join(',') + '\n');
      await pipeline(source, countCsvRows(counter), res);
      if (!labels) counter.rows = Math.max(counter.rows - 1, 0); // the header line
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
      await started(source);
      await pipeline(source, encoder, res);
    } else {
      const cells = columns.map(xlsxCell);
      const sql = downloadSelect(view, q, limit, cells.map((c, i) => `${c.sql} as "_${i}"`));
      const cursor = client.query(new Cursor(sql, [], { rowMode: 'array' }));
      try {
        await writeXlsx(cursor, columns, cells, opts, res, counter, () => aborted);
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

/**
 * Waits for a COPY's first bytes (or its end): a statement the database refuses at once then
 * fails before the response has started, and is answered as an error instead of a cut-off reply.
 */
async function started(source: Readable): Promise<void> {
  await once(source, 'readable');
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

/** How one column becomes xlsx cells: the value as selected, and the typed cell made of it. */
interface XlsxCell {
  sql: string;
  numFmt?: string;
  value: (v: unknown) => unknown;
}

const asNumber = (v: unknown) => (v === null || Number.isFinite(v) ? v : String(v));
/** A wall-clock date-time written as `YYYY-MM-DDTHH:MI:SS.MS`: a cell's date, or the text when Excel has no such date (before 1900, ±infinity). */
const asDate = (v: unknown) => {
  if (v === null) return null;
  const d = new Date(`${v}Z`);
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1900 ? String(v) : d;
};

/** Numbers, dates, date-times (Asia/Shanghai wall clock, as the platform shows them) and booleans as typed cells; text neutralised. */
function xlsxCell(c: ViewColumn): XlsxCell {
  if (!isTyped(c)) return { sql: c.select, value: (v) => (v === null ? null : neutralise(String(v))) };
  switch (c.item.type) {
    case 'L':
      return { sql: c.select, value: (v) => v };
    case 'D':
      return { sql: `${c.select}::text || 'T00:00:00'`, numFmt: 'yyyy-mm-dd', value: asDate };
    case 'T':
      return { sql: `to_char(${c.select} at time zone 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS.MS')`, numFmt: 'yyyy-mm-dd hh:mm:ss', value: asDate };
    default:
      return { sql: `(${c.select})::float8`, value: asNumber };
  }
}

/** A sheet name Excel accepts: at most 31 characters, none of []:*?/\ . */
export function sheetName(title: string | undefined): string {
  const name = (title ?? '').replace(/[[\]:*?/\\]/g, ' ').replace(/^'+|'+$/g, '').trim().slice(0, 31).trim();
  return name || 'data';
}

async function writeXlsx(cursor: Cursor, columns: ViewColumn[], cells: XlsxCell[], opts: DownloadOptions, res: Response, counter: { rows: number }, gone: () => boolean) {
  // the first rows are read before the workbook writes anything: a failing statement is answered as an error
  const first = (await cursor.read(BATCH)) as unknown[][];
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName(opts.title), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c, i) => ({ key: c.name, width: 16, style: cells[i].numFmt ? { numFmt: cells[i].numFmt } : {} }));
  sheet.addRow(columns.map((c) => neutralise(opts.header === 'label' ? c.item.label || c.name : c.name))).commit();
  for (let rows = first; ; rows = (await cursor.read(BATCH)) as unknown[][]) {
    if (rows.length === 0 || gone()) break;
    for (const r of rows) sheet.addRow(r.map((v, i) => cells[i].value(v))).commit();
    counter.rows += rows.length;
    await drained(res);
  }
  if (gone()) return;
  sheet.commit();
  await workbook.commit();
}
