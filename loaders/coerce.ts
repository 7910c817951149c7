/**
 * Per-item coercion and validation. Each item compiles to a `Coercer`: a function from the text of a
 * non-empty value to either the text PostgreSQL's COPY will accept for the item's column type (the same
 * string when the input is already canonical, so CSV records can be passed through byte for byte), or a
 * `Fail` naming the rule that was broken. Empty values (null) are handled by the caller.
 */
import { isIdCard } from '../server/src/lib/identifiers.ts';
import type { LoaderItem, RejectRule } from './types.ts';

export class Fail {
  constructor(
    readonly rule: RejectRule,
    readonly message: string,
  ) {}
}

export type Coercer = (s: string) => string | Fail;

// Table-driven versions of the identifier checks for the hot path; test/unit/loaders-coerce.test.ts
// proves them equal to server/src/lib/identifiers.ts on random and mutated inputs.
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const USCC_VAL = new Int8Array(128).fill(-1);
for (let i = 0; i < USCC_CHARSET.length; i++) USCC_VAL[USCC_CHARSET.charCodeAt(i)] = i;

export function fastIsUscc(s: string): boolean {
  if (s.length !== 18) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? USCC_VAL[c] : -1;
    if (v < 0 || (i >= 2 && i < 8 && v > 9)) return false;
    sum += v * USCC_WEIGHTS[i];
  }
  const c = s.charCodeAt(17);
  const v = c < 128 ? USCC_VAL[c] : -1;
  return v >= 0 && v === (31 - (sum % 31)) % 31;
}

