/**
 * Arrow record batches straight to COPY BINARY tuples, column by column from the Arrow buffers: string
 * bytes checked by the byte acceptors and copied as they are, each dictionary entry checked and encoded
 * once per dictionary, integers, doubles and zoned timestamps written from their raw values, decimals
 * read from their 128-bit words. A value no fast path is sure of goes the generic way, exactly as the
 * text path takes it: its text (valueText), the item's Coercer (the authority on every rule), then the
 * binary encoder of the canonical text. So rejects (rule, message, value) are the text path's.
 * Nulls, minimum and maximum of what is sent are gathered on the way (profile.ts), as on the CSV path.
 */
import { isUtf8 } from 'node:buffer';
import { Type, type Data, type DataType, type RecordBatch, type Vector } from 'apache-arrow';
import { compileAcceptor, LAST_NUMBER, type ByteAcceptor } from './byte-acceptors.ts';
import { binaryEncoder, type BinaryEncoder } from './binary.ts';
import { Fail, pgType, valueText } from './coerce.ts';
import { CsvProfiler, K_DATE, K_FLOAT, K_NUM, K_TEXT } from './profile.ts';
import { latin1 } from './bytes.ts';
import { CopyOut, Sink, type FileColumn, type SinkOptions } from './sink.ts';

type Conv = (v: Vector, i: number) => unknown;

const REQUIRED = new Fail('required', 'a value is required');
/** Microseconds from 1970-01-01 to 2000-01-01 (PostgreSQL's epoch). */
const EPOCH_2000_US = 946684800000000;
/** Zoned timestamps written from their ticks between these instants (ms): the text path's range, and safe integers of microseconds. */
const TS_MIN_MS = Date.UTC(1900, 0, 1);
const TS_MAX_MS = Date.UTC(2200, 0, 1);

const ST_NULL = 0;
const ST_BYTES = 1;
const ST_TEXT = 2;
const ST_MEMO = 3;
const ST_NUMBER = 4;

/** One column's values of the current batch: check a row (no output), then write it. */
abstract class Codec {
  /** What write() will send for the row last checked. */
  state = ST_NULL;
  /** The text shown in a reject of the row last checked. */
  failValue: string | null = null;
  protected tmp = '';
  protected data!: Data;
  protected vec!: Vector;
  protected readonly text: boolean;
  protected readonly required: boolean;
  protected readonly encoder: BinaryEncoder;
  /** The profiler and this column's place in it, set by the sink. */
  p!: CsvProfiler;
  protected readonly k: number;

  constructor(
    readonly col: FileColumn,
    protected readonly conv: Conv,
  ) {
    this.k = col.index;
    this.text = col.text;
    this.required = col.required;
    this.encoder = binaryEncoder(col.item!);
  }

  /** Starts a batch; returns false when this codec cannot read the column (the generic one is used). */
  begin(vec: Vector): boolean {
    this.vec = vec;
    this.data = vec.data[0];
    return true;
  }

  protected isNull(i: number): boolean {
    const d = this.data;
    if (d.nullCount === 0) return false;
    const p = d.offset + i;
    const bm = d.nullBitmap;
    return bm !== undefined && bm.length > 0 && (bm[p >> 3] & (1 << (p & 7))) === 0;
  }

  /** The text path of one value: Sink.values' rules. */
  protected generic(v: unknown): Fail | null {
    const item = this.col.item!;
    let t: string | null;
    try {
      t = valueText(item, v);
    } catch {
      t = String(v);
    }
    return this.genericText(t);
  }

  protected genericText(t: string | null): Fail | null {
    if (t === null || t === '' || (!this.text && t.trim() === '')) {
      this.state = ST_NULL;
      this.failValue = t;
      return this.required ? REQUIRED : null;
    }
    const r = this.col.coerce!(t);
    if (r instanceof Fail) {
      this.failValue = t;
      return r;
    }
    this.tmp = r;
    this.state = ST_TEXT;
    return null;
  }

  check(i: number): Fail | null {
    return this.generic(this.conv(this.vec, i));
  }

  write(out: CopyOut, _i: number): void {
    if (this.state === ST_NULL) {
      out.i32(-1);
      this.p.nulls[this.k]++;
    } else {
      this.encoder.str(out, this.tmp);
      this.p.value(this.k, this.tmp);
    }
  }
}

/** Any Arrow type: the converter of the text path. */
class GenericCodec extends Codec {}

/** Utf8 strings: bytes checked by the item's acceptor and copied. */
class Utf8Codec extends Codec {
  private readonly acc: ByteAcceptor | null;
  private values!: Uint8Array;
  private offsets!: Int32Array;

