/**
 * Byte sources: a file path or a stream, with a peekable head for format and encoding sniffing, byte
 * counting for progress, and decoding of GB18030/GBK and UTF-16 to UTF-8 (UTF-8 passes through untouched,
 * its BOM removed).
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { LoadError, type LoadEncoding, type LoadFormat } from './types.ts';

export class ByteSource {
  bytes = 0;
  totalBytes?: number;
  name?: string;
  /** The file, when the source is a path (readers that need random access open it themselves). */
  path?: string;
  private head: Buffer[] = [];
  private headLen = 0;
  private ended = false;
  private started = false;
  private readonly iter: AsyncIterator<unknown>;

  private constructor(
    private readonly stream: NodeJS.ReadableStream,
    name?: string,
  ) {
    this.name = name;
    this.iter = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  }

  static async open(source: string | NodeJS.ReadableStream, name?: string): Promise<ByteSource> {
    if (typeof source === 'string') {
      let st;
      try {
        st = await fsp.stat(source);
      } catch (e) {
        throw new LoadError('options', `cannot read ${source}: ${(e as Error).message}`, { cause: e });
      }
      if (!st.isFile()) throw new LoadError('options', `${source} is not a file`);
      const s = new ByteSource(createReadStream(source, { highWaterMark: 1 << 20 }), name ?? basename(source));
      s.totalBytes = st.size;
      s.path = source;
      return s;
    }
    return new ByteSource(source, name);
  }

  private async pull(): Promise<Buffer | null> {
    if (this.ended) return null;
    const r = await this.iter.next();
    if (r.done) {
      this.ended = true;
      return null;
    }
    const v = r.value;
    const b = Buffer.isBuffer(v) ? v : typeof v === 'string' ? Buffer.from(v) : Buffer.from(v as Uint8Array);
    this.bytes += b.length;
    return b;
  }

  /** At least `min` bytes of the head (less at the end of input), without consuming them. */
  async peek(min: number): Promise<Buffer> {
    if (this.started) throw new Error('peek after read');
    while (this.headLen < min) {
      const b = await this.pull();
      if (!b) break;
      if (b.length === 0) continue;
      this.head.push(b);
      this.headLen += b.length;
    }
    if (this.head.length > 1) this.head = [Buffer.concat(this.head)];
    return this.head[0] ?? Buffer.alloc(0);
  }

  get exhausted(): boolean {
    return this.ended;
  }

  async *chunks(): AsyncGenerator<Buffer> {
    this.started = true;
    const head = this.head;
    this.head = [];
    for (const b of head) yield b;
    for (;;) {
      const b = await this.pull();
      if (!b) return;
      if (b.length) yield b;
    }
  }

  readable(): Readable {
    return Readable.from(this.chunks(), { objectMode: false });
  }

  destroy(): void {
    const s = this.stream as Partial<Readable>;
    if (typeof s.destroy === 'function') s.destroy();
  }
}

export type TextEncoding = 'utf8' | 'gb18030' | 'utf16le' | 'utf16be';

/** Detects the text encoding from the head: BOMs, then UTF-8 validity of the first non-ASCII bytes. */
export async function detectEncoding(src: ByteSource, requested: LoadEncoding | undefined): Promise<TextEncoding> {
  let head = await src.peek(1 << 16);
  // UTF-32's byte order marks; FF FE 00 00 must be told from UTF-16's FF FE before that one is tried
  if ((head[0] === 0xff && head[1] === 0xfe && head[2] === 0 && head[3] === 0) || (head[0] === 0 && head[1] === 0 && head[2] === 0xfe && head[3] === 0xff)) {
    throw new LoadError('encoding', 'UTF-32 is not supported (line 1, column 1: a UTF-32 byte order mark); save the file as UTF-8, GB18030 or UTF-16', { line: 1, column: '1' });
  }
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf16be';
  if (requested === 'utf8' || requested === 'gb18030') return requested;
  // Read on (up to 4 MB) until some non-ASCII bytes show up.
  let firstHigh = head.findIndex((x) => x >= 0x80);
  while (firstHigh < 0 && !src.exhausted && head.length < 1 << 22) {
    head = await src.peek(head.length * 2);
    firstHigh = head.findIndex((x) => x >= 0x80);
  }
  if (firstHigh < 0) return 'utf8';
  if (head.length < firstHigh + (1 << 16) && !src.exhausted) head = await src.peek(firstHigh + (1 << 16));
  let end = head.length;
  if (!src.exhausted) {
    // do not judge a multi-byte sequence cut at the end of the sample
    let k = end - 1;
    while (k > 0 && k > end - 4 && (head[k] & 0xc0) === 0x80) k--;
    if (head[k] >= 0xc0) end = k;
  }
  return isUtf8(head.subarray(0, end)) ? 'utf8' : 'gb18030';
}

/**
 * UTF-8 buffers of the text, the BOM removed. Decoders replace invalid input with U+FFFD; `onSuspect` is
 * called before a decoded buffer containing one is yielded, so the reader can look closer.
 */
export async function* utf8Chunks(src: ByteSource, enc: TextEncoding, onSuspect?: () => void): AsyncGenerator<Buffer> {
  yield* toUtf8(src.chunks(), enc, onSuspect);
}

export async function* toUtf8(chunks: AsyncIterable<Buffer>, enc: TextEncoding, onSuspect?: () => void): AsyncGenerator<Buffer> {
  if (enc === 'utf8') {
    let first = true;
    for await (const b of chunks) {
      if (first) {
        first = false;
        if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
          if (b.length > 3) yield b.subarray(3);
          continue;
        }
      }
      yield b;
    }
    return;
  }
  const dec = iconv.getDecoder(enc === 'gb18030' ? 'gb18030' : enc === 'utf16le' ? 'utf-16le' : 'utf-16be', { stripBOM: true });
  for await (const b of chunks) {
    const s = dec.write(b);
    if (s.indexOf('\ufffd') >= 0) onSuspect?.();
    if (s.length) yield Buffer.from(s, 'utf8');
  }
  const tail = dec.end();
  if (tail && tail.indexOf('\ufffd') >= 0) onSuspect?.();
  if (tail && tail.length) yield Buffer.from(tail, 'utf8');
}

/** `head`, then the rest of `chunks`. */
export async function* prepend(head: Buffer, chunks: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (head.length) yield head;
  for (;;) {
    const r = await chunks.next();
    if (r.done) return;
    yield r.value;
  }
}

const EXT: Record<string, LoadFormat> = {
  csv: 'csv',
  txt: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  json: 'json',
  arrow: 'arrow',
  arrows: 'arrow',
  ipc: 'arrow',
  feather: 'arrow',
  xlsx: 'xlsx',
  xlsm: 'xlsx',
};

/** The format from the file name, else from the content. */
export async function sniffFormat(src: ByteSource): Promise<LoadFormat> {
  const ext = src.name?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  const head = await src.peek(4096);
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'xlsx';
  if (head.subarray(0, 6).toString('latin1') === 'ARROW1') return 'arrow';
  if (head.length >= 8 && head.readUInt32LE(0) === 0xffffffff) return 'arrow';
  if (ext && EXT[ext]) return EXT[ext];
  if (head.length >= 8 && head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0)
    throw new LoadError('options', 'legacy .xls (BIFF) workbooks are not supported; save the sheet as .xlsx or CSV');
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.trimStart();
  if (text.startsWith('[')) return 'json';
  if (text.startsWith('{')) return 'ndjson';
  return 'csv';
}
