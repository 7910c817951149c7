/**
 * Byte-level acceptors for the CSV hot path. An acceptor looks at the raw UTF-8 bytes of a field and
 * answers true only when the value is valid AND already in the form PostgreSQL's COPY takes, so the bytes
 * can be passed through without building a string. Any other answer sends the value to the item's
 * Coercer (coerce.ts), which is the authority: it rewrites non-canonical forms and names broken rules.
 * An acceptor therefore never has to explain a rejection, and tests prove acceptor => Coercer returns
 * the same text.
 */
import iconv from 'iconv-lite';
import { numericPrecision, numericScale, validYmd } from './coerce.ts';
import type { LoaderItem } from './types.ts';
import { latin1 } from './bytes.ts';

export type ByteAcceptor = (b: Uint8Array, s: number, e: number) => boolean;

/** The value (approximate) of the last number a number acceptor accepted. */
export const LAST_NUMBER = new Float64Array(1);

const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const USCC_VAL = new Int8Array(256).fill(-1);
for (let i = 0; i < USCC_CHARSET.length; i++) USCC_VAL[USCC_CHARSET.charCodeAt(i)] = i;
const PROVINCE = new Uint8Array(100);
for (const p of [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82])
  PROVINCE[p] = 1;

function usccBytes(b: Uint8Array, s: number, e: number): boolean {
  if (e - s !== 18) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_VAL[b[s + i]];
    if (v < 0 || (i >= 2 && i < 8 && v > 9)) return false;
    sum += v * USCC_WEIGHTS[i];
  }
  const v = USCC_VAL[b[s + 17]];
  return v >= 0 && v === (31 - (sum % 31)) % 31;
}

function mobileBytes(b: Uint8Array, s: number, e: number): boolean {
  if (e - s !== 11 || b[s] !== 49 || b[s + 1] < 51 || b[s + 1] > 57) return false;
  for (let i = s + 2; i < e; i++) if (b[i] < 48 || b[i] > 57) return false;
  return true;
}

function regionBytes(b: Uint8Array, s: number, e: number): boolean {
  const n = e - s;
  if (n !== 6 && n !== 12) return false;
  for (let i = s; i < e; i++) if (b[i] < 48 || b[i] > 57) return false;
  return PROVINCE[(b[s] - 48) * 10 + b[s + 1] - 48] === 1;
}

/** Characters in GB18030 bytes: ASCII 1 byte; lead 0x81-0xFE then 0x30-0x39 -> 4 bytes; else 2 bytes. */
function gbChars(b: Uint8Array, s: number, e: number): number {
  let n = 0;
  let i = s;
  while (i < e) {
    const c = b[i];
    if (c < 0x80) i++;
    else if (i + 1 < e && b[i + 1] >= 0x30 && b[i + 1] <= 0x39) i += 4;
    else i += 2;
    n++;
  }
  return n;
}

function textAcceptor(item: LoaderItem, raw: 'utf8' | 'gb18030'): ByteAcceptor | null {
  if (item.check === 'id-card') return null;
  // A pattern needs the text: tested here on ASCII values, left to the Coercer otherwise.
  const re = item.pattern ? new RegExp(item.pattern, 'u') : null;
  const max = item.length && item.length > 0 ? item.length : 0;
  const check = item.check === 'uscc' ? usccBytes : item.check === 'mobile' ? mobileBytes : item.check === 'region-code' ? regionBytes : null;
  let enumBytes: Uint8Array[] | null = null;
  if (item.enum && item.enum.length) {
    if (item.enum.length > 32) return null;
    enumBytes = item.enum.map((v) => (raw === 'utf8' ? Buffer.from(v, 'utf8') : iconv.encode(v, raw)));
  }
  return (b, s, e) => {
    const n = e - s;
    if (max && n > max) {
      let chars = 0;
      if (raw === 'utf8') {
        for (let i = s; i < e; i++) if ((b[i] & 0xc0) !== 0x80) chars++;
      } else chars = gbChars(b, s, e);
      if (chars > max) return false;
    }
    if (check !== null && !check(b, s, e)) return false;
    if (enumBytes !== null) {
      let found = false;
      for (let k = 0; k < enumBytes.length && !found; k++) {
        const v = enumBytes[k];
        if (v.length !== n) continue;
        let j = 0;
        while (j < n && v[j] === b[s + j]) j++;
        found = j === n;
      }
      if (!found) return false;
    }
    if (re !== null) {
      for (let i = s; i < e; i++) if (b[i] >= 0x80) return false;
      if (!re.test(latin1(b, s, s + n))) return false;
    }
    return true;
  };
}