  constructor(col: FileColumn, conv: Conv) {
    super(col, conv);
    this.acc = compileAcceptor(col.item!, 'utf8');
  }

  override begin(vec: Vector): boolean {
    super.begin(vec);
    const d = this.data;
    const v = d.values as Uint8Array;
    // A Buffer view, so that copying a value makes no subarray
    this.values = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    this.offsets = d.valueOffsets as Int32Array;
    if (!(this.offsets instanceof Int32Array) || this.offsets.length < d.length + 1) return false;
    // Bytes that are not UTF-8 would be replaced by the text path's decoder: leave them to it.
    return isUtf8(this.values.subarray(this.offsets[0], this.offsets[d.length]));
  }

  override check(i: number): Fail | null {
    if (this.isNull(i)) return this.genericText(null);
    const b = this.values;
    const s = this.offsets[i];
    const e = this.offsets[i + 1];
    if (s === e) return this.genericText('');
    if (this.acc !== null) {
      let nul = false;
      for (let k = s; k < e; k++)
        if (b[k] === 0) {
          nul = true;
          break;
        }
      if (!nul && this.acc(b, s, e)) {
        this.state = ST_BYTES;
        return null;
      }
    }
    return this.genericText(Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('utf8'));
  }

  override write(out: CopyOut, i: number): void {
    if (this.state !== ST_BYTES) return super.write(out, i);
    const s = this.offsets[i];
    const e = this.offsets[i + 1];
    this.encoder.bytes(out, this.values, s, e);
    const kind = this.p.kind[this.k];
    if (kind === K_TEXT || kind === K_DATE) this.p.bytes(this.k, this.values, s, e);
    else if (kind === K_NUM || kind === K_FLOAT) this.p.numberBytes(this.k, NaN, this.values, s, e);
  }
}

/** Dictionary-encoded values: each entry of the dictionary is checked and encoded once. */
class DictionaryCodec extends Codec {
  private dict: Vector | null = null;
  /** Per entry: its encoded field, or its Fail, or undefined (not seen yet). */
  private memo: (Buffer | Fail | undefined)[] = [];
  private memoText: (string | null)[] = [];
  /** Per entry: its canonical text (null: it is stored as NULL) once a row of it was sent, for the profile. */
  private memoValue: (string | null)[] = [];
  private profiled: Uint8Array = new Uint8Array(0);
  private entry = 0;
  private indices!: ArrayLike<number>;
  private readonly scratch = new CopyOut(null as never);
  private hit: Buffer | null = null;

  override begin(vec: Vector): boolean {
    super.begin(vec);
    const d = this.data;
    const dict = (d as unknown as { dictionary?: Vector }).dictionary ?? null;
    if (dict === null || !(d.values instanceof Int32Array || d.values instanceof Int16Array || d.values instanceof Int8Array || d.values instanceof Uint32Array || d.values instanceof Uint16Array || d.values instanceof Uint8Array))
      return false;
    if (dict !== this.dict) {
      this.dict = dict;
      this.memo = new Array(dict.length);
      this.memoText = new Array(dict.length);
      this.memoValue = new Array(dict.length);
      this.profiled = new Uint8Array(dict.length);
    }
    this.indices = d.values as ArrayLike<number>;
    return true;
  }

  override check(i: number): Fail | null {
    if (this.isNull(i)) return this.genericText(null);
    const k = this.indices[i];
    let m = this.memo[k];
    if (m === undefined) {
      const f = this.generic(this.dict!.get(k));
      if (f !== null) m = f;
      else {
        if (this.state === ST_NULL) this.scratch.i32(-1);
        else this.encoder.str(this.scratch, this.tmp);
        m = this.scratch.take();
        this.memoValue[k] = this.state === ST_NULL ? null : this.tmp;
      }
      this.memo[k] = m;
      this.memoText[k] = this.failValue;
    }
    if (m instanceof Fail) {
      this.failValue = this.memoText[k];
      return m;
    }
    this.hit = m;
    this.entry = k;
    this.state = ST_MEMO;
    return null;
  }

  override write(out: CopyOut, i: number): void {
    if (this.state !== ST_MEMO) return super.write(out, i);
    out.raw(this.hit!, 0, this.hit!.length);
    const v = this.memoValue[this.entry];
    if (v === null) this.p.nulls[this.k]++;
    else if (!this.profiled[this.entry]) {
      // min and max depend only on which values were sent
      this.profiled[this.entry] = 1;
      this.p.value(this.k, v);
    }
  }
}

/** 8, 16 and 32-bit integers into integer and bigint columns without minimum or maximum. */
class IntCodec extends Codec {
  private values!: ArrayLike<number>;
  private readonly big: boolean;

  constructor(col: FileColumn, conv: Conv) {
    super(col, conv);
    this.big = pgType(col.item!) === 'bigint';
  }

