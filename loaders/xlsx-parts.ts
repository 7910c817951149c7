/**
 * The parts of an .xlsx workbook the loader reads, in flat memory: the zip is spooled to an unlinked
 * temporary file and read by random access (yauzl), since Excel writes the shared strings after the
 * sheets; every part is read by a SAX pass (saxes) over its inflated stream, never held whole.
 * The shared strings, which cells name by index, are kept as UTF-8 in fixed-size pages.
 */
import { closeSync, openSync, promises as fsp, write } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { createInflateRaw } from 'node:zlib';
import { SaxesParser } from 'saxes';
import yauzl from 'yauzl';
import { NaiveDateTime } from './coerce.ts';
import type { ByteSource } from './source.ts';

type Attributes = Record<string, string>;
interface XmlHandlers {
  open?(name: string, attrs: Attributes): void;
  text?(text: string): void;
  close?(name: string): void;
}

/** The element's local name (some writers prefix every element, e.g. `x:row`). */
const local = (name: string) => {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
};

/** A SAX pass over a part, chunk by chunk; `each` runs after every chunk (to hand out what it produced). */
async function* saxPass(stream: AsyncIterable<Buffer>, h: XmlHandlers): AsyncGenerator<void> {
  const parser = new SaxesParser({ position: false });
  if (h.open) parser.on('opentag', (t) => h.open!(local(t.name), t.attributes as Attributes));
  if (h.text) {
    parser.on('text', h.text);
    parser.on('cdata', h.text);
  }
  if (h.close) parser.on('closetag', (t) => h.close!(local(t.name)));
  const utf8 = new TextDecoder('utf-8');
  for await (const chunk of stream) {
    parser.write(utf8.decode(chunk, { stream: true }));
    yield;
  }
  parser.write(utf8.decode());
  parser.close();
  yield;
}

async function saxAll(stream: AsyncIterable<Buffer>, h: XmlHandlers): Promise<void> {
  for await (const _ of saxPass(stream, h)) void _;
}

const writeAsync = promisify(write);
const PAGE = 1 << 22;

/** Shared strings as UTF-8 in 4 MB pages, with (page, offset, length) per index. */
class SharedStrings {
  private pages: Buffer[] = [];
  private used = PAGE;
  private page = new Uint32Array(1024);
  private start = new Uint32Array(1024);
  private len = new Uint32Array(1024);
  count = 0;

  add(s: string): void {
    const n = Buffer.byteLength(s);
    if (this.used + n > (this.pages.at(-1)?.length ?? 0)) {
      this.pages.push(Buffer.allocUnsafe(Math.max(PAGE, n)));
      this.used = 0;
    }
    if (this.count === this.len.length) {
      const grow = (a: Uint32Array) => {
        const b = new Uint32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.page = grow(this.page);
      this.start = grow(this.start);
      this.len = grow(this.len);
    }
    this.pages[this.pages.length - 1].write(s, this.used);
    this.page[this.count] = this.pages.length - 1;
    this.start[this.count] = this.used;
    this.len[this.count] = n;
    this.count++;
    this.used += n;
  }

  get(i: number): string | undefined {
    if (!(i >= 0 && i < this.count)) return undefined;
    const s = this.start[i];
    return this.pages[this.page[i]].toString('utf8', s, s + this.len[i]);
  }
}

// Excel's built-in date and time formats (14–22, 45–47; 27–36 and 50–58 in the Chinese, Japanese and Korean locales).
const BUILTIN_DATE = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);
/** A number format shows a date or time when, outside quotes and [...], it has a date or time letter. */
const isDateFormat = (code: string) => /[ymdhsb]/i.test(code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '').replace(/\\./g, ''));

export interface SheetRow {
  /** The sheet row number (1-based), as Excel shows it. */
  number: number;
  /** Cell values from column A; a missing cell is null. */
  cells: unknown[];
}

