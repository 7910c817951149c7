/**
 * The parts of an .xlsx workbook the loader reads, in flat memory: the zip is spooled to an unlinked
 * temporary file and read by random access (yauzl), since Excel writes the shared strings after the
 * sheets; every part is read from its inflated stream, never held whole: the small ones (workbook,
 * relations, styles) by a SAX pass (saxes), the shared strings and the sheet by the scanners of
 * xlsx-scan.ts. The shared strings, which cells name by index, are kept as UTF-8 in fixed-size pages.
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
import { SharedStringScanner, SheetScanner, type SheetRow, type Utf8Slice } from './xlsx-scan.ts';

type Attributes = Record<string, string>;
interface XmlHandlers {
  open?(name: string, attrs: Attributes): void;
  close?(name: string): void;
}

/** The element's local name (some writers prefix every element, e.g. `x:row`). */
const local = (name: string) => {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
};

/** A SAX pass over a (small) part, chunk by chunk. */
async function saxAll(stream: AsyncIterable<Buffer>, h: XmlHandlers): Promise<void> {
  const parser = new SaxesParser({ position: false });
  if (h.open) parser.on('opentag', (t) => h.open!(local(t.name), t.attributes as Attributes));
  if (h.close) parser.on('closetag', (t) => h.close!(local(t.name)));
  const utf8 = new TextDecoder('utf-8');
  for await (const chunk of stream) parser.write(utf8.decode(chunk, { stream: true }));
  parser.write(utf8.decode());
  parser.close();
}

const writeAsync = promisify(write);
const PAGE = 1 << 22;

/**
 * Shared strings as UTF-8, one after the other in 4 MB pages (a string may straddle two), with each
 * one's end offset: 4 bytes a string beside its text (a million-row sheet can name millions).
 */
export class SharedStrings {
  private pages: Buffer[] = [];
  private size = 0;
  private end = new Uint32Array(1024);
  count = 0;

  add(s: string): void {
    const n = Buffer.byteLength(s);
    if (this.size + n > 0xffffffff) throw new Error('the shared strings take more than 4 GB');
    if (this.count === this.end.length) {
      const b = new Uint32Array(this.count * 2);
      b.set(this.end);
      this.end = b;
    }
    const room = this.pages.length * PAGE - this.size;
    if (n <= room) {
      if (n > 0) this.pages[this.pages.length - 1].write(s, PAGE - room);
    } else {
      const bytes = Buffer.from(s);
      let at = room > 0 ? bytes.copy(this.pages[this.pages.length - 1], PAGE - room, 0, room) : 0;
      while (at < n) {
        const page = Buffer.allocUnsafe(PAGE);
        this.pages.push(page);
        at += bytes.copy(page, 0, at, Math.min(n, at + PAGE));
      }
    }
    this.size += n;
    this.end[this.count++] = this.size;
  }

  get(i: number): string | undefined {
    if (!(i >= 0 && i < this.count)) return undefined;
    const s = i === 0 ? 0 : this.end[i - 1];
    const e = this.end[i];
    const p = Math.floor(s / PAGE);
    const base = p * PAGE;
    if (e - base <= PAGE) return (this.pages[p] as Utf8Slice).utf8Slice(s - base, e - base);
    const parts: Buffer[] = [];
    for (let q = p; q * PAGE < e; q++) parts.push(this.pages[q].subarray(Math.max(0, s - q * PAGE), Math.min(PAGE, e - q * PAGE)));
    return Buffer.concat(parts).toString('utf8');
  }
}

// Excel's built-in date and time formats (14–22, 45–47; 27–36 and 50–58 in the Chinese, Japanese and Korean locales).
const BUILTIN_DATE = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);
/** A number format shows a date or time when, outside quotes and [...], it has a date or time letter. */
const isDateFormat = (code: string) => /[ymdhsb]/i.test(code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '').replace(/\\./g, ''));

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
      const sst = entries.get(partOf('sharedStrings', 'xl/sharedStrings.xml'));
      if (sst) {
        const scan = new SharedStringScanner((t) => strings.add(t));
        for await (const chunk of await inflated(zip, sst)) scan.push(chunk);
        scan.end();
      }
      return new Workbook(zip, entries, sheets, date1904, dateStyles, strings);
    } catch (e) {
      zip.close();
      throw e;
    }
  }

  /** The rows of a sheet, streamed: a batch per inflated chunk. */
  async *rows(part: string): AsyncGenerator<SheetRow[]> {
    const scan = new SheetScanner((t, style, v, inline) => this.value(t, style, v, inline));
    for await (const chunk of await inflated(this.zip, this.entries.get(part)!)) {
      const rows = scan.push(chunk);
      if (rows.length) yield rows;
    }
    scan.end();
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

/** An entry's content, inflated in 256 KB pieces (zlib's default 16 KB makes a pass pay per piece). */
async function inflated(zip: yauzl.ZipFile, e: yauzl.Entry): Promise<AsyncIterable<Buffer>> {
  if (e.compressionMethod !== 8) return zip.openReadStreamPromise(e);
  const raw = await zip.openReadStreamPromise(e, { decompress: false });
  return raw.pipe(createInflateRaw({ chunkSize: 1 << 18 }));
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
