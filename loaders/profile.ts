/**
 * Nulls, minimum and maximum of the CSV path, gathered while records stream (so the server need not scan
 * the new table once more), and rendered exactly as PostgreSQL renders them (numeric scale, float8 shortest
 * form, dates, C-collation text order). Columns whose order or rendering would need the server (text in
 * GB18030 bytes, date-times, binary) are left to SQL.
 */
import { parseDecimal } from './coerce.ts';
import type { FileColumn } from './sink.ts';
import type { LoaderItem } from './types.ts';
import { latin1 } from './bytes.ts';

export const K_NONE = 0; // left to SQL
export const K_TEXT = 1; // byte order (UTF-8 = code point order = COLLATE "C")
export const K_NUM = 2; // exact decimals
export const K_FLOAT = 3;
export const K_DATE = 4; // YYYY-MM-DD, byte order
export const K_BOOL = 5;

function cmp(a: Uint8Array, as: number, ae: number, b: Uint8Array): number {
  const n = Math.min(ae - as, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[as + i] - b[i];
    if (d !== 0) return d;
  }
  return ae - as - b.length;
}

/** Approximate value of -?digits(.digits)? bytes (exact decimal text is kept beside it). */
function approx(b: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (b[i] === 45) {
    neg = true;
    i++;
  } else if (b[i] === 43) i++;
  let x = 0;
  for (; i < e; i++) {
    const c = b[i] - 48;
    if (c < 0 || c > 9) break;
    x = x * 10 + c;
  }
  if (i < e && b[i] === 46) {
    let scale = 1;
    for (i++; i < e; i++) {
      const c = b[i] - 48;
      if (c < 0 || c > 9) break;
      scale /= 10;
      x += c * scale;
    }
  }
  if (i < e) return Number(latin1(b, s, e));
  return neg ? -x : x;
}

/** Exact comparison of two decimal texts. */
function cmpDecimalText(a: string, b: string): number {
  const x = parseDecimal(a)!;
  const y = parseDecimal(b)!;
  if (x.neg !== y.neg) return x.neg ? -1 : 1;
  const sign = x.neg ? -1 : 1;
  if (x.int.length !== y.int.length) return (x.int.length - y.int.length) * sign;
  if (x.int !== y.int) return (x.int < y.int ? -1 : 1) * sign;
  const n = Math.max(x.frac.length, y.frac.length);
  const fa = x.frac.padEnd(n, '0');
  const fb = y.frac.padEnd(n, '0');
  return fa === fb ? 0 : (fa < fb ? -1 : 1) * sign;
}

/** float8out with extra_float_digits > 0: shortest digits; exponent form below 1e-4 and from 1e15. */
export function formatFloat8(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [m, e] = x.toExponential().split('e');
  const exp = Number(e);
  const neg = m.startsWith('-');
  const digits = m.replace('-', '').replace('.', '');
  let out: string;
  if (exp < -4 || exp >= 15) {
    out = digits[0] + (digits.length > 1 ? '.' + digits.slice(1) : '') + 'e' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
  } else if (exp < 0) {
    out = '0.' + '0'.repeat(-exp - 1) + digits;
  } else if (digits.length <= exp + 1) {
    out = digits + '0'.repeat(exp + 1 - digits.length);
  } else {
    out = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  }
  return (neg ? '-' : '') + out;
}

/** numeric_out of a decimal text stored with `scale` (undefined: the scale written). */
export function formatNumeric(text: string, scale: number | undefined): string {
  const d = parseDecimal(text)!;
  const written = /\.(\d*)/.exec(text.trim())?.[1] ?? '';
  const frac = scale === undefined ? written : d.frac.padEnd(scale, '0');
  const zero = d.int === '' && /^0*$/.test(frac);
  return (d.neg && !zero ? '-' : '') + (d.int || '0') + (frac ? '.' + frac : '');
}

export interface ColumnStats {
  nulls: number;
  min: string | null;
  max: string | null;
}

