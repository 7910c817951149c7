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
