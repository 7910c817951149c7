import { Transform, type TransformCallback } from 'node:stream';
import {
  AsyncByteQueue, Binary, Bool, DateDay, Field, Float64, Int64, makeData, RecordBatch, RecordBatchStreamWriter, Schema, Struct, TimestampMillisecond, Utf8, type Data, type DataType,
} from 'apache-arrow';
import { CopyBinaryReader } from './copy-binary.ts';
import { quoteIdent } from '../lib/sql.ts';
import type { ViewColumn } from './view.ts';

/** The Arrow type of a column: masked values are text; N/Y stay text so decimals stay exact. */
export function arrowType(c: ViewColumn): DataType {
  if (c.masked) return new Utf8();
  switch (c.item.type) {
    case 'I':
      return new Int64();
    case 'B':
    case 'F':
      return new Float64();
    case 'D':
      return new DateDay();
    case 'T':
      return new TimestampMillisecond('UTC');
    case 'L':
      return new Bool();
    case 'G':
      return new Binary();
    default:
      return new Utf8();
  }
}

export function arrowSchema(columns: ViewColumn[]): Schema {
  return new Schema(columns.map((c) => new Field(c.name, arrowType(c), true)));
}

/** How a column travels in the binary COPY and lands in its Arrow buffers. */
const UTF8 = 0;
const BINARY = 1;
const INT64 = 2;
const FLOAT64 = 3;
const DATE = 4;
const TIMESTAMP = 5;
const BOOL = 6;

function kindOf(type: DataType): number {
  if (type instanceof Utf8) return UTF8;
  if (type instanceof Binary) return BINARY;
  if (type instanceof Int64) return INT64;
  if (type instanceof Float64) return FLOAT64;
  if (type instanceof DateDay) return DATE;
  if (type instanceof TimestampMillisecond) return TIMESTAMP;
  if (type instanceof Bool) return BOOL;
  throw new Error(`no binary COPY reader for Arrow type ${String(type)}`);
}

/**
 * The select-list expression of a column for an Arrow download: cast to exactly the type whose
 * binary form the writer reads (a no-op when the column has that type). Binary columns are read
 * raw rather than through the view's base64 text.
 */
export function arrowSelect(c: ViewColumn): string {
  switch (kindOf(arrowType(c))) {
    case BINARY:
      return `${quoteIdent(c.name)}::bytea`;
    case INT64:
      return `(${c.select})::int8`;
    case FLOAT64:
      return `(${c.select})::float8`;
    case DATE:
      return `(${c.select})::date`;
    case TIMESTAMP:
      return `(${c.select})::timestamptz`;
    case BOOL:
      return `(${c.select})::boolean`;
    default:
      return `(${c.select})::text`;
  }
}

/** Days from 1970-01-01 to 2000-01-01 (PostgreSQL's date epoch); milliseconds likewise. */
const PG_DAYS = 10957;
const PG_MS = 946_684_800_000;
const TWO32 = 4294967296;

/** The IPC bytes apache-arrow's writer produces, collected synchronously instead of queued. */
class Collector extends AsyncByteQueue {
  chunks: Uint8Array[] = [];
  bytes = 0;
  override write(value: Uint8Array): void {
    if (value.byteLength) {
      this.chunks.push(value);
      this.bytes += value.byteLength;
    }
  }
  take(): Buffer {
    const out = Buffer.concat(this.chunks, this.bytes);
    this.chunks = [];
    this.bytes = 0;
    return out;
  }
}

/** One column of the batch being filled: validity bits and the value buffers of its type. */
interface Column {
  kind: number;
  valid: Uint8Array;
  nulls: number;
  /** fixed-width values, viewed as bytes (little-endian, as Arrow stores them) */
  bytes: Uint8Array;
  bytesView: DataView;
  words: Int32Array;
  /** variable width: offsets and a growing data buffer */
  offsets: Int32Array;
  data: Uint8Array;
  dataView: DataView;
  end: number;
}

