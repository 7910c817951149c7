/**
 * The CSV/TSV reader: finds the encoding and the delimiter, reads the header, then scans records
 * into the CSV sink (csv.ts). GB18030 bytes go to COPY as they are; other encodings are decoded.
 */
import iconv from 'iconv-lite';
import { CsvScanner, CsvSink, CsvSyntaxError, HeaderCapture, sniffDelimiter, type RawEncoding } from './csv.ts';
import type { FormatReader } from './format-reader.ts';
import type { Sink, SinkOptions } from './sink.ts';
import { detectEncoding, prepend, toUtf8, type ByteSource, type TextEncoding } from './source.ts';
import { LoadError, type LoadOptions } from './types.ts';

export class CsvReader implements FormatReader {
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
  /** The records after the header (in the first 64 KB) quote fields. */
  quotedRecords = false;

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
        this.quotedRecords = this.rest.includes(0x22);
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
