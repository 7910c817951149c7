/**
 * NDJSON and JSON downloads written from a binary COPY (copy-binary.ts): PostgreSQL sends each
 * value in a form that costs it least, and this writes the JSON text into large buffers, four
 * bytes at a time where it can. The output is what PostgreSQL's `to_json` of the row gives — same keys in the same
 * order, same escaping, numbers in PostgreSQL's own text form, dates as "YYYY-MM-DD", date-times
 * from `to_json` itself — only made on the other core.
 *
 * Why not `COPY (select to_json(row) ...)`: building JSON in PostgreSQL costs it more than twice
 * what CSV does (measured: to_json of the row, json_build_object and string concatenation all land
 * at 0.35–0.45 of CSV's rate), while a binary COPY of the same values costs it no more than CSV.
 * docs/data-api.md has the design and the figures.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { CopyBinaryReader } from './copy-binary.ts';
import type { ViewColumn } from './view.ts';

/** How a column travels in the binary COPY and is written as JSON. */
export const JsonKind = {
  /** text; written as a JSON string, escaped as `to_json` escapes */
  String: 0,
  /** the value's text form (numeric, integers, floats); a JSON number unless it is NaN/Infinity (then a string, as `to_json` does) */
  Number: 1,
  /** date in binary (days since 2000-01-01); written as `to_json` writes dates */
  Date: 2,
  /** boolean in binary */
  Bool: 3,
  /** `to_json(value)::text`, copied as is (date-times: their form depends on the session's time zone) */
  Json: 4,
} as const;
export type JsonKind = (typeof JsonKind)[keyof typeof JsonKind];
const STRING = JsonKind.String;
const NUMBER = JsonKind.Number;
const DATE = JsonKind.Date;
const BOOL = JsonKind.Bool;

export interface JsonColumn {
  name: string;
  kind: JsonKind;
  /** The select-list expression whose binary form `kind` reads. */
  sql: string;
}

/**
 * The JSON kind of a view column and the expression that feeds it. Masked values are text.
 * Numbers come as PostgreSQL's text (numeric_out, int8out, float8out — what `to_json` writes;
 * measured: float8out in the database is cheaper than formatting doubles in JavaScript).
 */
export function jsonColumn(c: ViewColumn): JsonColumn {
  const e = c.select;
  const t = c.masked ? 'C' : c.item.type;
  switch (t) {
    case 'C':
    case 'M':
    case 'G': // base64 text (the view's select)
      return { name: c.name, kind: STRING, sql: `(${e})::text` };
    case 'N':
    case 'Y':
    case 'I':
    case 'B':
    case 'F':
      return { name: c.name, kind: NUMBER, sql: `(${e})::text` };
    case 'D':
      return { name: c.name, kind: DATE, sql: `(${e})::date` };
    case 'L':
      return { name: c.name, kind: BOOL, sql: `(${e})::boolean` };
    default:
      return { name: c.name, kind: JsonKind.Json, sql: `to_json(${e})::text` };
  }
}

/** Output is pushed in pieces of at least this size (fewer, larger socket writes). */
const PUSH_AT = 1 << 16;
const OUT_CHUNK = 1 << 18;
const HEX = Buffer.from('0123456789abcdef');

/*
 * The writers below move four bytes at a time where they can, through DataViews (unaligned,
 * little-endian on both sides, so bytes keep their order): measured about twice as fast as a
 * byte loop on short strings.
 */

/** Copies `l` bytes as they are. */
function copy(out: Buffer, ov: DataView, o: number, buf: Buffer, bv: DataView, p: number, l: number): number {
  if (l > 64) return o + buf.copy(out, o, p, p + l);
  const end = p + l;
  for (; p + 4 <= end; p += 4, o += 4) ov.setUint32(o, bv.getUint32(p, true), true);
  while (p < end) out[o++] = buf[p++];
  return o;
}

/**
 * A JSON string as PostgreSQL's escape_json writes it: `"` and `\` escaped, \b \f \n \r \t, other
 * bytes below 0x20 as \u00xx; everything else (UTF-8 included) as it is. Words with none of those
 * bytes are copied whole (the SWAR tests of "Bit Twiddling Hacks": a byte equal to 0x22 or 0x5c, or
 * below 0x20; exact, as bytes of 0x80 and above never trip them).
 */
