/**
 * Checked identifiers of Chinese public administration (see docs/domain.md):
 * 统一社会信用代码 GB 32100-2015, 居民身份证号码 GB 11643-1999, 行政区划代码 GB/T 2260,
 * mobile numbers. Each check is a pure function so ajv formats, loaders and SQL-side
 * checks can share one definition.
 */

const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character of the first 17 characters of a 统一社会信用代码, or null if they hold a character outside the code's set. */
export function usccCheckChar(first17: string): string | null {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_CHARSET.indexOf(first17[i] ?? '');
    if (v < 0) return null;
    sum += v * USCC_WEIGHTS[i];
  }
  return USCC_CHARSET[(31 - (sum % 31)) % 31];
}

export function isUscc(value: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(value)) return false;
  return usccCheckChar(value.slice(0, 17)) === value[17];
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

export function idCardCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11];
}

export function isIdCard(value: string): boolean {
  if (!/^\d{17}[\dX]$/.test(value)) return false;
  if (!isRegionCode(value.slice(0, 6))) return false;
  const y = Number(value.slice(6, 10));
  const m = Number(value.slice(10, 12));
  const d = Number(value.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) return false;
  return idCardCheckChar(value.slice(0, 17)) === value[17];
}

/** Provinces and province-level units of GB/T 2260 (the first two digits). */
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
  61, 62, 63, 64, 65, 71, 81, 82,
]);

/** A 6-digit county-level code or a 12-digit township/village code of GB/T 2260 with a valid province. */
export function isRegionCode(value: string): boolean {
  if (!/^\d{6}(\d{6})?$/.test(value)) return false;
  return PROVINCES.has(Number(value.slice(0, 2)));
}

export function isMobile(value: string): boolean {
  return /^1[3-9]\d{9}$/.test(value);
}

/** Completes 17 characters into a valid 统一社会信用代码; used by the demo and test fixtures. */
export function withUsccCheck(first17: string): string {
  const check = usccCheckChar(first17);
  if (check === null) throw new Error(`not a USCC prefix: ${first17}`);
  return first17 + check;
}

export function withIdCardCheck(first17: string): string {
  return first17 + idCardCheckChar(first17);
}
