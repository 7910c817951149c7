import type { Knex } from 'knex';
import { preparedRows } from '../db/prepared.ts';
import { pgType } from '../../../loaders/index.ts';
import { badRequest, HttpError, text, type Bilingual } from '../http/errors.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { quoteIdent } from '../lib/sql.ts';
import type { DataView, ViewColumn } from './view.ts';
import { badValue, castProblem, rowFilterSql } from './row-conditions.ts';

export const OPS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'contains', 'isnull'] as const;
export type Op = (typeof OPS)[number];

export interface Filter {
  column: string;
  op: Op;
  value: string | string[] | boolean;
}

export interface Sort {
  column: string;
  desc: boolean;
}

export interface RowQuery {
  fields: string[];
  filters: Filter[];
  sort: Sort[];
  limit: number;
  cursor?: string;
  count: 'exact' | 'estimate' | 'none';
}

interface Problem {
  in: 'query';
  path: string;
  message: Bilingual;
}

const USE_ZH = { read: '读取', filter: '筛选', sort: '排序' } as const;

const SQL_OP: Record<Exclude<Op, 'in' | 'contains' | 'isnull'>, string> = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' };

/**
 * Parses `fields`, `filter[col]`, `filter[col][op]`, `sort`, `limit`, `cursor` and `count` from a
 * query string (qs-parsed). Every problem is collected and answered together: 400 naming
 * each unknown column, bad operator and ill-typed value; 403 naming columns the reader may
 * not see. Column names come only from the resource's items.
 */
/** Bounds of a row query's lists (docs/data-api.md). */
const MAX_FIELDS = 1000;
const MAX_SORT = 10;
const MAX_IN = 1000;