function string(out: Buffer, ov: DataView, o: number, buf: Buffer, bv: DataView, p: number, l: number): number {
  out[o++] = 34;
  const end = p + l;
  while (p < end) {
    if (p + 4 <= end) {
      const v = bv.getUint32(p, true);
      const q = v ^ 0x22222222;
      const b = v ^ 0x5c5c5c5c;
      if (((((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b) | ((v - 0x20202020) & ~v)) & 0x80808080) === 0) {
        ov.setUint32(o, v, true);
        o += 4;
        p += 4;
        continue;
      }
    }
    const stop = p + 4 < end ? p + 4 : end;
    for (; p < stop; p++) {
      const b = buf[p];
      if (b >= 0x20 && b !== 34 && b !== 92) {
        out[o++] = b;
        continue;
      }
      out[o++] = 92;
      switch (b) {
        case 34:
        case 92:
          out[o++] = b;
          break;
        case 8:
          out[o++] = 98; // b
          break;
        case 12:
          out[o++] = 102; // f
          break;
        case 10:
          out[o++] = 110; // n
          break;
        case 13:
          out[o++] = 114; // r
          break;
        case 9:
          out[o++] = 116; // t
          break;
        default:
          out[o++] = 117; // u00xx
          out[o++] = 48;
          out[o++] = 48;
          out[o++] = HEX[b >> 4];
          out[o++] = HEX[b & 15];
      }
    }
  }
  out[o++] = 34;
  return o;
}

/** A number's text: as it is when it is a JSON number (it ends in a digit), else quoted (NaN, Infinity). */
function number(out: Buffer, ov: DataView, o: number, buf: Buffer, bv: DataView, p: number, l: number): number {
  const last = l > 0 ? buf[p + l - 1] : 0;
  if (last >= 48 && last <= 57) return copy(out, ov, o, buf, bv, p, l);
  out[o++] = 34;
  o = copy(out, ov, o, buf, bv, p, l);
  out[o++] = 34;
  return o;
}

/**
 * A date as `to_json` writes it: "YYYY-MM-DD" (proleptic Gregorian; "YYYY-MM-DD BC" before year 1;
 * more digits after 9999), or "infinity"/"-infinity". `days` counts from 2000-01-01.
 */
export function dateText(days: number): string {
  if (days === 0x7fffffff) return 'infinity';
  if (days === -0x80000000) return '-infinity';
  // civil from days (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"), from 0000-03-01
  const z = days + 10957 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const bc = y <= 0;
  return `${String(bc ? 1 - y : y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}${bc ? ' BC' : ''}`;
}

/** Quoted dates of 1900-01-01 .. 2099-12-31 (days -36524 .. 36523), twelve bytes each, made on first use. */
const DATE_FROM = -36524;
const DATE_COUNT = 73048;
let dateTable: Buffer | null = null;
let dateView: DataView;
let dateMade: Uint8Array;

function date(out: Buffer, ov: DataView, o: number, days: number): number {
  const k = days - DATE_FROM;
  if (k >= 0 && k < DATE_COUNT) {
    if (!dateTable) {
      dateTable = Buffer.alloc(DATE_COUNT * 12);
      dateView = new DataView(dateTable.buffer, dateTable.byteOffset, dateTable.length);
      dateMade = new Uint8Array(DATE_COUNT);
    }
    const t = k * 12;
    if (!dateMade[k]) {
      dateTable.write(`"${dateText(days)}"`, t, 'latin1');
      dateMade[k] = 1;
    }
    ov.setUint32(o, dateView.getUint32(t, true), true);
    ov.setUint32(o + 4, dateView.getUint32(t + 4, true), true);
    ov.setUint32(o + 8, dateView.getUint32(t + 8, true), true);
    return o + 12;
  }
  return o + out.write(`"${dateText(days)}"`, o, 'latin1');
}

/**
 * Binary COPY rows in, NDJSON (one object a line) or one JSON array (`[`, rows joined by `,\n`,
 * `\n]\n`) out. Output is written into large buffers and pushed in pieces of 64 KiB or more.
 */
export class JsonWriter extends Transform {
  private readonly reader: CopyBinaryReader;
  /** `{"name":` / `,"name":` of each column, one after the other, with their offsets. */
  private readonly keys: Buffer;
  private readonly keysView: DataView;
  private readonly keyAt: Int32Array;
  private readonly kinds: Uint8Array;
  /** Bytes a row may take beyond six per value byte: keys, braces, separators, the longest non-text value. */
  private readonly fixed: number;
  private out = Buffer.allocUnsafe(OUT_CHUNK);
  private outView = new DataView(this.out.buffer, this.out.byteOffset, this.out.length);
  private o = 0;
  private start = 0;

  constructor(
    columns: readonly JsonColumn[],
    private readonly array: boolean,
  ) {
    super({ readableHighWaterMark: OUT_CHUNK });
    if (columns.length === 0) throw new Error('a JSON download needs at least one column');
    const keys = columns.map((c, i) => Buffer.from(`${i === 0 ? '{' : ','}${JSON.stringify(c.name)}:`));
    this.keys = Buffer.concat(keys);
    this.keysView = new DataView(this.keys.buffer, this.keys.byteOffset, this.keys.length);
    this.keyAt = new Int32Array(keys.length + 1);
    keys.forEach((k, i) => (this.keyAt[i + 1] = this.keyAt[i] + k.length));
    this.kinds = Uint8Array.from(columns.map((c) => c.kind));
    this.fixed = this.keys.length + 32 * columns.length + 8;
    this.reader = new CopyBinaryReader(columns.length, (buf, pos, len, view) => this.row(buf, pos, len, view));
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
    if (this.o - this.start >= PUSH_AT) this.flushOut();
    cb();
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.reader.end();
    } catch (err) {
      return cb(err as Error);
    }
    if (this.array) {
      this.room(4);
      if (this.reader.rows === 0) this.out[this.o++] = 91; // [
      this.o += this.out.write('\n]\n', this.o, 'latin1');
    }
    this.flushOut();
    cb();
  }

  private flushOut(): void {
    if (this.o > this.start) this.push(this.out.subarray(this.start, this.o));
    this.start = this.o;
  }

  /** Makes room for `n` bytes: what is written so far goes out, and writing goes on in a new buffer. */
  private room(n: number): void {
    if (this.o + n <= this.out.length) return;
    this.flushOut();
    this.out = Buffer.allocUnsafe(Math.max(OUT_CHUNK, n));
    this.outView = new DataView(this.out.buffer, this.out.byteOffset, this.out.length);
    this.o = 0;
    this.start = 0;
  }

  private row(buf: Buffer, pos: Int32Array, len: Int32Array, bv: DataView): void {
    const n = len.length;
    let need = this.fixed;
    for (let i = 0; i < n; i++) if (len[i] > 0) need += 6 * len[i];
    this.room(need);
    const { out, outView: ov, kinds, keys, keysView, keyAt } = this;
    let o = this.o;
    if (this.array) {
      if (this.reader.rows === 0) out[o++] = 91; // [
      else {
        out[o++] = 44; // ,
        out[o++] = 10;
      }
    }
    for (let i = 0; i < n; i++) {
      o = copy(out, ov, o, keys, keysView, keyAt[i], keyAt[i + 1] - keyAt[i]);
      const l = len[i];
      if (l < 0) {
        ov.setUint32(o, 0x6c6c756e, true); // null
        o += 4;
        continue;
      }
      const p = pos[i];
      const kind = kinds[i];
      if (kind === STRING) o = string(out, ov, o, buf, bv, p, l);
      else if (kind === NUMBER) o = number(out, ov, o, buf, bv, p, l);
      else if (kind === DATE) o = date(out, ov, o, bv.getInt32(p));
      else if (kind === BOOL) {
        if (buf[p]) {
          ov.setUint32(o, 0x65757274, true); // true
          o += 4;
        } else {
          ov.setUint32(o, 0x736c6166, true); // fals
          out[o + 4] = 101; // e
          o += 5;
        }
      } else o = copy(out, ov, o, buf, bv, p, l);
    }
    out[o++] = 125; // }
    if (!this.array) out[o++] = 10;
    this.o = o;
  }
}