/**
 * Binary COPY rows in, an Arrow IPC stream out: the schema, then a record batch per `batchRows`
 * rows (or fewer, once their values reach `batchBytes`), then the end-of-stream marker. Values go
 * from the COPY buffer straight into each column's typed arrays (fixed-width values are
 * big-endian in the COPY and word-swapped into place; text and bytes are copied as they are):
 * no per-row object, no per-value parse.
 */
export class ArrowWriter extends Transform {
  private readonly reader: CopyBinaryReader;
  private readonly kinds: number[];
  private readonly sink = new Collector();
  private readonly writer = new RecordBatchStreamWriter();
  private cols: Column[] = [];
  private n = 0;
  /** Value bytes in the batch so far: a batch also ends at `batchBytes`, so wide rows keep memory bounded. */
  private bytes = 0;

  constructor(
    private readonly schema: Schema,
    private readonly batchRows = 65_536,
    private readonly batchBytes = 16 << 20,
  ) {
    super({ readableHighWaterMark: 1 << 20 });
    this.kinds = schema.fields.map((f) => kindOf(f.type));
    this.reader = new CopyBinaryReader(this.kinds.length, (buf, pos, len, view) => this.row(buf, pos, len, view));
    this.writer.reset(this.sink, schema);
    this.push(this.sink.take()); // the schema, also when no row follows
    this.allocate();
  }

