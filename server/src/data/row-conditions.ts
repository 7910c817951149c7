/**
 * Values compared with resource items, and the row conditions of grants, as the data layer
 * reads them: one check of a value against an item's type and one SQL form of a row condition,
 * used by row queries, shared reads, grant approval and verification alike.
 */
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
export function badValue(item: ItemInfo, v: string): string | null {
  switch (item.type) {
    case 'I':
      return /^-?\d{1,18}$/.test(v) ? null : `${item.name} holds whole numbers; "${v}" is not one`;
    case 'N':
    case 'Y':
      return /^-?\d+(\.\d+)?$/.test(v) ? null : `${item.name} holds decimal numbers; "${v}" is not one`;
    case 'B':
    case 'F':
      return v.trim() !== '' && Number.isFinite(Number(v)) ? null : `${item.name} holds numbers; "${v}" is not one`;
    case 'D': {
      const ok = /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
      return ok ? null : `${item.name} holds dates (YYYY-MM-DD); "${v}" is not one`;
    }
    case 'T':
      return /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(v) && !Number.isNaN(Date.parse(v))
        ? null
        : `${item.name} holds date-times (ISO 8601); "${v}" is not one`;
    case 'L':
      return ['true', 'false'].includes(v) ? null : `${item.name} holds true or false; "${v}" is neither`;
    case 'G':
      return `${item.name} holds binary data and cannot be compared`;
    default:
      return null;
  }
}

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
export function castProblem(cast: string, v: string): string | null {
  if (v.includes('\0')) return 'holds a NUL byte';
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(cast);
  if (numeric) {
    const m = /^[-+]?(\d+)(\.\d+)?$/.exec(v);
    if (!m) return 'is not a decimal number';
    const before = Number(numeric[1]) - Number(numeric[2]);
    return m[1].replace(/^0+/, '').length > before ? `has more than ${before} digits before the decimal point` : null;
  }
  switch (cast) {
    case 'numeric':
      return /^[-+]?\d{1,1000}(\.\d{1,1000})?$/.test(v) || v === 'NaN' ? null : 'is not a decimal number';
    case 'integer':
    case 'bigint': {
      if (!/^[-+]?\d{1,30}$/.test(v)) return 'is not a whole number';
      const n = BigInt(v);
      const max = cast === 'integer' ? INT4 : INT8;
      return n > max || n < -max - 1n ? `is out of the range of the column (${cast})` : null;
    }
    case 'double precision':
      return Number.isFinite(Number(v)) && v.trim() !== '' ? null : ['NaN', 'Infinity', '-Infinity'].includes(v) ? null : 'is not a number';
    case 'date':
      return validDate(v) || v === 'infinity' || v === '-infinity' ? null : 'is not a date (YYYY-MM-DD)';
    case 'timestamptz': {
      if (v === 'infinity' || v === '-infinity') return null;
      const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2}){0,2})?$/.exec(v);
      return m && validDate(m[1]) && Number(m[2]) < 24 && Number(m[3]) < 60 ? null : 'is not a date-time (ISO 8601)';
    }
    case 'boolean':
      return v === 'true' || v === 'false' ? null : 'is not true or false';
    case 'tid':
      return /^\(\d{1,10},\d{1,5}\)$/.test(v) ? null : 'is not a row position';
    case 'bytea':
      return /^\\x([0-9a-f]{2})*$/.test(v) ? null : 'is not binary data';
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
