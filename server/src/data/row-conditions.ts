/**
 * Values compared with resource items, and the row conditions of grants, as the data layer
 * reads them: one check of a value against an item's type and one SQL form of a row condition,
 * used by row queries, shared reads, grant approval and verification alike.
 */
import { text, type Bilingual } from '../http/errors.ts';
import { quoteIdent } from '../lib/sql.ts';

/** A condition on rows, on an item name (a grant's row filter is an AND of them). Values are strings, as in query strings. */
export interface RowCondition {
  column: string;
  op: 'eq' | 'in';
  value: string | string[];
}

export interface ItemInfo {
  name: string;
  label?: string;
  type: string;
  mask?: string | null;
  sensitivity?: string | null;
}

/** Why a value does not fit an item's data type (GB/T 21063 type letters), or null when it fits. */
export function badValue(item: ItemInfo, v: string): Bilingual | null {
  const n = item.name;
  switch (item.type) {
    case 'I':
      return /^-?\d{1,18}$/.test(v) ? null : text(`${n} 的值是整数，"${v}" 不是整数`, `${n} holds whole numbers; "${v}" is not one`);
    case 'N':
    case 'Y':
      return /^-?\d+(\.\d+)?$/.test(v) ? null : text(`${n} 的值是小数，"${v}" 不是小数`, `${n} holds decimal numbers; "${v}" is not one`);
    case 'B':
    case 'F':
      return v.trim() !== '' && Number.isFinite(Number(v)) ? null : text(`${n} 的值是数字，"${v}" 不是数字`, `${n} holds numbers; "${v}" is not one`);
    case 'D': {
      const ok = /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
      return ok ? null : text(`${n} 的值是日期（YYYY-MM-DD），"${v}" 不是日期`, `${n} holds dates (YYYY-MM-DD); "${v}" is not one`);
    }
    case 'T':
      return /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(v) && !Number.isNaN(Date.parse(v))
        ? null
        : text(`${n} 的值是日期时间（ISO 8601），"${v}" 不是日期时间`, `${n} holds date-times (ISO 8601); "${v}" is not one`);
    case 'L':
      return ['true', 'false'].includes(v) ? null : text(`${n} 的值是 true 或 false，"${v}" 都不是`, `${n} holds true or false; "${v}" is neither`);
    case 'G':
      return text(`${n} 是二进制数据，不能比较`, `${n} holds binary data and cannot be compared`);
    default:
      return null;
  }
}

const NOT_DECIMAL = text('不是小数', 'is not a decimal number');
const INT4 = 2147483647n;
const INT8 = 9223372036854775807n;

function validDate(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v);
}

/**
 * Why a value in text cannot be cast to a column's PostgreSQL type (loaders/coerce.ts `pgType`),
 * or null when the cast succeeds: what the database would refuse with an error — a number out of
 * the column's range, a date that does not exist, a NUL byte — is refused before it is sent.
 * Takes the text forms PostgreSQL itself writes (`::text`), which keyset cursors carry.
 */
export function castProblem(cast: string, v: string): Bilingual | null {
  if (v.includes('\0')) return text('含有 NUL 字符', 'holds a NUL byte');
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(cast);
  if (numeric) {
    const m = /^[-+]?(\d+)(\.\d+)?$/.exec(v);
    if (!m) return NOT_DECIMAL;
    const before = Number(numeric[1]) - Number(numeric[2]);
    return m[1].replace(/^0+/, '').length > before ? text(`整数部分超过 ${before} 位`, `has more than ${before} digits before the decimal point`) : null;
  }
  switch (cast) {
    case 'numeric':
      return /^[-+]?\d{1,1000}(\.\d{1,1000})?$/.test(v) || v === 'NaN' ? null : NOT_DECIMAL;
    case 'integer':
    case 'bigint': {
      if (!/^[-+]?\d{1,30}$/.test(v)) return text('不是整数', 'is not a whole number');
      const n = BigInt(v);
      const max = cast === 'integer' ? INT4 : INT8;
      return n > max || n < -max - 1n ? text(`超出该列的取值范围（${cast}）`, `is out of the range of the column (${cast})`) : null;
    }
    case 'double precision':
      return Number.isFinite(Number(v)) && v.trim() !== '' ? null : ['NaN', 'Infinity', '-Infinity'].includes(v) ? null : text('不是数字', 'is not a number');
    case 'date':
      return validDate(v) || v === 'infinity' || v === '-infinity' ? null : text('不是日期（YYYY-MM-DD）', 'is not a date (YYYY-MM-DD)');
    case 'timestamptz': {
      if (v === 'infinity' || v === '-infinity') return null;
      const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2}){0,2})?$/.exec(v);
      return m && validDate(m[1]) && Number(m[2]) < 24 && Number(m[3]) < 60 ? null : text('不是日期时间（ISO 8601）', 'is not a date-time (ISO 8601)');
    }
    case 'boolean':
      return v === 'true' || v === 'false' ? null : text('不是 true 或 false', 'is not true or false');
    case 'tid':
      return /^\(\d{1,10},\d{1,5}\)$/.test(v) ? null : text('不是行位置', 'is not a row position');
    case 'bytea':
      return /^\\x([0-9a-f]{2})*$/.test(v) ? null : text('不是二进制数据', 'is not binary data');
    default:
      return null;
  }
}

/**
 * The SQL condition of a row filter (`true` when it is empty) with its bindings, for knex
 * `whereRaw(sql, bindings)`. `qualifier` is an already-quoted table alias.
 */
export function rowFilterSql(filter: readonly RowCondition[], qualifier?: string): { sql: string; bindings: string[] } {
  if (filter.length === 0) return { sql: 'true', bindings: [] };
  const parts: string[] = [];
  const bindings: string[] = [];
  for (const c of filter) {
    const col = (qualifier ? `${qualifier}.` : '') + quoteIdent(c.column);
    if (c.op === 'eq') {
      parts.push(`${col} = ?`);
      bindings.push(c.value as string);
    } else {
      const values = c.value as string[];
      parts.push(`${col} in (${values.map(() => '?').join(', ')})`);
      bindings.push(...values);
    }
  }
  return { sql: parts.map((p) => `(${p})`).join(' and '), bindings };
}