  get rows(): number {
    return this.reader.rows;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.reader.push(chunk);
    } catch (err) {
      return cb(err as Error);
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.reader.end();
      if (this.n > 0) this.batch();
      this.writer.finish(); // the end-of-stream marker
      this.push(this.sink.take());
    } catch (err) {
      return cb(err as Error);
    }
    cb();
  }

  /** The column buffers of a batch, allocated once and reused: each batch is encoded (copied out) before the next one fills them. */
  private allocate(): void {
    const n = this.batchRows;
    this.cols = this.kinds.map((kind) => {
      const width = kind === INT64 || kind === FLOAT64 || kind === TIMESTAMP ? 8 : kind === DATE ? 4 : 0;
      const bytes = kind === BOOL ? new Uint8Array((n + 7) >> 3) : new Uint8Array(n * width);
      const variable = kind === UTF8 || kind === BINARY;
      const column: Column = {
        kind,
        valid: new Uint8Array((n + 7) >> 3),
        nulls: 0,
        bytes,
        bytesView: new DataView(bytes.buffer),
        words: width ? new Int32Array(bytes.buffer) : new Int32Array(0),
        offsets: variable ? new Int32Array(n + 1) : new Int32Array(0),
        data: new Uint8Array(0),
        dataView: new DataView(new ArrayBuffer(0)),
        end: 0,
      };
      if (variable) this.grow(column, Math.min(n * 16, 1 << 20));
      return column;
    });
  }

  private clear(): void {
    for (const c of this.cols) {
      c.valid.fill(0);
      c.bytes.fill(0);
      c.nulls = 0;
      c.end = 0;
    }
    this.n = 0;
    this.bytes = 0;
  }

  private grow(c: Column, size: number): void {
    const grown = new Uint8Array(size);
    grown.set(c.data.subarray(0, c.end));
    c.data = grown;
    c.dataView = new DataView(grown.buffer);
  }

  private row(buf: Buffer, pos: Int32Array, len: Int32Array, bv: DataView): void {
    const r = this.n;
    const cols = this.cols;
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i];
      const l = len[i];
      const p = pos[i];
      const isNull = l < 0;
      if (isNull) c.nulls++;
      else c.valid[r >> 3] |= 1 << (r & 7);
      switch (c.kind) {
        case UTF8:
        case BINARY: {
          if (!isNull && l > 0) {
            if (c.end + l > c.data.length) this.grow(c, Math.max(c.data.length * 2, c.end + l));
            let e = c.end;
            if (l > 64) {
              c.data.set(buf.subarray(p, p + l), e);
              e += l;
            } else {
              // four bytes at a time where it can (as in json-lines.ts)
              const data = c.data;
              const dv = c.dataView;
              const end = p + l;
              let k = p;
              for (; k + 4 <= end; k += 4, e += 4) dv.setUint32(e, bv.getUint32(k, true), true);
              while (k < end) data[e++] = buf[k++];
            }
            c.end = e;
          }
          c.offsets[r + 1] = c.end;
          break;
        }
        case INT64:
        case FLOAT64:
          if (!isNull) {
            // big-endian in the COPY, little-endian in Arrow: the two words swap, each read big-endian
            c.bytesView.setUint32(r * 8, bv.getUint32(p + 4), true);
            c.bytesView.setUint32(r * 8 + 4, bv.getUint32(p), true);
          }
          break;
        case DATE:
          if (!isNull) {
            const days = (buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3];
            if (days === 0x7fffffff || days === -0x80000000) this.unset(c, r); // ±infinity: no Date32 value
            else c.words[r] = days + PG_DAYS;
          }
          break;
        case TIMESTAMP:
          if (!isNull) {
            const hi = (buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3];
            const lo = ((buf[p + 4] << 24) | (buf[p + 5] << 16) | (buf[p + 6] << 8) | buf[p + 7]) >>> 0;
            if ((hi === 0x7fffffff && lo === 0xffffffff) || (hi === -0x80000000 && lo === 0)) {
              this.unset(c, r); // ±infinity
              break;
            }
            // microseconds since 2000 to milliseconds since 1970, rounded down: in doubles within
            // ±285 years of 2000 (|us| < 2^53: us / 1000 is an integer or at least 0.001 from one,
            // more than half its ulp, so floor is exact), else in BigInt
            let ms: number;
            if (hi >= -0x200000 && hi < 0x200000) {
              ms = Math.floor((hi * TWO32 + lo) / 1000) + PG_MS;
            } else {
              const us = BigInt(hi) * 4294967296n + BigInt(lo);
              ms = Number((us < 0n ? us - 999n : us) / 1000n) + PG_MS;
            }
            const h = Math.floor(ms / TWO32);
            c.words[2 * r] = ms - h * TWO32;
            c.words[2 * r + 1] = h;
          }
          break;
        case BOOL:
          if (!isNull && buf[p] !== 0) c.bytes[r >> 3] |= 1 << (r & 7);
          break;
      }
    }
    for (let i = 0; i < len.length; i++) if (len[i] > 0) this.bytes += len[i];
    if (++this.n === this.batchRows || this.bytes >= this.batchBytes) {
      this.batch();
      this.clear();
    }
  }

  private unset(c: Column, r: number): void {
    c.valid[r >> 3] &= ~(1 << (r & 7));
    c.nulls++;
  }

  /** The rows so far as one record batch, encoded and pushed. */
  private batch(): void {
    const n = this.n;
    const children: Data[] = this.schema.fields.map((f, i) => {
      const c = this.cols[i];
      const base = { type: f.type, length: n, nullCount: c.nulls, nullBitmap: c.valid.subarray(0, (n + 7) >> 3) };
      switch (c.kind) {
        case UTF8:
        case BINARY:
          return makeData({ ...base, valueOffsets: c.offsets.subarray(0, n + 1), data: c.data.subarray(0, c.end) } as never);
        case INT64:
        case TIMESTAMP:
          return makeData({ ...base, data: new BigInt64Array(c.bytes.buffer, 0, n) } as never);
        case FLOAT64:
          return makeData({ ...base, data: new Float64Array(c.bytes.buffer, 0, n) } as never);
        case DATE:
          return makeData({ ...base, data: c.words.subarray(0, n) } as never);
        default:
          return makeData({ ...base, data: c.bytes.subarray(0, (n + 7) >> 3) } as never);
      }
    });
    this.writer.write(new RecordBatch(this.schema, makeData({ type: new Struct(this.schema.fields), length: n, nullCount: 0, children })));
    this.push(this.sink.take());
  }
}
