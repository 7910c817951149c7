/**
 * The sink every format feeds: it validates records (per-column coercers), keeps the rejects, maps
 * record numbers to physical lines, and writes accepted records as CSV into PostgreSQL's COPY.
 */
import type { Writable } from 'node:stream';
import { Fail, valueText, type Coercer } from './coerce.ts';
import { LoadError, type LoaderItem, type Reject, type RejectRule } from './types.ts';

/** One column of the file and what becomes of it. */
export interface FileColumn {
  /** Position in the file. */
  index: number;
  header: string;
  /** The item it maps to, or null when the column is skipped. */
  item: LoaderItem | null;
  /** Position of the item in the COPY column list (-1 when skipped). */
  copyIndex: number;
  coerce: Coercer | null;
  /** Text type (C, M): values are kept verbatim, whitespace included. */
  text: boolean;
  required: boolean;
  /** The value must be decoded and checked (false for unconstrained text). */
  check: boolean;
  /** Counter of invalid values (for the quality profile). */
  invalid: number;
}

/** Record number -> physical line, stored sparsely (a breakpoint where the line/record offset changes). */
export class LineMap {
  // Typed arrays: a file whose every record holds an embedded newline adds a breakpoint per record.
  private recs = new Float64Array(64);
  private offs = new Float64Array(64);
  private n = 0;
  private last = NaN;
  none = false;

  add(record: number, line: number | null): void {
    if (line === null) {
      this.none = true;
      return;
    }
    const off = line - record;
    if (off !== this.last) {
      if (this.n === this.recs.length) {
        const recs = new Float64Array(this.n * 2);
        recs.set(this.recs);
        const offs = new Float64Array(this.n * 2);
        offs.set(this.offs);
        this.recs = recs;
        this.offs = offs;
      }
      this.recs[this.n] = record;
      this.offs[this.n++] = off;
      this.last = off;
    }
  }

  line(record: number): number | null {
    if (this.none || this.n === 0) return null;
    let lo = 0;
    let hi = this.n - 1;
    if (record < this.recs[0]) return null;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.recs[mid] <= record) lo = mid;
      else hi = mid - 1;
    }
    return record + this.offs[lo];
  }
}

const OUT_CAP = 1 << 20;

/** Buffers COPY data and writes it to the COPY stream with backpressure. */
export class CopyOut {
  private buf: Buffer = Buffer.allocUnsafe(OUT_CAP);
  private dv: DataView = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  private pos = 0;
  private pending: Buffer[] = [];
  bytes = 0;

  constructor(private readonly stream: Writable) {}