/** An opened workbook: its sheet names, and a row stream per sheet. */
export class Workbook {
  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
    readonly sheets: { name: string; part: string }[],
    private readonly date1904: boolean,
    private readonly dateStyles: boolean[],
    private readonly strings: SharedStrings,
  ) {}

  static async open(src: ByteSource): Promise<Workbook> {
    const fd = await spool(src);
    const zip = await yauzl.fromFdPromise(fd, { lazyEntries: true, autoClose: false }).catch((e) => {
      closeSync(fd);
      throw e;
    });
    try {
      const entries = new Map<string, yauzl.Entry>();
      await new Promise<void>((resolve, reject) => {
        zip.on('entry', (e: yauzl.Entry) => {
          entries.set(e.fileName.replace(/^\//, ''), e);
          zip.readEntry();
        });
        zip.once('end', resolve);
        zip.once('error', reject);
        zip.readEntry();
      });
      const read = async (part: string, h: XmlHandlers) => {
        const e = entries.get(part);
        if (e) await saxAll(await inflated(zip, e), h);
      };
      if (!entries.has('xl/workbook.xml')) throw new Error('no xl/workbook.xml in the zip');
      const rels = new Map<string, { type: string; target: string }>();
      await read('xl/_rels/workbook.xml.rels', {
        open: (n, a) => {
          if (n === 'Relationship') rels.set(a.Id, { type: a.Type ?? '', target: a.Target?.startsWith('/') ? a.Target.slice(1) : posix.join('xl', a.Target ?? '') });
        },
      });
      const sheets: { name: string; part: string }[] = [];
      let date1904 = false;
      await read('xl/workbook.xml', {
        open: (n, a) => {
          if (n === 'workbookPr') date1904 = a.date1904 === '1' || a.date1904 === 'true';
          if (n === 'sheet') {
            const rel = rels.get(a['r:id'] ?? Object.entries(a).find(([k]) => k.endsWith(':id'))?.[1] ?? '');
            if (rel && entries.has(rel.target)) sheets.push({ name: a.name, part: rel.target });
          }
        },
      });
      const partOf = (type: string, fallback: string) => [...rels.values()].find((r) => r.type.endsWith('/' + type))?.target ?? fallback;
      const dateStyles = await readDateStyles((p, h) => read(p, h), partOf('styles', 'xl/styles.xml'));
      const strings = new SharedStrings();
      await read(partOf('sharedStrings', 'xl/sharedStrings.xml'), sharedStringsHandlers(strings));
      return new Workbook(zip, entries, sheets, date1904, dateStyles, strings);
    } catch (e) {
      zip.close();
      throw e;
    }
  }

  /** The rows of a sheet, streamed. */
  async *rows(part: string): AsyncGenerator<SheetRow> {
    const stream = await inflated(this.zip, this.entries.get(part)!);
    const out: SheetRow[] = [];
    let row: SheetRow | null = null;
    let rowNumber = 0;
    let col = -1;
    let t = '';
    let style = 0;
    let v: string | null = null;
    let inline: string | null = null;
    let into: 'v' | 'is' | null = null;
    let depthRph = 0;
    const h: XmlHandlers = {
      open: (n, a) => {
        switch (n) {
          case 'row':
            rowNumber = a.r ? Number(a.r) : rowNumber + 1;
            row = { number: rowNumber, cells: [] };
            col = -1;
            break;
          case 'c':
            col = (a.r ? columnIndex(a.r) : -1) >= 0 ? columnIndex(a.r) : col + 1;
            t = a.t ?? 'n';
            style = a.s ? Number(a.s) : 0;
            v = null;
            inline = null;
            break;
          case 'v':
            into = 'v';
            v = '';
            break;
          case 'is':
            inline = '';
            break;
          case 't':
            if (inline !== null && depthRph === 0) into = 'is';
            break;
          case 'rPh':
            depthRph++;
            break;
        }
      },
      text: (s) => {
        if (into === 'v') v += s;
        else if (into === 'is') inline += s;
      },
      close: (n) => {
        switch (n) {
          case 'v':
          case 't':
            into = null;
            break;
          case 'rPh':
            depthRph--;
            break;
          case 'c':
            if (row) {
              const cells = row.cells;
              while (cells.length < col) cells.push(null);
              cells[col] = this.value(t, style, v, inline);
            }
            break;
          case 'row':
            if (row) out.push(row);
            row = null;
            break;
        }
      },
    };
    for await (const _ of saxPass(stream, h)) {
      void _;
      for (const r of out) yield r;
      out.length = 0;
    }
  }

  private value(t: string, style: number, v: string | null, inline: string | null): unknown {
    if (t === 'inlineStr') return inline;
    if (v === null) return null;
    switch (t) {
      case 's':
        return this.strings.get(Number(v)) ?? null;
      case 'str':
      case 'e':
        return v;
      case 'b':
        return v.trim() !== '0' && v.trim().toLowerCase() !== 'false';
      case 'd':
        return new NaiveDateTime(new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : v + 'Z'));
      default: {
        const n = Number(v);
        if (v.trim() === '' || Number.isNaN(n)) return v;
        if (this.dateStyles[style]) return new NaiveDateTime(new Date(Math.round((n - 25569 + (this.date1904 ? 1462 : 0)) * 86_400_000)));
        return n;
      }
    }
  }

  close(): void {
    this.zip.close();
  }
}

