/**
 * .xlsx in flat memory: the workbook's parts are read from their streams (see xlsx-parts.ts), the chosen
 * sheet row by row. The header is the first row among the first 20 whose cells name items (title rows
 * above it, common in government spreadsheets, are skipped); record lines are sheet row numbers.
 */
import type { FormatReader } from './format-reader.ts';
import { ColumnResolver } from './plan.ts';
import { Sink, type SinkOptions } from './sink.ts';
import type { ByteSource } from './source.ts';
import { LoadError, type LoadOptions } from './types.ts';
import { Workbook } from './xlsx-parts.ts';
import type { SheetRow } from './xlsx-scan.ts';

function isEmpty(cells: unknown[]): boolean {
  return cells.every((c) => c === null || c === '' || (typeof c === 'string' && c.trim() === ''));
}

const HEADER_SCAN = 20;

export class XlsxReader implements FormatReader {
  encoding = 'binary';
  readonly allItems = false;
  private book: Workbook | null = null;
  private rows!: AsyncIterator<SheetRow[]>;
  private batch: SheetRow[] = [];
  private next = 0;
  private header: string[] = [];
  private pending: SheetRow[] = [];
  private sink!: Sink;

  constructor(
    private readonly src: ByteSource,
    private readonly opts: LoadOptions,
  ) {}

  async open(): Promise<string[]> {
    try {
      this.book = await Workbook.open(this.src);
    } catch (e) {
      if (e instanceof LoadError) throw e;
      throw new LoadError('parse', `not a readable .xlsx workbook: ${(e as Error).message}`, { cause: e });
    }
    const want = this.opts.sheet;
    const names = this.book.sheets.map((s) => s.name);
    const sheet = want === undefined ? this.book.sheets[0] : this.book.sheets.find((s) => s.name === want);
    if (!sheet) {
      throw new LoadError(
        'options',
        want !== undefined ? `no sheet named ${JSON.stringify(want)} (sheets: ${names.join(', ')})` : 'the workbook has no sheets',
      );
    }
    this.rows = this.book.rows(sheet.part);
    // The header: the first row where most non-empty cells name items.
    const resolver = new ColumnResolver(this.opts.items, this.opts.mapping);
    const seen: SheetRow[] = [];
    let headerAt = -1;
    while (seen.length < HEADER_SCAN) {
      const r = await this.nextRow();
      if (!r) break;
      if (isEmpty(r.cells)) continue;
      seen.push(r);
      const texts = r.cells.filter((c) => c !== null && String(c).trim() !== '').map((c) => String(c));
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

  private async nextRow(): Promise<SheetRow | null> {
    return this.next < this.batch.length || (await this.nextBatch()) ? this.batch[this.next++] : null;
  }

  /** Reads the sheet's next batch of rows; false at its end. */
  private async nextBatch(): Promise<boolean> {
    try {
      const r = await this.rows.next();
      if (r.done) return false;
      this.batch = r.value;
      this.next = 0;
      return true;
    } catch (e) {
      throw new LoadError('parse', `cannot read the sheet: ${(e as Error).message}`, { cause: e });
    }
  }

  makeSink(o: SinkOptions): Sink {
    this.sink = new Sink(o);
    return this.sink;
  }

  private feed({ cells, number }: SheetRow): void {
    if (isEmpty(cells)) return;
    const n = this.header.length;
    if (cells.length > n && !isEmpty(cells.slice(n))) {
      this.sink.badRecord(number, cells.map((c) => (c === null ? '' : String(c))).join(',').slice(0, 200), `values beyond the ${n} header columns`);
      return;
    }
    this.sink.values(cells, number);
  }

  async run(tick: () => Promise<void>): Promise<void> {
    for (const p of this.pending) this.feed(p);
    this.pending = [];
    let n = 0;
    do {
      while (this.next < this.batch.length) {
        this.feed(this.batch[this.next++]);
        if (++n % 2048 === 0) await tick();
      }
    } while (await this.nextBatch());
  }

  close(): void {
    this.book?.close();
    this.book = null;
  }
}