export class CsvProfiler {
  readonly kind: Uint8Array;
  readonly nulls: Float64Array;
  private readonly minB: (Uint8Array | null)[];
  private readonly maxB: (Uint8Array | null)[];
  private readonly minX: Float64Array;
  private readonly maxX: Float64Array;
  private readonly minT: (string | null)[];
  private readonly maxT: (string | null)[];
  private readonly seenT: Uint8Array;
  private readonly seenF: Uint8Array;
  /**
   * Decimals: the bytes of a minimum or maximum set by a value clearly beyond the old one, whose text is
   * made only when it is needed (a near tie, the result) — a rising sequence number sets a new maximum on
   * every record.
   */
  private readonly minP: (Uint8Array | null)[];
  private readonly maxP: (Uint8Array | null)[];
  private readonly minPn: Int32Array;
  private readonly maxPn: Int32Array;

  constructor(
    private readonly columns: FileColumn[],
    raw: 'utf8' | 'gb18030',
  ) {
    const n = columns.length;
    this.kind = Uint8Array.from(columns, (c) => {
      const it = c.item;
      if (!it) return K_NONE;
      switch (it.type) {
        case 'C':
        case 'M':
          return raw === 'utf8' ? K_TEXT : K_NONE;
        case 'N':
        case 'Y':
        case 'I':
          return K_NUM;
        case 'B':
        case 'F':
          return K_FLOAT;
        case 'D':
          return K_DATE;
        case 'L':
          return K_BOOL;
        default:
          return K_NONE;
      }
    });
    this.nulls = new Float64Array(n);
    this.minB = new Array(n).fill(null);
    this.maxB = new Array(n).fill(null);
    this.minX = new Float64Array(n).fill(Infinity);
    this.maxX = new Float64Array(n).fill(-Infinity);
    this.minT = new Array(n).fill(null);
    this.maxT = new Array(n).fill(null);
    this.seenT = new Uint8Array(n);
    this.seenF = new Uint8Array(n);
    this.minP = new Array(n).fill(null);
    this.maxP = new Array(n).fill(null);
    this.minPn = new Int32Array(n).fill(-1);
    this.maxPn = new Int32Array(n).fill(-1);
  }

  private static keep(p: Uint8Array | null, b: Uint8Array, s: number, e: number): Uint8Array {
    const out = p !== null && p.length >= e - s ? p : new Uint8Array(Math.max(32, e - s));
    for (let i = s; i < e; i++) out[i - s] = b[i];
    return out;
  }

  /** Makes the text of a pending decimal minimum or maximum. */
  private settle(k: number): void {
    if (this.minPn[k] >= 0) {
      this.minT[k] = latin1(this.minP[k]!, 0, this.minPn[k]);
      this.minPn[k] = -1;
    }
    if (this.maxPn[k] >= 0) {
      this.maxT[k] = latin1(this.maxP[k]!, 0, this.maxPn[k]);
      this.maxPn[k] = -1;
    }
  }

  /** A text or date value as written in the file (bytes s..e of b, already canonical). */
  bytes(k: number, b: Uint8Array, s: number, e: number): void {
    const mn = this.minB[k];
    if (mn === null || cmp(b, s, e, mn) < 0) this.minB[k] = Uint8Array.prototype.slice.call(b, s, e);
    const mx = this.maxB[k];
    if (mx === null || cmp(b, s, e, mx) > 0) this.maxB[k] = Uint8Array.prototype.slice.call(b, s, e);
  }

  /** A number as written in the file; `x` is its approximate value, NaN if not known yet. */
  numberBytes(k: number, x: number, b: Uint8Array, s: number, e: number): void {
    if (x !== x) x = approx(b, s, e);
    const tol = Math.abs(x) * 1e-12 + 1e-300;
    if (this.kind[k] === K_NUM && this.minT[k] !== null && e - s <= 64) {
      // clearly beyond an extreme (by more than the float error of both): keep the bytes, no text yet
      const tmax = (Math.abs(x) + Math.abs(this.maxX[k])) * 1e-12 + 1e-300;
      const tmin = (Math.abs(x) + Math.abs(this.minX[k])) * 1e-12 + 1e-300;
      const above = x - this.maxX[k] > tmax;
      const below = this.minX[k] - x > tmin;
      if (above && !(x - this.minX[k] <= tmin)) {
        this.maxX[k] = x;
        this.maxP[k] = CsvProfiler.keep(this.maxP[k], b, s, e);
        this.maxPn[k] = e - s;
        return;
      }
      if (below && !(this.maxX[k] - x <= tmax)) {
        this.minX[k] = x;
        this.minP[k] = CsvProfiler.keep(this.minP[k], b, s, e);
        this.minPn[k] = e - s;
        return;
      }
    }
    if (x <= this.minX[k] + tol || x >= this.maxX[k] - tol) {
      const text = latin1(b, s, e);
      this.number(k, this.kind[k] === K_FLOAT ? Number(text) : x, text);
    }
  }