  override begin(vec: Vector): boolean {
    super.begin(vec);
    const v = this.data.values;
    this.values = v as ArrayLike<number>;
    return v instanceof Int32Array || v instanceof Int16Array || v instanceof Int8Array || v instanceof Uint16Array || v instanceof Uint8Array;
  }

  override check(i: number): Fail | null {
    if (this.isNull(i)) return this.genericText(null);
    this.state = ST_NUMBER;
    return null;
  }

  override write(out: CopyOut, i: number): void {
    if (this.state !== ST_NUMBER) return super.write(out, i);
    const v = this.values[i];
    this.p.exact(this.k, v);
    if (this.big) {
      out.i32(8);
      out.i64(v);
    } else {
      out.i32(4);
      out.i32(v);
    }
  }
}

/** Doubles into double precision columns without minimum or maximum. */
class Float64Codec extends Codec {
  private values!: Float64Array;

  override begin(vec: Vector): boolean {
    super.begin(vec);
    this.values = this.data.values as Float64Array;
    return this.values instanceof Float64Array;
  }

  override check(i: number): Fail | null {
    if (this.isNull(i)) return this.genericText(null);
    const x = this.values[i];
    // NaN and infinities: the Coercer names them.
    if (!Number.isFinite(x)) return this.generic(x);
    this.state = ST_NUMBER;
    return null;
  }

  override write(out: CopyOut, i: number): void {
    if (this.state !== ST_NUMBER) return super.write(out, i);
    const x = this.values[i] === 0 ? 0 : this.values[i]; // the text path writes -0 as 0
    out.i32(8);
    out.f64(x);
    this.p.exact(this.k, x);
  }
}

/** Timestamps with a time zone (instants) in s, ms or µs into timestamptz columns. */
class TimestampCodec extends Codec {
  private words!: Int32Array;
  private readonly usPerTick: number;
  private us = 0;

  constructor(col: FileColumn, conv: Conv, unit: number) {
    super(col, conv);
    this.usPerTick = unit === 0 ? 1e6 : unit === 1 ? 1e3 : 1;
  }

  override begin(vec: Vector): boolean {
    super.begin(vec);
    const v = this.data.values as unknown as BigInt64Array;
    if (!(v instanceof BigInt64Array)) return false;
    this.words = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
    return true;
  }

  override check(i: number): Fail | null {
    if (this.isNull(i)) return this.genericText(null);
    const hi = this.words[2 * i + 1];
    const lo = this.words[2 * i] >>> 0;
    const us = (hi * 4294967296 + lo) * this.usPerTick;
    const ms = us / 1000;
    if (hi > 0x1fffff || hi < -0x200000 || !(ms >= TS_MIN_MS && ms < TS_MAX_MS)) return this.generic(this.conv(this.vec, i));
    this.us = us - EPOCH_2000_US;
    this.state = ST_NUMBER;
    return null;
  }

  override write(out: CopyOut, i: number): void {
    if (this.state !== ST_NUMBER) return super.write(out, i);
    out.i32(8);
    out.i64(this.us);
  }
}

/**
 * 128-bit decimals: the digits from the words when they fit a double exactly, written as text into a
 * scratch buffer and checked by the item's byte acceptor as a CSV field is (precision, scale, range);
 * what it does not accept goes to the Coercer.
 */
class DecimalCodec extends Codec {
  private words!: Uint32Array;
  private readonly scale: number;
  private readonly acc: ByteAcceptor | null;
  private readonly digits = Buffer.allocUnsafe(48);
  private n = 0;
  private x = 0;

  constructor(col: FileColumn, conv: Conv, scale: number) {
    super(col, conv);
    this.scale = scale;
    this.acc = compileAcceptor(col.item!, 'utf8');
  }

  override begin(vec: Vector): boolean {
    super.begin(vec);
    const w = this.data.values as Uint32Array;
    this.words = w;
    return w instanceof Uint32Array && (this.data.type as unknown as { bitWidth?: number }).bitWidth === 128 && w.length >= this.data.length * 4;
  }

  override check(i: number): Fail | null {
    if (this.isNull(i)) return this.genericText(null);
    const w = this.words;
    const b = 4 * i;
    const w0 = w[b];
    const w1 = w[b + 1];
    const w2 = w[b + 2];
    const w3 = w[b + 3];
    let v: number;
    let neg = false;
    if (w2 === 0 && w3 === 0 && w1 < 0x200000) v = w1 * 4294967296 + w0;
    else if (w2 === 0xffffffff && w3 === 0xffffffff && w1 >= 0xffe00000) {
      v = (0xffffffff - w1) * 4294967296 + (4294967296 - w0);
      neg = true;
    } else return this.generic(this.conv(this.vec, i));
    const n = this.text10(v, neg);
    if (this.acc !== null && this.acc(this.digits, 0, n)) {
      this.n = n;
      this.x = LAST_NUMBER[0];
      this.state = ST_BYTES;
      return null;
    }
    return this.genericText(latin1(this.digits, 0, n));
  }