/**
 * -?digits(.digits)? within precision/scale and clearly inside minimum/maximum (by more than float error;
 * values near a bound go to the exact comparison of the Coercer).
 */
function numberAcceptor(item: LoaderItem, exact: boolean): ByteAcceptor | null {
  if (item.enum && item.enum.length) return null;
  const isInt = item.type === 'I';
  const p = exact ? numericPrecision(item) : undefined;
  const sc = exact ? numericScale(item) : undefined;
  // floats: stay far from overflow/underflow of double precision
  const intMax = isInt ? (p !== undefined ? Math.min(p, 9) : 18) : p !== undefined ? p - (sc ?? 0) : exact ? 1000 : 300;
  const fracMax = isInt ? 0 : exact ? (sc ?? 1000) : 300;
  const hasRange = typeof item.minimum === 'number' || typeof item.maximum === 'number';
  const min = typeof item.minimum === 'number' ? item.minimum : -Infinity;
  const max = typeof item.maximum === 'number' ? item.maximum : Infinity;
  // An absent bound stays infinite (Infinity - Infinity * 1e-9 would be NaN and refuse every value).
  const minFast = Number.isFinite(min) ? min + Math.abs(min) * 1e-9 + 1e-300 : -Infinity;
  const maxFast = Number.isFinite(max) ? max - Math.abs(max) * 1e-9 - 1e-300 : Infinity;
  return (b, s, e) => {
    let i = s;
    let neg = false;
    if (i < e && b[i] === 45) {
      neg = true;
      i++;
    }
    const d0 = i;
    let sig = 0; // significant integer digits
    let x = 0;
    for (; i < e; i++) {
      const c = b[i] - 48;
      if (c < 0 || c > 9) break;
      if (sig > 0 || c !== 0) sig++;
      x = x * 10 + c;
    }
    if (i === d0 || sig > intMax) return false;
    if (i < e) {
      if (b[i] !== 46 || fracMax === 0) return false;
      i++;
      const f0 = i;
      let lastNz = -1;
      let f = 0;
      let scale = 1;
      for (; i < e; i++) {
        const c = b[i] - 48;
        if (c < 0 || c > 9) return false;
        if (c !== 0) lastNz = i;
        if (scale < 1e17) {
          f = f * 10 + c;
          scale *= 10;
        }
      }
      if (i === f0) return false;
      if (lastNz >= 0 && lastNz - f0 + 1 > fracMax) return false;
      x += f / scale;
    }
    if (neg) x = -x;
    if (hasRange && !(x > minFast && x < maxFast)) return false;
    LAST_NUMBER[0] = x;
    return true;
  };
}

function dateAcceptor(): ByteAcceptor {
  return (b, s, e) => {
    if (e - s !== 10 || b[s + 4] !== 45 || b[s + 7] !== 45) return false;
    let y = 0;
    for (let i = s; i < s + 4; i++) {
      const c = b[i] - 48;
      if (c < 0 || c > 9) return false;
      y = y * 10 + c;
    }
    const m1 = b[s + 5] - 48;
    const m2 = b[s + 6] - 48;
    const d1 = b[s + 8] - 48;
    const d2 = b[s + 9] - 48;
    if (m1 < 0 || m1 > 9 || m2 < 0 || m2 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return false;
    return validYmd(y, m1 * 10 + m2, d1 * 10 + d2);
  };
}

/** The byte acceptor of an item, or null when every value goes through the Coercer. */
export function compileAcceptor(item: LoaderItem, raw: 'utf8' | 'gb18030' = 'utf8'): ByteAcceptor | null {
  switch (item.type) {
    case 'C':
    case 'M':
      return textAcceptor(item, raw);
    case 'N':
    case 'Y':
    case 'I':
      return numberAcceptor(item, true);
    case 'B':
    case 'F':
      return numberAcceptor(item, false);
    case 'D':
      return dateAcceptor();
    default:
      return null;
  }
}
