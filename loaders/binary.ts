/**
 * COPY BINARY encoding of checked values. The CSV path sends UTF-8 files to PostgreSQL in the binary
 * COPY format: the server then skips CSV parsing and the text input functions (date_in, numeric_in,
 * float8in ...), about a third of its COPY work. Values arrive here already validated and in canonical
 * text form (see coerce.ts / byte-acceptors.ts); each encoder turns that text into the type's binary form.
 */
import { pgType } from './coerce.ts';
import type { CopyOut } from './sink.ts';
import type { LoaderItem } from './types.ts';
import { latin1 } from './bytes.ts';

/** 'PGCOPY\n\377\r\n\0', flags 0, no header extension. */
export const BINARY_HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
export const BINARY_TRAILER = Buffer.from([0xff, 0xff]);

export interface BinaryEncoder {
  /** Encodes the canonical text in b[s..e) (length word included). */
  bytes(out: CopyOut, b: Uint8Array, s: number, e: number): void;
  /** Encodes a canonical text value. */
  str(out: CopyOut, v: string): void;
}

/** Days from 2000-01-01 (PostgreSQL's date epoch) to y-m-d (proleptic Gregorian). */
export function pgDays(y: number, m: number, d: number): number {
  // days from civil (H. Hinnant), relative to 1970-01-01, then shifted to 2000-01-01 (10957 days later)
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468 - 10957;
}