  raw(b: Uint8Array, s: number, e: number): void {
    const n = e - s;
    if (n <= 0) return;
    if (this.pos + n > this.buf.length) this.spill(n);
    if (n <= 32) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = s; i < e; i++) buf[p++] = b[i];
    } else if (Buffer.isBuffer(b)) b.copy(this.buf, this.pos, s, e);
    else this.buf.set(b.subarray(s, e), this.pos); // Arrow's buffers are plain Uint8Arrays
    this.pos += n;
  }

  /**
   * Bytes of a buffer that is never written again (a read buffer of the file): a long run is handed to
   * the stream as a view instead of being copied.
   */
  shared(b: Buffer, s: number, e: number): void {
    if (e - s < 1 << 16) {
      this.raw(b, s, e);
      return;
    }
    if (this.pos > 0) {
      this.pending.push(this.buf.subarray(0, this.pos));
      this.buf = this.buf.subarray(this.pos);
      this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
      this.pos = 0;
    }
    this.pending.push(b.subarray(s, e));
  }

  /** Makes room for `n` bytes; returns the buffer to write them into at `at`, then call `advance`. */
  room(n: number): Buffer {
    if (this.pos + n > this.buf.length) this.spill(n);
    return this.buf;
  }

  get at(): number {
    return this.pos;
  }

  advance(to: number): void {
    this.pos = to;
  }

  str(s: string): void {
    const max = s.length * 3;
    if (this.pos + max > this.buf.length) this.spill(max);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  byte(c: number): void {
    if (this.pos + 1 > this.buf.length) this.spill(1);
    this.buf[this.pos++] = c;
  }

  i16(v: number): void {
    if (this.pos + 2 > this.buf.length) this.spill(2);
    const buf = this.buf;
    buf[this.pos] = (v >> 8) & 0xff;
    buf[this.pos + 1] = v & 0xff;
    this.pos += 2;
  }

  i32(v: number): void {
    if (this.pos + 4 > this.buf.length) this.spill(4);
    const buf = this.buf;
    const p = this.pos;
    buf[p] = (v >>> 24) & 0xff;
    buf[p + 1] = (v >>> 16) & 0xff;
    buf[p + 2] = (v >>> 8) & 0xff;
    buf[p + 3] = v & 0xff;
    this.pos = p + 4;
  }

  /** A 64-bit integer given as a safe JS integer. */
  i64(v: number): void {
    const hi = Math.floor(v / 4294967296);
    this.i32(hi | 0);
    this.i32((v - hi * 4294967296) >>> 0);
  }

  i64big(v: bigint): void {
    if (this.pos + 8 > this.buf.length) this.spill(8);
    this.dv.setBigInt64(this.pos, v);
    this.pos += 8;
  }

  f64(v: number): void {
    if (this.pos + 8 > this.buf.length) this.spill(8);
    this.dv.setFloat64(this.pos, v);
    this.pos += 8;
  }

  /** What was written, as one buffer, and starts empty again (for encoding a value once and reusing it). */
  take(): Buffer {
    const parts = [...this.pending, this.buf.subarray(0, this.pos)];
    const b = Buffer.concat(parts);
    this.pending = [];
    this.pos = 0;
    return b;
  }

  private spill(need: number): void {
    if (this.pos > 0) this.pending.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(Math.max(OUT_CAP, need));
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.pos = 0;
  }

  /** Hands buffered data to the stream; resolves when the stream can take more. */
  async flush(): Promise<void> {
    if (this.pos > 0) this.spill(0);
    let ok = true;
    for (const b of this.pending) {
      this.bytes += b.length;
      ok = this.stream.write(b) && ok;
    }
    this.pending = [];
    if (!ok) await waitDrain(this.stream);
  }
}

function waitDrain(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: unknown) => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onError = (e: unknown) => done(e);
    const onClose = () => done(new Error('COPY stream closed'));
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