export function fastIsMobile(s: string): boolean {
  if (s.length !== 11 || s.charCodeAt(0) !== 49) return false;
  const c1 = s.charCodeAt(1);
  if (c1 < 51 || c1 > 57) return false;
  for (let i = 2; i < 11; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const PROVINCE = new Uint8Array(100);
for (const p of [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82])
  PROVINCE[p] = 1;

export function fastIsRegionCode(s: string): boolean {
  const n = s.length;
  if (n !== 6 && n !== 12) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return PROVINCE[(s.charCodeAt(0) - 48) * 10 + s.charCodeAt(1) - 48] === 1;
}

const CHECKS: Record<string, { fn: (v: string) => boolean; what: string }> = {
  uscc: { fn: fastIsUscc, what: '统一社会信用代码 (GB 32100: 18 characters with a valid check character)' },
  'id-card': { fn: isIdCard, what: '居民身份证号码 (GB 11643: region, birth date and check digit)' },
  'region-code': { fn: fastIsRegionCode, what: '行政区划代码 (GB/T 2260: 6 or 12 digits with a valid province)' },
  mobile: { fn: fastIsMobile, what: 'mobile number (11 digits starting with 13-19)' },
};

export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

function show(s: string): string {
  return s.length > 40 ? JSON.stringify(s.slice(0, 40) + '…') : JSON.stringify(s);
}

// ---------------------------------------------------------------------------------------------------------
// Decimal numbers (exact)

/** A parsed decimal: sign, integer digits without leading zeros, fraction digits without trailing zeros. */
export interface Decimal {
  neg: boolean;
  int: string;
  frac: string;
}

const FULLWIDTH = /[\uff10-\uff19\uff0b\uff0d\uff0e\uff0c\u3000\uffe5]/g;
function halfwidth(s: string): string {
  return s.replace(FULLWIDTH, (c) => {
    const code = c.charCodeAt(0);
    if (code >= 0xff10 && code <= 0xff19) return String.fromCharCode(code - 0xff10 + 48);
    if (c === '\uff0b') return '+';
    if (c === '\uff0d') return '-';
    if (c === '\uff0e') return '.';
    if (c === '\uff0c') return ',';
    if (c === '\uffe5') return '¥';
    return ' ';
  });
}

const DECIMAL_RE = /^([+-]?)[¥$]?([+-]?)(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;

/** Parses decimal text leniently (whitespace, +, full-width digits, ¥/$, thousands separators, exponent). */
export function parseDecimal(input: string): Decimal | null {
  const s = halfwidth(input).trim();
  const m = DECIMAL_RE.exec(s);
  if (!m) return null;
  if (m[1] && m[2]) return null;
  const sign = m[1] || m[2];
  let int = m[3].replace(/,/g, '');
  let frac = m[4] ?? '';
  if (int === '' && frac === '') return null;
  if (m[5] !== undefined) {
    const e = Number(m[5]);
    if (e > 0) {
      const take = frac.slice(0, e);
      int = int + take + '0'.repeat(Math.max(0, e - frac.length));
      frac = frac.slice(e);
    } else if (e < 0) {
      const k = -e;
      const pad = '0'.repeat(Math.max(0, k - int.length));
      const all = pad + int;
      frac = all.slice(all.length - k) + frac;
      int = all.slice(0, all.length - k);
    }
  }
  int = int.replace(/^0+/, '');
  frac = frac.replace(/0+$/, '');
  const neg = sign === '-' && (int !== '' || frac !== '');
  return { neg, int, frac };
}

export function decimalText(d: Decimal): string {
  return (d.neg ? '-' : '') + (d.int || '0') + (d.frac ? '.' + d.frac : '');
}

/** Compares two decimals exactly. */
export function compareDecimal(a: Decimal, b: Decimal): number {
  if (a.neg !== b.neg) return a.neg ? -1 : 1;
  const sign = a.neg ? -1 : 1;
  if (a.int.length !== b.int.length) return (a.int.length < b.int.length ? -1 : 1) * sign;
  if (a.int !== b.int) return (a.int < b.int ? -1 : 1) * sign;
  const n = Math.max(a.frac.length, b.frac.length);
  const fa = a.frac.padEnd(n, '0');
  const fb = b.frac.padEnd(n, '0');
  if (fa === fb) return 0;
  return (fa < fb ? -1 : 1) * sign;
}

/** The exact decimal written by the shortest round-trip text of a JS number (what a schema author typed). */
function boundDecimal(n: number): Decimal {
  const d = parseDecimal(String(n));
  if (!d) throw new Error(`bad bound ${n}`);
  return d;
}

const INT4_MAX = { neg: false, int: '2147483647', frac: '' };
const INT4_MIN = { neg: true, int: '2147483648', frac: '' };
const INT8_MAX = { neg: false, int: '9223372036854775807', frac: '' };
const INT8_MIN = { neg: true, int: '9223372036854775808', frac: '' };

// ---------------------------------------------------------------------------------------------------------
// Dates and times

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export function validYmd(y: number, m: number, d: number): boolean {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  return d <= (m === 2 && isLeap(y) ? 29 : MONTH_DAYS[m - 1]);
}
function p2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}
function p4(n: number): string {
  return String(n).padStart(4, '0');
}

/** Excel serial day (1900 date system, with Excel's phantom 1900-02-29 = 60) to [y, m, d]. */
export function excelSerialToYmd(serial: number): [number, number, number] | null {
  if (!Number.isInteger(serial) || serial < 1 || serial > 2958465 || serial === 60) return null;
  const days = serial < 60 ? serial - 1 : serial - 2; // days after 1900-01-01
  const t = new Date(Date.UTC(1900, 0, 1) + days * 86400000);
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
}

const DATE_SEP_RE = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T\s]+0{1,2}[:时]0{1,2}(?:[:分]0{1,2}(?:\.0+)?秒?)?)?$/;
const DATE_COMPACT_RE = /^(\d{4})(\d{2})(\d{2})$/;
const SERIAL_RE = /^\d{1,7}(?:\.0+)?$/;

/** Parses a date in the accepted forms to `YYYY-MM-DD`, or null. */
export function parseDate(input: string): string | null {
  const s = input.trim();
  let y: number, m: number, d: number;
  let r = DATE_SEP_RE.exec(s);
  if (r) {
    y = +r[1];
    m = +r[2];
    d = +r[3];
  } else if ((r = DATE_COMPACT_RE.exec(s))) {
    y = +r[1];
    m = +r[2];
    d = +r[3];
  } else if (SERIAL_RE.test(s)) {
    const ymd = excelSerialToYmd(Math.trunc(Number(s)));
    if (!ymd) return null;
    [y, m, d] = ymd;
  } else return null;
  if (!validYmd(y, m, d)) return null;
  return p4(y) + '-' + p2(m) + '-' + p2(d);
}

const DATETIME_RE =
  /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:(?:[T\s]+|(?=\d))(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})(?:\.(\d{1,9}))?\s*秒?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DATETIME_COMPACT_RE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/;
const SERIAL_TIME_RE = /^\d{1,7}(?:\.\d+)?$/;

/** Time zone of naive date-times. */
export const DEFAULT_TIME_ZONE_OFFSET = '+08:00'; // Asia/Shanghai (no daylight saving since 1991)