/** An entry's content, inflated in 256 KB pieces (zlib's default 16 KB makes the SAX pass pay per piece). */
async function inflated(zip: yauzl.ZipFile, e: yauzl.Entry): Promise<AsyncIterable<Buffer>> {
  if (e.compressionMethod !== 8) return zip.openReadStreamPromise(e);
  const raw = await zip.openReadStreamPromise(e, { decompress: false });
  return raw.pipe(createInflateRaw({ chunkSize: 1 << 18 }));
}

/** Column index (0-based) of a cell reference such as "AB12". */
function columnIndex(ref: string): number {
  let c = 0;
  for (let i = 0; i < ref.length; i++) {
    const k = ref.charCodeAt(i);
    if (k >= 65 && k <= 90) c = c * 26 + (k - 64);
    else if (k >= 97 && k <= 122) c = c * 26 + (k - 96);
    else break;
  }
  return c - 1;
}

/** Each `<si>`'s text: its `<t>`, or its rich-text runs' `<t>` joined (phonetic `<rPh>` runs left out). */
function sharedStringsHandlers(strings: SharedStrings): XmlHandlers {
  let cur: string | null = null;
  let inT = false;
  let rph = 0;
  return {
    open: (n) => {
      if (n === 'si') cur = '';
      else if (n === 'rPh') rph++;
      else if (n === 't' && cur !== null && rph === 0) inT = true;
    },
    text: (s) => {
      if (inT) cur += s;
    },
    close: (n) => {
      if (n === 't') inT = false;
      else if (n === 'rPh') rph--;
      else if (n === 'si') {
        strings.add(cur ?? '');
        cur = null;
      }
    },
  };
}

/** For each cell style (`cellXfs` index): does its number format show a date? */
async function readDateStyles(read: (part: string, h: XmlHandlers) => Promise<void>, part: string): Promise<boolean[]> {
  const formats = new Map<number, string>();
  const xfNumFmt: number[] = [];
  let inCellXfs = false;
  await read(part, {
    open: (n, a) => {
      if (n === 'numFmt') formats.set(Number(a.numFmtId), a.formatCode ?? '');
      else if (n === 'cellXfs') inCellXfs = true;
      else if (n === 'xf' && inCellXfs) xfNumFmt.push(Number(a.numFmtId ?? 0));
    },
    close: (n) => {
      if (n === 'cellXfs') inCellXfs = false;
    },
  });
  return xfNumFmt.map((id) => (formats.has(id) ? isDateFormat(formats.get(id)!) : BUILTIN_DATE.has(id)));
}

/** Copies the source to a temporary file that is unlinked at once; returns its open descriptor. */
async function spool(src: ByteSource): Promise<number> {
  const dir = await fsp.mkdtemp(join(tmpdir(), 'odx-xlsx-'));
  const fd = openSync(join(dir, 'book.xlsx'), 'w+', 0o600);
  try {
    await fsp.rm(dir, { recursive: true });
    for await (const chunk of src.chunks()) {
      for (let at = 0; at < chunk.length; ) at += (await writeAsync(fd, chunk, at, chunk.length - at)).bytesWritten;
    }
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