export function parseRowQuery(raw: Record<string, unknown>, view: DataView, opts: { maxLimit?: number; defaultLimit?: number } = {}): RowQuery {
  const problems: Problem[] = [];
  const hidden: string[] = [];
  const column = (name: string, path: string, use: 'read' | 'filter' | 'sort'): ViewColumn | null => {
    const c = view.byName.get(name);
    if (c) {
      if (use !== 'read' && c.masked) {
        problems.push({ in: 'query', path, message: text(`${name} 已脱敏，不能用于${USE_ZH[use]}`, `${name} is masked; it cannot be used to ${use}`) });
        return null;
      }
      return c;
    }
    if (view.hidden.has(name)) hidden.push(name);
    else problems.push({
        in: 'query',
        path,
        message: text(`未知的列 ${name}；现有的列：${[...view.byName.keys()].join('、')}`, `unknown column ${name}; columns are: ${[...view.byName.keys()].join(', ')}`),
      });
    return null;
  };

  const fieldsRaw = raw.fields;
  let fields = view.columns.map((c) => c.name);
  if (fieldsRaw !== undefined) {
    if (typeof fieldsRaw !== 'string' || !fieldsRaw.trim()) problems.push({ in: 'query', path: '/fields', message: text('fields 是以逗号分隔的列名', 'fields is a comma-separated list of columns') });
    else {
      const names = [...new Set(fieldsRaw.split(',').map((f) => f.trim()))];
      if (names.length > MAX_FIELDS) problems.push({ in: 'query', path: '/fields', message: text(`fields 最多包含 ${MAX_FIELDS} 个不同的列`, `fields takes at most ${MAX_FIELDS} distinct columns`) });
      else fields = names.filter((f) => column(f, '/fields', 'read'));
    }
  }

  const filters: Filter[] = [];
  const filterRaw = raw.filter ?? {};
  if (typeof filterRaw !== 'object' || Array.isArray(filterRaw)) {
    problems.push({ in: 'query', path: '/filter', message: text('请用 filter[列]=值 或 filter[列][运算符]=值', 'use filter[column]=value or filter[column][op]=value') });
  } else {
    for (const [name, spec] of Object.entries(filterRaw as Record<string, unknown>)) {
      const c = column(name, `/filter/${name}`, 'filter');
      const entries: [string, unknown][] = typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? Object.entries(spec) : [['eq', spec]];
      for (const [op, value] of entries) {
        const path = `/filter/${name}/${op}`;
        if (!(OPS as readonly string[]).includes(op)) {
          problems.push({ in: 'query', path, message: text(`未知的运算符 ${op}；可用的运算符：${OPS.join('、')}`, `unknown operator ${op}; operators are: ${OPS.join(', ')}`) });
          continue;
        }
        if (typeof value !== 'string') {
          problems.push({ in: 'query', path, message: text('每个运算符给一个值', 'give one value per operator') });
          continue;
        }
        if (!c) continue;
        if (op === 'isnull') {
          if (!['true', 'false'].includes(value)) problems.push({ in: 'query', path, message: text('isnull 取 true 或 false', 'isnull takes true or false') });
          else filters.push({ column: name, op, value: value === 'true' });
          continue;
        }
        if (op === 'contains' && !['C', 'M'].includes(c.item.type)) {
          problems.push({ in: 'query', path, message: text(`contains 只适用于文本列，${name} 不是文本列`, `contains works on text columns; ${name} is not one`) });
          continue;
        }
        if (['lt', 'lte', 'gt', 'gte'].includes(op) && ['L', 'G'].includes(c.item.type)) {
          problems.push({ in: 'query', path, message: text(`${op} 不适用于 ${name}`, `${op} does not apply to ${name}`) });
          continue;
        }
        const values = op === 'in' ? [...new Set(value.split(','))] : [value];
        if (op === 'in' && values.length > MAX_IN) problems.push({ in: 'query', path, message: text(`in 最多取 ${MAX_IN} 个不同的值`, `in takes at most ${MAX_IN} distinct values`) });
        const bad = op === 'contains' ? null : values.map((v) => badValue(c.item, v) ?? tooBig(c, v)).find((m) => m);
        if (bad) problems.push({ in: 'query', path, message: bad });
        else filters.push({ column: name, op: op as Op, value: op === 'in' ? values : value });
      }
    }
  }

  const sort: Sort[] = [];
  if (raw.sort !== undefined) {
    if (typeof raw.sort !== 'string') problems.push({ in: 'query', path: '/sort', message: text('sort 是以逗号分隔的列名，如 a,-b', 'sort is a comma-separated list like a,-b') });
    else {
      const keys = raw.sort.split(',').map((x) => x.trim()).filter(Boolean);
      if (keys.length > MAX_SORT) problems.push({ in: 'query', path: '/sort', message: text(`sort 最多包含 ${MAX_SORT} 个列`, `sort takes at most ${MAX_SORT} columns`) });
      else
        for (const s of keys) {
          const desc = s.startsWith('-');
          const name = desc ? s.slice(1) : s;
          // a column sorted twice: the first says the order
          if (column(name, '/sort', 'sort') && !sort.some((x) => x.column === name)) sort.push({ column: name, desc });
        }
    }
  }

  const maxLimit = opts.maxLimit ?? 10_000;
  let limit = opts.defaultLimit ?? 100;
  if (raw.limit !== undefined) {
    const n = Number(raw.limit);
    if (typeof raw.limit !== 'string' || !Number.isInteger(n) || n < 1 || n > maxLimit) problems.push({ in: 'query', path: '/limit', message: text(`limit 是 1 至 ${maxLimit} 的整数`, `limit is a whole number from 1 to ${maxLimit}`) });
    else limit = n;
  }
  const count = raw.count ?? 'none';
  if (!['exact', 'estimate', 'none'].includes(count as string)) problems.push({ in: 'query', path: '/count', message: text('count 取 exact、estimate 或 none', 'count is exact, estimate or none') });
  if (raw.cursor !== undefined && typeof raw.cursor !== 'string') problems.push({ in: 'query', path: '/cursor', message: text('游标无效', 'invalid cursor') });

  const unseen = [...new Set(hidden)];
  if (unseen.length) throw new HttpError(403, 'forbidden', text(`您无权查看：${unseen.join('、')}`, `not available to you: ${unseen.join(', ')}`), { columns: unseen });
  if (problems.length) throw badRequest(text('行查询无效', 'invalid row query'), problems);
  return { fields, filters, sort, limit, cursor: raw.cursor as string | undefined, count: count as RowQuery['count'] };
}

const typed = (c: ViewColumn) => pgType(c.item as never);

/** A value of the right form that the column's type still cannot hold (an 85-digit number on numeric(18,2)). */
function tooBig(c: ViewColumn, v: string): Bilingual | null {
  const problem = castProblem(typed(c), v);
  const shown = v.length > 40 ? `${v.slice(0, 40)}…` : v;
  return problem && text(`${c.name}："${shown}" ${problem.zh}`, `${c.name}: "${shown}" ${problem.en}`);
}