const NEEDS_QUOTE = /[",\r\n]|^\\\.$/;

export interface SinkOptions {
  columns: FileColumn[];
  /** Items in COPY column order. */
  copyItems: LoaderItem[];
  maxErrors: number;
  keepRejects: number;
  onReject?: (r: Reject) => void;
  /** COPY BINARY (CSV path, UTF-8). */
  binary?: boolean;
  /** COPY text format (CSV path, UTF-8). */
  copyText?: boolean;
}

export class Sink {
  readonly columns: FileColumn[];
  readonly copyItems: LoaderItem[];
  out!: CopyOut;
  /** Data records seen (loaded + rejected). */
  records = 0;
  /** Records written to COPY. */
  emitted = 0;
  rejectedRows = 0;
  /** Record numbers of rejected rows, ascending (bounded by maxErrors + 1). */
  readonly rejectedRecords: number[] = [];
  readonly rejects: Reject[] = [];
  rejectsTruncated = false;
  readonly lines = new LineMap();
  protected readonly maxErrors: number;
  protected readonly keepRejects: number;
  protected readonly onReject?: (r: Reject) => void;
  private readonly outVals: (string | null)[];

  constructor(o: SinkOptions) {
    this.columns = o.columns;
    this.copyItems = o.copyItems;
    this.maxErrors = o.maxErrors;
    this.keepRejects = o.keepRejects;
    this.onReject = o.onReject;
    this.outVals = new Array(o.copyItems.length).fill(null);
  }

  /** Records one failing value (or a whole-record problem when col is null). */
  addReject(record: number, line: number | null, col: FileColumn | null, value: string | null, rule: RejectRule, message: string): void {
    if (col) col.invalid++;
    const r: Reject = {
      record,
      line,
      column: col?.item?.name ?? null,
      header: col?.header ?? null,
      value: value !== null && value.length > 1000 ? value.slice(0, 1000) + '…' : value,
      rule,
      message: col?.item ? `${col.item.label ? `${col.item.label} (${col.item.name})` : col.item.name}: ${message}` : message,
    };
    if (this.rejects.length < this.keepRejects) this.rejects.push(r);
    else this.rejectsTruncated = true;
    this.onReject?.(r);
  }

  /** Rows rejected after COPY (duplicate keys), deleted from the table. */
  rejectedAfterCopy = 0;

  /** Marks a record rejected; throws once more rows than allowed are rejected. */
  rowRejected(record: number, beforeCopy = true): void {
    this.rejectedRows++;
    if (beforeCopy) this.rejectedRecords.push(record);
    else this.rejectedAfterCopy++;
    if (this.rejectedRows > this.maxErrors) {
      throw new LoadError(
        'max-errors',
        `more than ${this.maxErrors} rejected row${this.maxErrors === 1 ? '' : 's'} (stopped at record ${record}${
          this.lines.line(record) !== null ? ', line ' + this.lines.line(record) : ''
        }); nothing was loaded`,
        { rejects: this.rejects.slice(0, 100), rejected: this.rejectedRows },
      );
    }
  }

  /** Input record number of the n-th (1-based) record written to COPY. */
  recordOfEmitted(n: number): number {
    const rej = this.rejectedRecords;
    // f(r) = r - #(rejected records <= r) grows by one at each record written; find the first r with f(r) = n.
    const upto = (r: number) => {
      let lo = 0;
      let hi = rej.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (rej[mid] <= r) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    let lo = n;
    let hi = n + rej.length;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (mid - upto(mid) >= n) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** A record that cannot be read as a row (wrong shape); rejected as a whole. */
  badRecord(line: number | null, value: string | null, message: string): void {
    const rec = ++this.records;
    this.lines.add(rec, line);
    this.addReject(rec, line, null, value, 'format', message);
    this.rowRejected(rec);
  }

  /** A record of typed values (JSON, Arrow, xlsx), aligned with the file columns. */
  values(vals: unknown[], line: number | null): void {
    const rec = ++this.records;
    this.lines.add(rec, line);
    const cols = this.columns;
    const outVals = this.outVals;
    outVals.fill(null);
    let bad = false;
    for (let c = 0; c < cols.length; c++) {
      const col = cols[c];
      const item = col.item;
      if (item === null) continue;
      const v = c < vals.length ? vals[c] : null;
      let t: string | null;
      try {
        t = valueText(item, v);
      } catch {
        t = String(v);
      }
      if (t === null || t === '' || (!col.text && t.trim() === '')) {
        if (col.required) {
          this.addReject(rec, line, col, t, 'required', 'a value is required');
          bad = true;
        }
        continue;
      }
      const r = col.coerce!(t);
      if (r instanceof Fail) {
        this.addReject(rec, line, col, t, r.rule, r.message);
        bad = true;
        continue;
      }
      outVals[col.copyIndex] = r;
    }
    if (bad) {
      this.rowRejected(rec);
      return;
    }
    let text = '';
    for (let c = 0; c < outVals.length; c++) {
      if (c > 0) text += ',';
      const v = outVals[c];
      if (v === null) continue;
      text += NEEDS_QUOTE.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
    }
    this.out.str(text + '\n');
    this.emitted++;
  }
}