  /** A number known exactly as a double (integers, doubles): its text is made only for a new extreme. */
  exact(k: number, x: number): void {
    if (this.minT[k] === null || x < this.minX[k] || x > this.maxX[k]) this.number(k, x, String(x));
  }

  /** A boolean as written in the file. */
  boolBytes(k: number, b: Uint8Array, s: number, e: number): void {
    this.value(k, latin1(b, s, e));
  }

  /** A value rewritten to its canonical text (or decoded). */
  value(k: number, v: string): void {
    switch (this.kind[k]) {
      case K_TEXT:
      case K_DATE: {
        const b = Buffer.from(v, 'utf8');
        this.bytes(k, b, 0, b.length);
        return;
      }
      case K_NUM:
      case K_FLOAT:
        this.number(k, Number(v), v);
        return;
      case K_BOOL:
        if (v === 't') this.seenT[k] = 1;
        else this.seenF[k] = 1;
        return;
    }
  }

  /** x: the value (exact for floats; for decimals an approximation, ties settled on the text). */
  private number(k: number, x: number, text: string): void {
    this.settle(k);
    if (this.minT[k] === null) {
      this.minX[k] = this.maxX[k] = x;
      this.minT[k] = this.maxT[k] = text;
      return;
    }
    if (this.kind[k] === K_FLOAT) {
      if (x < this.minX[k]) {
        this.minX[k] = x;
        this.minT[k] = text;
      }
      if (x > this.maxX[k]) {
        this.maxX[k] = x;
        this.maxT[k] = text;
      }
      return;
    }
    const tol = (Math.abs(x) + Math.abs(this.minX[k])) * 1e-12 + 1e-300;
    const dmin = x - this.minX[k];
    if (dmin < -tol || (dmin <= tol && cmpDecimalText(text, this.minT[k]!) < 0)) {
      this.minX[k] = x;
      this.minT[k] = text;
    }
    const tol2 = (Math.abs(x) + Math.abs(this.maxX[k])) * 1e-12 + 1e-300;
    const dmax = x - this.maxX[k];
    if (dmax > tol2 || (dmax >= -tol2 && cmpDecimalText(text, this.maxT[k]!) > 0)) {
      this.maxX[k] = x;
      this.maxT[k] = text;
    }
  }

  /** Stats by item name for the columns gathered here (others are absent: ask SQL). */
  result(numericScale: (it: LoaderItem) => number | undefined): Map<string, ColumnStats> {
    const out = new Map<string, ColumnStats>();
    this.columns.forEach((c, k) => {
      this.settle(k);
      const it = c.item;
      const kind = this.kind[k];
      if (!it || kind === K_NONE) return;
      let min: string | null = null;
      let max: string | null = null;
      if (kind === K_TEXT || kind === K_DATE) {
        if (this.minB[k]) {
          min = Buffer.from(this.minB[k]!).toString('utf8');
          max = Buffer.from(this.maxB[k]!).toString('utf8');
        }
      } else if (kind === K_NUM) {
        if (this.minT[k] !== null) {
          const sc = it.type === 'I' ? 0 : numericScale(it);
          min = formatNumeric(this.minT[k]!, sc);
          max = formatNumeric(this.maxT[k]!, sc);
        }
      } else if (kind === K_FLOAT) {
        if (this.minT[k] !== null) {
          min = formatFloat8(this.minX[k]);
          max = formatFloat8(this.maxX[k]);
        }
      } else if (kind === K_BOOL) {
        if (this.seenT[k] || this.seenF[k]) {
          min = this.seenF[k] ? 'false' : 'true';
          max = this.seenT[k] ? 'true' : 'false';
        }
      }
      out.set(it.name, { nulls: this.nulls[k], min, max });
    });
    return out;
  }
}