/** The WHERE conditions of a query plus the view's own row conditions, parameterised. */
export function whereSql(view: DataView, q: Pick<RowQuery, 'filters'>): { sql: string; bindings: unknown[] } {
  const parts: string[] = [];
  const rows = rowFilterSql(view.rows);
  if (view.rows.length) parts.push(rows.sql);
  // one placeholder per filter but isnull, in order: whereBindings gives their values
  for (const f of q.filters) {
    const col = quoteIdent(f.column);
    const t = typed(view.byName.get(f.column)!);
    switch (f.op) {
      case 'isnull':
        parts.push(`${col} is ${f.value ? '' : 'not '}null`);
        break;
      case 'in':
        parts.push(`${col} = any(?::${t}[])`);
        break;
      case 'contains':
        parts.push(`strpos(${col}, ?) > 0`);
        break;
      default:
        parts.push(`${col} ${SQL_OP[f.op]} ?::${t}`);
    }
  }
  return { sql: parts.length ? parts.join(' and ') : 'true', bindings: whereBindings(rows.bindings, q) };
}

/** The values of whereSql's placeholders, in order: the view's row conditions', then the query's filters'. */
function whereBindings(rowBindings: readonly unknown[], q: Pick<RowQuery, 'filters'>): unknown[] {
  const bindings = [...rowBindings];
  for (const f of q.filters) if (f.op !== 'isnull') bindings.push(f.value);
  return bindings;
}

interface OrderKey {
  expr: string;
  cast: string;
  desc: boolean;
  nullable: boolean;
}

/**
 * The total order of a query: the requested sort, then the primary key or the physical row
 * position (a version table is written once and never updated, so ctid is stable).
 */
function orderKeys(view: DataView, q: RowQuery): OrderKey[] {
  const keys: OrderKey[] = q.sort.map((s) => {
    const c = view.byName.get(s.column)!;
    return { expr: quoteIdent(s.column), cast: typed(c), desc: s.desc, nullable: !(c.item.required || c.item.key) };
  });
  const sorted = new Set(q.sort.map((s) => s.column));
  const pkVisible = view.key.length > 0 && view.key.every((k) => view.byName.get(k) && !view.byName.get(k)!.masked);
  if (pkVisible && q.sort.length === 0) {
    for (const k of view.key) keys.push({ expr: quoteIdent(k), cast: typed(view.byName.get(k)!), desc: false, nullable: false });
  } else if (!(pkVisible && view.key.every((k) => sorted.has(k)))) {
    keys.push({ expr: 'ctid', cast: 'tid', desc: false, nullable: false });
  }
  return keys;
}

/** Rows strictly after the cursor row in the order of `keys` (nulls last in both directions). */
function afterSql(keys: OrderKey[], values: unknown[]): { sql: string; bindings: unknown[] } {
  const ors: string[] = [];
  const bindings: unknown[] = [];
  keys.forEach((k, i) => {
    const v = values[i];
    if (v === null) return; // nothing sorts after a null but other nulls, which tie on this key
    const eqs = keys.slice(0, i).map((p, j) => (values[j] === null ? `${p.expr} is null` : `${p.expr} = ?::${p.cast}`));
    const eqBindings = values.slice(0, i).filter((x) => x !== null);
    const after = `(${k.expr} ${k.desc ? '<' : '>'} ?::${k.cast}${k.nullable ? ` or ${k.expr} is null` : ''})`;
    ors.push([...eqs, after].join(' and '));
    bindings.push(...eqBindings, v);
  });
  // ties on every key cannot happen: the last key is unique
  return { sql: ors.length ? `(${ors.map((o) => `(${o})`).join(' or ')})` : 'false', bindings };
}

export interface RowsPage {
  /** Each row as JSON text made by PostgreSQL: exact numbers, no parse and re-serialise in between. */
  items: string[];
  next: string | null;
  count?: number;
  countKind?: 'exact' | 'estimate';
}

/** The JSON answer of a row query: the rows as PostgreSQL wrote them, the next cursor, the count when asked, and `meta`. */
export function pageJson(page: RowsPage, meta: Record<string, unknown>): string {
  const tail: Record<string, unknown> = { next: page.next };
  if (page.count !== undefined) {
    tail.count = page.count;
    tail.countKind = page.countKind;
  }
  for (const key of Object.keys(meta)) tail[key] = meta[key];
  return `{"items":[${page.items.join(',')}],${JSON.stringify(tail).slice(1)}`;
}