  /** The arrow.ts converter's text of an unscaled integer below 2^53 (`-` and the point at the scale) into `digits`; returns its length. */
  private text10(v: number, neg: boolean): number {
    const d = this.digits;
    const scale = this.scale;
    // digits right to left, at least scale + 1 of them
    let p = d.length;
    let k = 0;
    do {
      if (scale > 0 && k === scale) d[--p] = 46;
      const q = Math.floor(v / 10);
      d[--p] = 48 + (v - q * 10);
      v = q;
      k++;
    } while (v > 0 || k <= scale);
    if (neg) d[--p] = 45;
    const n = d.length - p;
    d.copy(d, 0, p, d.length);
    return n;
  }

  override write(out: CopyOut, i: number): void {
    if (this.state !== ST_BYTES) return super.write(out, i);
    this.encoder.bytes(out, this.digits, 0, this.n);
    this.p.numberBytes(this.k, this.x, this.digits, 0, this.n);
  }
}

/** The codec of a column: a fast one where the Arrow type and the item's rules allow, else the generic one. */
function codecFor(col: FileColumn, type: DataType, conv: Conv): { fast: Codec | null; generic: Codec } {
  const item = col.item!;
  const generic = new GenericCodec(col, conv);
  const pg = pgType(item);
  const ranged = typeof item.minimum === 'number' || typeof item.maximum === 'number' || !!item.enum?.length || !!item.pattern;
  let fast: Codec | null = null;
  switch (type.typeId) {
    case Type.Utf8:
      fast = new Utf8Codec(col, conv);
      break;
    case Type.Dictionary:
      fast = new DictionaryCodec(col, conv);
      break;
    case Type.Int:
      if ((pg === 'integer' || pg === 'bigint') && !ranged && (type as unknown as { bitWidth: number }).bitWidth <= 32) fast = new IntCodec(col, conv);
      break;
    case Type.Float:
      if (pg === 'double precision' && !ranged) fast = new Float64Codec(col, conv);
      break;
    case Type.Timestamp: {
      const t = type as unknown as { unit: number; timezone?: string | null };
      if (pg === 'timestamptz' && t.timezone && t.unit <= 2) fast = new TimestampCodec(col, conv, t.unit);
      break;
    }
    case Type.Decimal:
      fast = new DecimalCodec(col, conv, (type as unknown as { scale: number }).scale);
      break;
  }
  return { fast, generic };
}

/** The sink of an Arrow file loaded by COPY BINARY. */
export class ArrowBinarySink extends Sink {
  private readonly slots: { index: number; fast: Codec | null; generic: Codec; use: Codec }[] = [];
  private readonly nCopy: number;
  readonly profiler: CsvProfiler;

  constructor(o: SinkOptions, types: DataType[], convs: Conv[]) {
    super(o);
    this.nCopy = o.copyItems.length;
    this.profiler = new CsvProfiler(o.columns, 'utf8');
    for (const col of o.columns) {
      if (col.item === null) continue;
      const { fast, generic } = codecFor(col, types[col.index], convs[col.index]);
      generic.p = this.profiler;
      if (fast) fast.p = this.profiler;
      this.slots.push({ index: col.index, fast, generic, use: generic });
    }
    this.lines.add(0, null); // Arrow records have no lines
  }

  /** Loads rows [from, to) of a batch. */
  rows(batch: RecordBatch, from: number, to: number): void {
    const slots = this.slots;
    if (from === 0)
      for (const s of slots) {
        const vec = batch.getChildAt(s.index)!;
        s.use = s.fast !== null && vec.data.length === 1 && s.fast.begin(vec) ? s.fast : s.generic;
        if (s.use === s.generic) s.generic.begin(vec);
      }
    const out = this.out;
    const n = slots.length;
    for (let r = from; r < to; r++) {
      const rec = ++this.records;
      let bad = false;
      for (let c = 0; c < n; c++) {
        const u = slots[c].use;
        const f = u.check(r);
        if (f !== null) {
          this.addReject(rec, null, u.col, u.failValue, f.rule, f.message);
          bad = true;
        }
      }
      if (bad) {
        this.rowRejected(rec);
        continue;
      }
      out.i16(this.nCopy);
      for (let c = 0; c < n; c++) slots[c].use.write(out, r);
      this.emitted++;
    }
  }
}