/** Parses a date-time; naive values are Asia/Shanghai. Returns `YYYY-MM-DD HH:MM:SS[.f]+HH:MM`, or null. */
export function parseDateTime(input: string): string | null {
  const s = input.trim();
  let y: number, mo: number, d: number, h = 0, mi = 0, se = 0;
  let frac = '';
  let zone = DEFAULT_TIME_ZONE_OFFSET;
  let r = DATETIME_RE.exec(s);
  if (r) {
    y = +r[1];
    mo = +r[2];
    d = +r[3];
    if (r[4] !== undefined) {
      h = +r[4];
      mi = +r[5];
      if (r[6] !== undefined) se = +r[6];
      if (r[7] !== undefined) frac = r[7];
    }
    if (r[8] !== undefined) {
      const z = r[8].toUpperCase();
      if (z === 'Z') zone = '+00:00';
      else {
        const zh = +z.slice(1, 3);
        const zm = z.length > 3 ? +z.slice(-2) : 0;
        if (zh > 14 || zm > 59) return null;
        zone = z[0] + p2(zh) + ':' + p2(zm);
      }
    }
  } else if ((r = DATETIME_COMPACT_RE.exec(s))) {
    y = +r[1];
    mo = +r[2];
    d = +r[3];
    h = +r[4];
    mi = +r[5];
    se = r[6] !== undefined ? +r[6] : 0;
  } else if (SERIAL_TIME_RE.test(s)) {
    const v = Number(s);
    const day = Math.floor(v);
    const ymd = excelSerialToYmd(day);
    if (!ymd) return null;
    [y, mo, d] = ymd;
    let ms = Math.round((v - day) * 86400000);
    if (ms >= 86400000) return null;
    h = Math.floor(ms / 3600000);
    ms -= h * 3600000;
    mi = Math.floor(ms / 60000);
    ms -= mi * 60000;
    se = Math.floor(ms / 1000);
    ms -= se * 1000;
    frac = ms ? String(ms).padStart(3, '0') : '';
  } else return null;
  if (!validYmd(y, mo, d) || h > 23 || mi > 59 || se > 59) return null;
  return p4(y) + '-' + p2(mo) + '-' + p2(d) + ' ' + p2(h) + ':' + p2(mi) + ':' + p2(se) + (frac ? '.' + frac : '') + zone;
}

// ---------------------------------------------------------------------------------------------------------
// Booleans and binary

const TRUE = new Set(['是', '真', '对', 'true', 't', 'yes', 'y', '1', 'on']);
const FALSE = new Set(['否', '假', '错', 'false', 'f', 'no', 'n', '0', 'off']);

const HEX_RE = /^\\x(?:[0-9a-fA-F]{2})*$/;
const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// ---------------------------------------------------------------------------------------------------------

/** Checks shared by text-valued items (C, M and the text forms of others). */
function textChecks(item: LoaderItem, nulChecked: boolean): Coercer {
  const max = item.length && item.length > 0 ? item.length : undefined;
  const en = item.enum && item.enum.length ? new Set(item.enum) : undefined;
  const re = item.pattern ? new RegExp(item.pattern, 'u') : undefined;
  const check = item.check ? CHECKS[item.check] : undefined;
  if (item.check && !check) throw new Error(`item ${item.name}: unknown check ${item.check}`);
  const checkRule = item.check as RejectRule;
  const enumList = item.enum ? item.enum.slice(0, 12).join('/') + (item.enum.length > 12 ? '/…' : '') : '';
  return (s: string) => {
    if (max !== undefined && s.length > max) {
      const n = codePointLength(s);
      if (n > max) return new Fail('length', `${n} characters, at most ${max} allowed`);
    }
    if (!nulChecked && s.indexOf('\0') >= 0) return new Fail('type', 'contains a NUL byte');
    if (en !== undefined && !en.has(s)) return new Fail('enum', `${show(s)} is not one of ${enumList}`);
    if (check !== undefined && !check.fn(s)) return new Fail(checkRule, `${show(s)} is not a valid ${check.what}`);
    if (re !== undefined && !re.test(s)) return new Fail('pattern', `${show(s)} does not match /${item.pattern}/`);
    return s;
  };
}