/** A JSON object of the fields in order (json_build_object takes 50 pairs; wider rows merge as jsonb). */
function jsonObjectSql(view: DataView, fields: string[]): string {
  const pairs = fields.map((f) => `'${f}', ${view.byName.get(f)!.select}`);
  if (pairs.length <= 50) return `json_build_object(${pairs.join(', ')})::text`;
  const chunks: string[] = [];
  for (let i = 0; i < pairs.length; i += 50) chunks.push(`jsonb_build_object(${pairs.slice(i, i + 50).join(', ')})`);
  return `(${chunks.join(' || ')})::text`;
}

/** The SELECT of a row query: requested fields (masked in SQL) plus the hidden sort-key columns. */
export function selectSql(view: DataView, q: RowQuery, opts: { paged: boolean }): { sql: string; bindings: unknown[]; keys: OrderKey[] } {
  const keys = orderKeys(view, q);
  const where = whereSql(view, q);
  const bindings = [...where.bindings];
  let sql = opts.paged
    ? `select ${jsonObjectSql(view, q.fields)} as _j, ${keys.map((k, i) => `${k.expr}::text as "_k${i}"`).join(', ')}`
    : `select ${q.fields.map((f) => `${view.byName.get(f)!.select} as ${quoteIdent(f)}`).join(', ')}`;
  sql += ` from ${view.table} where ${where.sql}`;
  if (opts.paged && q.cursor) {
    // a cursor is the keys' text: each must cast back to its key's type, or the statement would fail
    const values = decodeCursor(q.cursor, keys.map(() => 'string'), (v, i) => v === '\u0000' || castProblem(keys[i].cast, v as string) === null).map((v) => (v === '\u0000' ? null : v));
    const after = afterSql(keys, values);
    sql += ` and ${after.sql}`;
    bindings.push(...after.bindings);
  }
  sql += ` order by ${keys.map((k) => `${k.expr} ${k.desc ? 'desc' : 'asc'} nulls last`).join(', ')}`;
  return { sql, bindings, keys };
}

const pagedSql = new WeakMap<DataView, Map<string, { sql: string; keys: OrderKey[]; rowBindings: unknown[] }>>();

/**
 * The statement of a page, with `limit` + 1 rows to tell whether there is a next page. A view's
 * statement for each query shape (fields, filter columns and operators, sort, limit) is made once:
 * writing it out was a tenth of a lookup's CPU. A page after a cursor is written each time (its
 * text depends on which cursor values are null).
 */
function pagedSelect(view: DataView, q: RowQuery): { sql: string; bindings: unknown[]; keys: OrderKey[] } {
  const written = () => {
    const s = selectSql(view, q, { paged: true });
    return { sql: `${s.sql} limit ${q.limit + 1}`, bindings: s.bindings, keys: s.keys };
  };
  if (q.cursor) return written();
  const shape = JSON.stringify([q.fields, q.filters.map((f) => [f.column, f.op, f.op === 'isnull' ? f.value : null]), q.sort, q.limit]);
  let shapes = pagedSql.get(view);
  if (!shapes) pagedSql.set(view, (shapes = new Map()));
  const known = shapes.get(shape);
  // the view's row conditions are the view's own, so their values are kept with the statement
  if (known) return { sql: known.sql, keys: known.keys, bindings: whereBindings(known.rowBindings, q) };
  const fresh = written();
  if (shapes.size >= 500) shapes.clear();
  shapes.set(shape, { sql: fresh.sql, keys: fresh.keys, rowBindings: rowFilterSql(view.rows).bindings });
  return fresh;
}

export async function queryRows(knex: Knex, view: DataView, q: RowQuery): Promise<RowsPage> {
  const { sql, bindings, keys } = pagedSelect(view, q);
  const rows = await preparedRows<Record<string, unknown>>(knex, sql, bindings);
  const page = rows.slice(0, q.limit);
  let next: string | null = null;
  if (rows.length > q.limit) {
    const last = page[page.length - 1];
    next = encodeCursor(keys.map((_, i) => (last[`_k${i}`] === null ? '\u0000' : last[`_k${i}`])));
  }
  const out: RowsPage = { items: page.map((r) => r._j as string), next };
  if (q.count !== 'none') {
    const where = whereSql(view, q);
    if (q.count === 'exact') {
      out.count = Number((await knex.raw(`select count(*) as n from ${view.table} where ${where.sql}`, where.bindings as any[])).rows[0].n);
    } else {
      const plan = await knex.raw(`explain (format json) select 1 from ${view.table} where ${where.sql}`, where.bindings as any[]);
      out.count = Math.round(plan.rows[0]['QUERY PLAN'][0].Plan['Plan Rows']);
    }
    out.countKind = q.count;
  }
  return out;
}