function digitsAt(b: Uint8Array, s: number, n: number): number {
  let v = 0;
  for (let i = s; i < s + n; i++) v = v * 10 + b[i] - 48;
  return v;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** The double written as text in b[s..e): exact (Clinger's fast path, else the JS parser). */
export function parseFloatBytes(b: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (b[i] === 45) {
    neg = true;
    i++;
  } else if (b[i] === 43) i++;
  let m = 0;
  let digits = 0;
  let frac = 0;
  let seen = false;
  for (; i < e; i++) {
    const c = b[i] - 48;
    if (c < 0 || c > 9) break;
    seen = true;
    if (digits > 0 || c !== 0) digits++;
    m = m * 10 + c;
  }
  if (i < e && b[i] === 46) {
    for (i++; i < e; i++) {
      const c = b[i] - 48;
      if (c < 0 || c > 9) break;
      seen = true;
      if (digits > 0 || c !== 0) digits++;
      m = m * 10 + c;
      frac++;
    }
  }
  if (i === e && seen && digits <= 15 && frac <= 22) {
    const x = m / POW10[frac];
    return neg ? -x : x;
  }
  return Number(latin1(b, s, e));
}

function numericEncoder(): BinaryEncoder {
  const groups: number[] = [];
  const enc = (out: CopyOut, b: Uint8Array, s: number, e: number) => {
    let i = s;
    let neg = false;
    if (b[i] === 45) {
      neg = true;
      i++;
    } else if (b[i] === 43) i++;
    const i0 = i;
    while (i < e && b[i] !== 46) i++;
    const intEnd = i;
    const f0 = i < e ? i + 1 : e;
    const dscale = e - f0;
    // integer digits in groups of 4 from the decimal point leftwards
    groups.length = 0;
    const intLen = intEnd - i0;
    const head = intLen % 4;
    let p = i0;
    if (head) {
      groups.push(digitsAt(b, p, head));
      p += head;
    }
    for (; p < intEnd; p += 4) groups.push(digitsAt(b, p, 4));
    let weight = groups.length - 1;
    for (let q = f0; q < e; q += 4) {
      const n = Math.min(4, e - q);
      groups.push(digitsAt(b, q, n) * POW10[4 - n]);
    }
    // strip leading and trailing zero groups
    let lo = 0;
    while (lo < groups.length && groups[lo] === 0) {
      lo++;
      weight--;
    }
    let hi = groups.length;
    while (hi > lo && groups[hi - 1] === 0) hi--;
    const nd = hi - lo;
    if (nd === 0) {
      weight = 0;
      neg = false;
    }
    out.i32(8 + nd * 2);
    out.i16(nd);
    out.i16(weight);
    out.i16(neg ? 0x4000 : 0);
    out.i16(dscale);
    for (let k = lo; k < hi; k++) out.i16(groups[k]);
  };
  return { bytes: enc, str: (out, v) => viaLatin1(out, v, enc) };
}

const SCRATCH = Buffer.allocUnsafe(256);

function viaLatin1(out: CopyOut, v: string, enc: (out: CopyOut, b: Uint8Array, s: number, e: number) => void): void {
  if (v.length <= SCRATCH.length) {
    // canonical numbers and dates are short: no Buffer per value
    enc(out, SCRATCH, 0, SCRATCH.write(v, 0, 'latin1'));
    return;
  }
  const b = Buffer.from(v, 'latin1');
  enc(out, b, 0, b.length);
}

function integerEncoder(bits: 32 | 64): BinaryEncoder {
  const enc = (out: CopyOut, b: Uint8Array, s: number, e: number) => {
    let i = s;
    let neg = false;
    if (b[i] === 45) {
      neg = true;
      i++;
    } else if (b[i] === 43) i++;
    if (bits === 32) {
      const v = digitsAt(b, i, e - i);
      out.i32(4);
      out.i32(neg ? -v : v);
      return;
    }
    if (e - i <= 15) {
      const v = digitsAt(b, i, e - i);
      out.i32(8);
      out.i64(neg ? -v : v);
      return;
    }
    let v = BigInt(latin1(b, i, e));
    if (neg) v = -v;
    out.i32(8);
    out.i64big(v);
  };
  return { bytes: enc, str: (out, v) => viaLatin1(out, v, enc) };
}

function floatEncoder(): BinaryEncoder {
  const enc = (out: CopyOut, b: Uint8Array, s: number, e: number) => {
    out.i32(8);
    out.f64(parseFloatBytes(b, s, e));
  };
  return { bytes: enc, str: (out, v) => viaLatin1(out, v, enc) };
}

function dateEncoder(): BinaryEncoder {
  const enc = (out: CopyOut, b: Uint8Array, s: number) => {
    out.i32(4);
    out.i32(pgDays(digitsAt(b, s, 4), digitsAt(b, s + 5, 2), digitsAt(b, s + 8, 2)));
  };
  return { bytes: enc, str: (out, v) => viaLatin1(out, v, enc) };
}

/** rint(): round half to even, as PostgreSQL rounds fractional seconds. */
function rint(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const TS_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([+-])(\d{2}):(\d{2})$/;
/** Microseconds from 2000-01-01 00:00:00 UTC of the canonical `YYYY-MM-DD HH:MM:SS[.f]±HH:MM`. */
export function pgMicros(v: string): bigint {
  const m = TS_RE.exec(v);
  if (!m) throw new Error(`not a canonical date-time: ${v}`);
  const days = pgDays(+m[1], +m[2], +m[3]);
  const offset = (+m[9] * 60 + +m[10]) * (m[8] === '-' ? -1 : 1);
  const secs = days * 86400 + +m[4] * 3600 + +m[5] * 60 + +m[6] - offset * 60;
  const micros = m[7] ? rint(Number('0.' + m[7]) * 1e6) : 0;
  return BigInt(secs) * 1000000n + BigInt(micros);
}

function timestampEncoder(): BinaryEncoder {
  const str = (out: CopyOut, v: string) => {
    out.i32(8);
    out.i64big(pgMicros(v));
  };
  return { bytes: (out, b, s, e) => str(out, latin1(b, s, e)), str };
}

function boolEncoder(): BinaryEncoder {
  const enc = (out: CopyOut, b: Uint8Array, s: number) => {
    out.i32(1);
    out.byte(b[s] === 116 ? 1 : 0); // 't'
  };
  return { bytes: enc, str: (out, v) => viaLatin1(out, v, enc) };
}

function byteaEncoder(): BinaryEncoder {
  const str = (out: CopyOut, v: string) => {
    const bytes = Buffer.from(v.slice(2), 'hex');
    out.i32(bytes.length);
    out.raw(bytes, 0, bytes.length);
  };
  return { bytes: (out, b, s, e) => str(out, latin1(b, s, e)), str };
}

function textEncoder(): BinaryEncoder {
  return {
    bytes(out, b, s, e) {
      out.i32(e - s);
      out.raw(b as Buffer, s, e);
    },
    str(out, v) {
      const b = Buffer.from(v, 'utf8');
      out.i32(b.length);
      out.raw(b, 0, b.length);
    },
  };
}

export function binaryEncoder(item: LoaderItem): BinaryEncoder {
  const t = pgType(item);
  if (t === 'integer') return integerEncoder(32);
  if (t === 'bigint') return integerEncoder(64);
  if (t.startsWith('numeric')) return numericEncoder();
  if (t === 'double precision') return floatEncoder();
  if (t === 'date') return dateEncoder();
  if (t === 'timestamptz') return timestampEncoder();
  if (t === 'boolean') return boolEncoder();
  if (t === 'bytea') return byteaEncoder();
  return textEncoder();
}