/** Range check against minimum/maximum, exact for decimals. Returns null when in range. */
function rangeChecker(item: LoaderItem, exact: boolean): ((x: number, d: Decimal | null, s: string) => Fail | null) | null {
  const hasMin = typeof item.minimum === 'number';
  const hasMax = typeof item.maximum === 'number';
  if (!hasMin && !hasMax) return null;
  const min = hasMin ? (item.minimum as number) : -Infinity;
  const max = hasMax ? (item.maximum as number) : Infinity;
  const minD = hasMin && exact ? boundDecimal(min) : null;
  const maxD = hasMax && exact ? boundDecimal(max) : null;
  // Values clearly inside the range (by more than float error) skip the exact comparison.
  const minFast = hasMin ? min + Math.abs(min) * 1e-9 + 1e-300 : -Infinity;
  const maxFast = hasMax ? max - Math.abs(max) * 1e-9 - 1e-300 : Infinity;
  return (x, d, s) => {
    if (x > minFast && x < maxFast) return null;
    if (exact && d) {
      if (minD && compareDecimal(d, minD) < 0) return new Fail('minimum', `${s} is less than the minimum ${min}`);
      if (maxD && compareDecimal(d, maxD) > 0) return new Fail('maximum', `${s} is greater than the maximum ${max}`);
      return null;
    }
    if (x < min) return new Fail('minimum', `${s} is less than the minimum ${min}`);
    if (x > max) return new Fail('maximum', `${s} is greater than the maximum ${max}`);
    return null;
  };
}

/** Exact numbers: N (numeric), Y (money), I (integer). */
function numericCoercer(item: LoaderItem): Coercer {
  const type = item.type;
  const p = numericPrecision(item);
  const sc = numericScale(item);
  const intMax = p !== undefined ? p - (sc ?? 0) : undefined;
  const isInt = type === 'I';
  const int4 = isInt && integerIsInt4(item);
  const range = rangeChecker(item, true);
  const en = item.enum && item.enum.length ? item.enum.map((e) => parseDecimal(e)).filter((d): d is Decimal => d !== null) : null;
  const what = type === 'Y' ? 'an amount of money' : isInt ? 'an integer' : 'a number';

  const finish = (s: string, d: Decimal, out: string, x: number): string | Fail => {
    if (isInt) {
      if (d.frac) return new Fail('type', `${show(s)} is not ${what}`);
      if (compareDecimal(d, int4 ? INT4_MAX : INT8_MAX) > 0 || compareDecimal(d, int4 ? INT4_MIN : INT8_MIN) < 0)
        return new Fail('maximum', `${s} is out of range for ${int4 ? 'a 32-bit' : 'a 64-bit'} integer`);
      if (intMax !== undefined && d.int.length > intMax) return new Fail('precision', `${s} has more than ${intMax} digits`);
    } else {
      if (sc !== undefined && d.frac.length > sc) return new Fail('scale', `${s} has more than ${sc} decimal places`);
      if (intMax !== undefined && d.int.length > intMax)
        return new Fail('precision', `${s} has more than ${intMax} digits before the decimal point`);
    }
    if (range) {
      const f = range(x, d, s.trim());
      if (f) return f;
    }
    if (en && !en.some((e) => compareDecimal(e, d) === 0)) return new Fail('enum', `${s} is not one of ${item.enum!.join('/')}`);
    return out;
  };

  return (s: string) => {
    // Fast path: -?digits(.digits)? is accepted by numeric_in as is.
    const n = s.length;
    let i = 0;
    let neg = false;
    if (n > 0 && s.charCodeAt(0) === 45) {
      neg = true;
      i = 1;
    }
    let lead = i;
    while (lead < n - 1 && s.charCodeAt(lead) === 48 && s.charCodeAt(lead + 1) !== 46) lead++;
    let j = lead;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (c < 48 || c > 57) break;
      j++;
    }
    let ok = j > i;
    let fracEnd = j;
    let intEnd = j;
    if (ok && j < n) {
      if (s.charCodeAt(j) === 46 && j + 1 < n) {
        let k = j + 1;
        while (k < n) {
          const c = s.charCodeAt(k);
          if (c < 48 || c > 57) break;
          k++;
        }
        if (k !== n) ok = false;
        else {
          fracEnd = n;
          while (fracEnd > j + 1 && s.charCodeAt(fracEnd - 1) === 48) fracEnd--;
        }
      } else ok = false;
    }
    if (ok) {
      let int = s.slice(lead, intEnd);
      if (int === '0') int = '';
      const frac = fracEnd > intEnd + 1 ? s.slice(intEnd + 1, fracEnd) : '';
      const d: Decimal = { neg: neg && (int !== '' || frac !== ''), int, frac };
      // integers given as 12.00 are rewritten to 12 (int4/int8 input does not accept a fraction)
      return finish(s, d, isInt && intEnd !== n ? decimalText(d) : s, range ? Number(s) : 0);
    }
    const d = parseDecimal(s);
    if (!d) return new Fail('type', `${show(s)} is not ${what}`);
    const out = decimalText(d);
    return finish(s, d, out, range ? Number(out) : 0);
  };
}

