/**
 * .xlsx, streamed with exceljs' WorkbookReader (rows are read as the zip is inflated; the workbook is
 * never loaded whole). The header is the first row among the first 20 whose cells name items (title
 * rows above it, common in government spreadsheets, are skipped); record lines are sheet row numbers.
 */
import ExcelJS from 'exceljs';
import type { FormatReader } from './format-reader.ts';
import { NaiveDateTime } from './coerce.ts';
import { ColumnResolver } from './plan.ts';
import { Sink, type SinkOptions } from './sink.ts';
import type { ByteSource } from './source.ts';
import { LoadError, type LoadOptions } from './types.ts';

interface RowLike {
  number: number;
  values: unknown[];
}

/** A cell value as the loader sees it. */
export function cellValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return new NaiveDateTime(v);
  if (typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.richText)) return (o.richText as { text?: string }[]).map((r) => r.text ?? '').join('');
  if ('formula' in o || 'sharedFormula' in o) return cellValue(o.result);
  if ('error' in o) return String(o.error);
  if ('text' in o) return cellValue(o.text);
  if ('hyperlink' in o) return String(o.hyperlink);
  return JSON.stringify(v);
}

function rowCells(row: RowLike): unknown[] {
  const vals = row.values;
  const out: unknown[] = [];
  for (let i = 1; i < vals.length; i++) out.push(cellValue(vals[i]));
  return out;
}

function isEmpty(cells: unknown[]): boolean {
  return cells.every((c) => c === null || c === '' || (typeof c === 'string' && c.trim() === ''));
}

const HEADER_SCAN = 20;

export class XlsxReader implements FormatReader {
  encoding = 'binary';
  readonly allItems = false;
  private rows!: AsyncIterator<RowLike>;
  private sheets: AsyncIterator<unknown> | null = null;
  private header: string[] = [];
  private pending: { cells: unknown[]; line: number }[] = [];
  private sink!: Sink;

  constructor(
    private readonly src: ByteSource,
    private readonly opts: LoadOptions,
  ) {}

  async open(): Promise<string[]> {
    const wb = new ExcelJS.stream.xlsx.WorkbookReader(this.src.readable(), {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache',
      hyperlinks: 'ignore',
      entries: 'ignore',
    });
    const want = this.opts.sheet;
    let sheet: AsyncIterable<RowLike> | null = null;
    const names: string[] = [];
    // Iterate by hand: leaving a for-await loop would close the zip stream the chosen sheet is read from.
    const sheets = (wb as unknown as AsyncIterable<AsyncIterable<RowLike> & { name: string }>)[Symbol.asyncIterator]();
    this.sheets = sheets;
    try {
      for (;;) {
        const r = await sheets.next();
        if (r.done) break;
        const ws = r.value;
        names.push(ws.name);
        if (want === undefined || ws.name === want) {
          sheet = ws;
          break;
        }
        for await (const _row of ws) void _row; // skip the sheet (exceljs must read it to go on)
      }
    } catch (e) {
      throw new LoadError('parse', `not a readable .xlsx workbook: ${(e as Error).message}`, { cause: e });
    }
    if (!sheet) {
      throw new LoadError(
        'options',
        want !== undefined ? `no sheet named ${JSON.stringify(want)} (sheets: ${names.join(', ')})` : 'the workbook has no sheets',
      );
    }
    this.rows = sheet[Symbol.asyncIterator]();
    // The header: the first row where most non-empty cells name items.
    const resolver = new ColumnResolver(this.opts.items, this.opts.mapping);
    const seen: { cells: unknown[]; line: number }[] = [];
    let headerAt = -1;
    while (seen.length < HEADER_SCAN) {
      const r = await this.nextRow();
      if (!r) break;
      const cells = rowCells(r);
      if (isEmpty(cells)) continue;
      seen.push({ cells, line: r.number });
      const texts = cells.filter((c) => c !== null && String(c).trim() !== '').map((c) => String(c));
      const hits = texts.filter((t) => resolver.resolve(t)).length;
      if (hits > 0 && hits * 2 >= texts.length) {
        headerAt = seen.length - 1;
        break;
      }
    }
    if (seen.length === 0) throw new LoadError('parse', 'the sheet is empty');
    if (headerAt < 0) headerAt = 0;
    const h = seen[headerAt].cells.map((c) => (c === null ? '' : String(c)));
    while (h.length && h[h.length - 1].trim() === '') h.pop();
    this.header = h;
    this.pending = seen.slice(headerAt + 1);
    return h;
  }

  private async nextRow(): Promise<RowLike | null> {
    try {
      const r = await this.rows.next();
      return r.done ? null : r.value;
    } catch (e) {
      throw new LoadError('parse', `cannot read the sheet: ${(e as Error).message}`, { cause: e });
    }
  }

  makeSink(o: SinkOptions): Sink {
    this.sink = new Sink(o);
    return this.sink;
  }

  private feed(cells: unknown[], line: number): void {
    if (isEmpty(cells)) return;
    const n = this.header.length;
    if (cells.length > n && !isEmpty(cells.slice(n))) {
      this.sink.badRecord(line, cells.map((c) => (c === null ? '' : String(c))).join(',').slice(0, 200), `values beyond the ${n} header columns`);
      return;
    }
    this.sink.values(cells, line);
  }

  async run(tick: () => Promise<void>): Promise<void> {
    for (const p of this.pending) this.feed(p.cells, p.line);
    this.pending = [];
    let n = 0;
    for (;;) {
      const r = await this.nextRow();
      if (!r) break;
      this.feed(rowCells(r), r.number);
      if (++n % 2048 === 0) await tick();
    }
    // Let exceljs finish the workbook (and remove its temporary files).
    if (this.sheets) {
      for (;;) {
        const r = await this.sheets.next().catch(() => ({ done: true as const, value: undefined }));
        if (r.done) break;
        for await (const _row of r.value as AsyncIterable<RowLike>) void _row;
      }
    }
  }
}
