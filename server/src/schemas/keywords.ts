/**
 * What the census validator checks beyond plain JSON Schema, as pure functions with no Node
 * import, so the server's Ajv (validator.ts) and the web app's precompiled forms
 * (web/src/features/census/) run the very same code: the four checked identifiers as formats, the
 * `x-unique-by` and `x-lte` keywords' checks, and the Chinese and English wording of a failed format.
 */
import { idCardCheckChar, isIdCard, isMobile, isRegionCode, isUscc, usccCheckChar } from '../lib/identifiers.ts';

/** The custom string formats: name → check. */
export const CUSTOM_FORMATS: Readonly<Record<string, (value: string) => boolean>> = Object.freeze({
  uscc: isUscc,
  'id-card': isIdCard,
  'region-code': isRegionCode,
  mobile: isMobile,
});

export function escapePointerSegment(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The error a keyword check reports, in Ajv's shape (without the schema path Ajv adds). */
export interface KeywordError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

function toPointerValue(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** `x-unique-by`: in an array of objects, the named property must not repeat; each repeat is an error at its own element. */
export function uniqueByErrors(property: string, data: unknown, base: string): KeywordError[] {
  if (!Array.isArray(data)) return [];
  const seen = new Map<unknown, number>();
  const errors: KeywordError[] = [];
  data.forEach((element, i) => {
    if (!element || typeof element !== 'object' || !Object.hasOwn(element, property)) return;
    const value = (element as Record<string, unknown>)[property];
    const key = typeof value === 'object' ? toPointerValue(value) : value;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      return;
    }
    errors.push({
      keyword: 'x-unique-by',
      instancePath: `${base}/${i}/${escapePointerSegment(property)}`,
      params: { property, value, duplicateOf: `${base}/${first}/${escapePointerSegment(property)}`, index: i, firstIndex: first },
      message: `must be unique: ${toPointerValue(value)} is also used at index ${first}`,
    });
  });
  return errors;
}

/** `x-lte`: for each [a, b] pair of an object's properties, a ≤ b when both are numbers. */
export function lteErrors(pairs: [string, string][], data: unknown, base: string): KeywordError[] {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return [];
  const obj = data as Record<string, unknown>;
  const errors: KeywordError[] = [];
  for (const [a, b] of pairs) {
    const x = obj[a];
    const y = obj[b];
    if (typeof x === 'number' && typeof y === 'number' && x > y) {
      errors.push({
        keyword: 'x-lte',
        instancePath: `${base}/${escapePointerSegment(a)}`,
        params: { property: a, limitProperty: b, value: x, limit: y },
        message: `must be <= ${b} (${y})`,
      });
    }
  }
  return errors;
}

export type RuleMessage = { zh: string; en: string };

/** What a value of each format must be. */
export const FORMAT_TEXT: Readonly<Record<string, RuleMessage>> = {
  uscc: { en: 'a unified social credit code (GB 32100: 18 characters with a valid check character)', zh: '有效的统一社会信用代码（GB 32100：18 位，校验位正确）' },
  'id-card': {
    en: 'a resident ID card number (GB 11643: 18 characters with a valid region, birth date and check digit)',
    zh: '有效的居民身份证号码（GB 11643：18 位，地区码、出生日期和校验位正确）',
  },
  'region-code': { en: 'an administrative division code (GB/T 2260: 6 or 12 digits of a valid province)', zh: '有效的行政区划代码（GB/T 2260：6 位或 12 位）' },
  mobile: { en: 'a mobile number (11 digits starting with 1)', zh: '有效的手机号码（11 位，以 1 开头）' },
  date: { en: 'a date YYYY-MM-DD', zh: '有效日期（YYYY-MM-DD）' },
  'date-time': { en: 'a date-time (RFC 3339)', zh: '有效的日期时间（RFC 3339）' },
  email: { en: 'an e-mail address', zh: '有效的电子邮箱地址' },
  uri: { en: 'an absolute URI', zh: '有效的网址（URI）' },
  regex: { en: 'a valid regular expression', zh: '有效的正则表达式' },
};

/**
 * A failed format in one sentence, in both languages ("应为有效的统一社会信用代码（…）：校验位错误，应为 5"):
 * the API's own fields (lib/zod-fields.ts) and the administrator's forms word it as the census forms do.
 */
export function formatProblem(format: string, value: string): RuleMessage {
  const text = FORMAT_TEXT[format] ?? { en: `format "${format}"`, zh: `格式“${format}”` };
  const detail = formatDetail(format, value);
  return { en: `must be ${text.en}` + (detail ? `: ${detail.en}` : ''), zh: `应为${text.zh}` + (detail ? `：${detail.zh}` : '') };
}

/** A more precise reason why an identifier fails its format, when one can be given. */
export function formatDetail(format: string, value: unknown): RuleMessage | undefined {
  if (typeof value !== 'string') return undefined;
  if (format === 'uscc') {
    if (value.length !== 18) return { en: `has ${value.length} characters, not 18`, zh: `长度为 ${value.length} 位，应为 18 位` };
    if (/[a-z]/.test(value)) return { en: 'letters must be upper case', zh: '字母须大写' };
    if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}/.test(value))
      return { en: 'characters 1–2 must be registration codes and 3–8 digits', zh: '第 1–2 位应为登记管理部门和机构类别代码，第 3–8 位应为数字' };
    const check = usccCheckChar(value.slice(0, 17));
    if (check === null) return { en: 'contains characters outside the code set (I, O, S, V, Z are not used)', zh: '含有非法字符（不使用 I、O、S、V、Z）' };
    if (check !== value[17]) return { en: `wrong check character: expected ${check}`, zh: `校验位错误，应为 ${check}` };
  }
  if (format === 'id-card') {
    if (!/^\d{17}[\dX]$/.test(value)) return { en: 'must be 17 digits followed by a digit or X', zh: '应为 17 位数字加 1 位数字或 X' };
    if (!isRegionCode(value.slice(0, 6))) return { en: 'invalid region code in characters 1–6', zh: '前 6 位行政区划代码无效' };
    const y = Number(value.slice(6, 10));
    const m = Number(value.slice(10, 12));
    const d = Number(value.slice(12, 14));
    const birth = new Date(Date.UTC(y, m - 1, d));
    if (y < 1900 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d)
      return { en: `invalid birth date ${value.slice(6, 14)}`, zh: `出生日期 ${value.slice(6, 14)} 无效` };
    const check = idCardCheckChar(value.slice(0, 17));
    if (check !== value[17]) return { en: `wrong check digit: expected ${check}`, zh: `校验位错误，应为 ${check}` };
  }
  return undefined;
}