const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** -?digits(.digits)? */
function isPlainFloat(s: string): boolean {
  const n = s.length;
  let i = n > 0 && s.charCodeAt(0) === 45 ? 1 : 0;
  const d0 = i;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  if (i === d0) return false;
  if (i === n) return true;
  if (s.charCodeAt(i) !== 46) return false;
  i++;
  const f0 = i;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
    i++;
  }
  return i > f0;
}

/** Approximate numbers: B (double precision), F (float). */
function floatCoercer(item: LoaderItem): Coercer {
  const range = rangeChecker(item, false);
  return (s: string) => {
    let out = s;
    let x: number;
    if (isPlainFloat(s) || FLOAT_RE.test(s)) x = Number(s);
    else {
      const d = parseDecimal(s);
      if (!d) return new Fail('type', `${show(s)} is not a number`);
      out = decimalText(d);
      x = Number(out);
    }
    if (!Number.isFinite(x)) return new Fail('type', `${show(s)} is out of range for double precision`);
    if (x === 0 && /[1-9]/.test(out.replace(/[eE].*$/, ''))) return new Fail('type', `${show(s)} is too small for double precision`);
    if (range) {
      const f = range(x, null, s.trim());
      if (f) return f;
    }
    return out;
  };
}

/** The number written by s[from..to) if all digits, else -1. */
function digits(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function dateCoercer(item: LoaderItem): Coercer {
  const range = dateRange(item);
  return (s: string) => {
    // Fast path: YYYY-MM-DD
    let out: string | null = null;
    if (s.length === 10 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
      const y = digits(s, 0, 4);
      const m = digits(s, 5, 7);
      const d = digits(s, 8, 10);
      if (y >= 0 && m >= 0 && d >= 0 && validYmd(y, m, d)) out = s;
    }
    if (out === null) out = parseDate(s);
    if (out === null) return new Fail('type', `${show(s)} is not a date (2024-01-05, 2024/1/5, 2024年1月5日 or an Excel serial day)`);
    if (range) {
      const f = range(out, s);
      if (f) return f;
    }
    return out;
  };
}

/** minimum/maximum on dates are not part of the item schema (numbers); dates accept no range. */
function dateRange(_item: LoaderItem): ((v: string, s: string) => Fail | null) | null {
  return null;
}

function dateTimeCoercer(_item: LoaderItem): Coercer {
  return (s: string) => {
    const out = parseDateTime(s);
    if (out === null) return new Fail('type', `${show(s)} is not a date-time (e.g. 2024-01-05 08:30:00, optionally with a time zone)`);
    return out;
  };
}

function boolCoercer(_item: LoaderItem): Coercer {
  return (s: string) => {
    const v = s.trim().toLowerCase();
    if (TRUE.has(v)) return 't';
    if (FALSE.has(v)) return 'f';
    return new Fail('type', `${show(s)} is not a boolean (是/否, true/false, 1/0, Y/N)`);
  };
}

function binaryCoercer(item: LoaderItem): Coercer {
  const max = item.length && item.length > 0 ? item.length : undefined;
  return (s: string) => {
    let out: string;
    let bytes: number;
    if (s.startsWith('\\x')) {
      if (!HEX_RE.test(s)) return new Fail('type', `${show(s)} is not \\x-prefixed hexadecimal`);
      out = s;
      bytes = (s.length - 2) / 2;
    } else {
      const t = s.replace(/\s+/g, '');
      if (!B64_RE.test(t)) return new Fail('type', `${show(s)} is not base64 (or \\x-prefixed hexadecimal)`);
      const b = Buffer.from(t, 'base64');
      out = '\\x' + b.toString('hex');
      bytes = b.length;
    }
    if (max !== undefined && bytes > max) return new Fail('length', `${bytes} bytes, at most ${max} allowed`);
    return out;
  };
}

/** `nulChecked`: the caller has already rejected values with NUL characters (the CSV scanner does). */
export function compileCoercer(item: LoaderItem, nulChecked = false): Coercer {
  switch (item.type) {
    case 'C':
    case 'M':
      return textChecks(item, nulChecked);
    case 'N':
    case 'Y':
    case 'I':
      return numericCoercer(item);
    case 'B':
    case 'F':
      return floatCoercer(item);
    case 'D':
      return dateCoercer(item);
    case 'T':
      return dateTimeCoercer(item);
    case 'L':
      return boolCoercer(item);
    case 'G':
      return binaryCoercer(item);
    default:
      throw new Error(`item ${(item as LoaderItem).name}: unknown type ${(item as LoaderItem).type}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// PostgreSQL column types

export function numericPrecision(item: LoaderItem): number | undefined {
  if (item.type === 'Y') return Math.min(item.length ?? 19, 1000);
  if (item.type === 'N' || item.type === 'I') return item.length && item.length > 0 ? Math.min(item.length, 1000) : undefined;
  return undefined;
}
export function numericScale(item: LoaderItem): number | undefined {
  if (item.type === 'Y') return item.scale ?? 4;
  if (item.type === 'N') return item.scale ?? (item.length ? 0 : undefined);
  return undefined;
}
function integerIsInt4(item: LoaderItem): boolean {
  return item.length !== undefined && item.length > 0 && item.length <= 9;
}

/** The PostgreSQL column type of an item. */
export function pgType(item: LoaderItem): string {
  switch (item.type) {
    case 'C':
      return item.length && item.length > 0 ? `varchar(${Math.min(item.length, 10485760)})` : 'text';
    case 'M':
      return 'text';
    case 'N': {
      const p = numericPrecision(item);
      const s = numericScale(item);
      if (p === undefined) return 'numeric';
      return `numeric(${p},${Math.min(s ?? 0, p)})`;
    }
    case 'Y': {
      const p = numericPrecision(item)!;
      return `numeric(${p},${Math.min(numericScale(item)!, p)})`;
    }
    case 'I':
      return integerIsInt4(item) ? 'integer' : 'bigint';
    case 'B':
    case 'F':
      return 'double precision';
    case 'D':
      return 'date';
    case 'T':
      return 'timestamptz';
    case 'L':
      return 'boolean';
    case 'G':
      return 'bytea';
    default:
      throw new Error(`item ${(item as LoaderItem).name}: unknown type ${(item as LoaderItem).type}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Values from typed formats (JSON, Arrow, xlsx)

/** A JSON number kept as its source text (exact). */
export class JsonNumber {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A nested JSON value, kept as its text. */
export class RawJson {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A date-time with no time zone (xlsx cells, Arrow timestamps without a zone): wall-clock fields in UTC. */
export class NaiveDateTime {
  constructor(readonly date: Date) {}
}

function isoNaive(d: Date): string {
  const ms = d.getUTCMilliseconds();
  return (
    p4(d.getUTCFullYear()) +
    '-' +
    p2(d.getUTCMonth() + 1) +
    '-' +
    p2(d.getUTCDate()) +
    ' ' +
    p2(d.getUTCHours()) +
    ':' +
    p2(d.getUTCMinutes()) +
    ':' +
    p2(d.getUTCSeconds()) +
    (ms ? '.' + String(ms).padStart(3, '0') : '')
  );
}

function numberText(n: number): string {
  return Number.isFinite(n) ? String(n) : n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN';
}

/**
 * Text form of a typed value for an item, or null for null. Dates are instants (rendered in UTC with Z)
 * unless wrapped in NaiveDateTime; for D items only the calendar day counts.
 */
export function valueText(item: LoaderItem, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (item.type === 'L') return v === 1 ? 't' : v === 0 ? 'f' : numberText(v);
    return numberText(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof JsonNumber) return v.text;
  if (v instanceof RawJson) return v.text;
  if (v instanceof NaiveDateTime) {
    if (item.type === 'D') return isoNaive(v.date).slice(0, 10);
    return isoNaive(v.date);
  }
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return 'Invalid Date';
    if (item.type === 'D') return isoNaive(v).slice(0, 10);
    return isoNaive(v).replace(' ', 'T') + 'Z';
  }
  if (v instanceof Uint8Array) {
    if (item.type === 'G') return '\\x' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
    return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  }
  return JSON.stringify(v);
}
