/**
 * Row filters of grants and the typed checks of values compared with resource items.
 *
 * A grant's row filter is an AND of conditions on item names, e.g.
 * `[{ column: 'region_code', op: 'eq', value: '350203' }]` (only the consumer's district). Values
 * are strings, as in query strings; `in` takes a list. `rowFilterSql` turns a filter into a
 * parameterised SQL condition: identifiers are quoted item names, values are bindings.
 */
import { z } from 'zod';
import { unprocessable } from '../http/errors.ts';
import { quoteIdent } from '../open/masking.ts';

/** A condition a grant puts on rows, on an item name; same shape as the row engine's RowCondition. */
export interface RowCondition {
  column: string;
  op: 'eq' | 'in';
  value: string | string[];
}

const scalar = z.union([z.string().max(500), z.number(), z.boolean()]).transform((v) => String(v));

export const RowConditionSchema = z.discriminatedUnion('op', [
  z.object({ column: z.string().min(1).max(63), op: z.literal('eq'), value: scalar }).strict(),
  z.object({ column: z.string().min(1).max(63), op: z.literal('in'), value: z.array(scalar).min(1).max(1000) }).strict(),
]);
export const RowFilterSchema = z.array(RowConditionSchema).max(20);

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

/** Checks a row filter against the resource's items: 422 naming every unknown item and ill-typed value. */
export function checkRowFilter(filter: RowCondition[], items: ItemInfo[], path = '/rowFilter'): RowCondition[] {
  const byName = new Map(items.map((i) => [i.name, i]));
  const problems: { path: string; message: string }[] = [];
  filter.forEach((c, i) => {
    const item = byName.get(c.column);
    if (!item) {
      problems.push({ path: `${path}/${i}/column`, message: `${c.column} is not an item of the resource` });
      return;
    }
    for (const v of Array.isArray(c.value) ? c.value : [c.value]) {
      const bad = badValue(item, v);
      if (bad) problems.push({ path: `${path}/${i}/value`, message: bad });
    }
  });
  if (problems.length) throw unprocessable(`the row filter has ${problems.length} problem(s): ${problems.map((p) => p.message).join('; ')}`, problems);
  return filter;
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
