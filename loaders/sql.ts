/**
 * SQL of the loaders: DDL of the typed table, the checked-identifier functions (the SQL twins of
 * server/src/lib/identifiers.ts), and the quality profile.
 */
import type { ClientBase } from 'pg';
import { quoteIdent, sqlConstant } from '../server/src/lib/sql.ts';
import { pgType } from './coerce.ts';
import type { ColumnProfile, LoaderItem, QualityProfile } from './types.ts';

/**
 * Text columns use the C collation (code-point order): identical ordering on every server, and keys and
 * sorts avoid locale comparison (a primary key on a code builds ~25% faster).
 */
export function createTableSql(table: string, items: LoaderItem[]): string {
  const cols = items.map(
    (it) =>
      `${quoteIdent(it.name)} ${pgType(it)}${it.type === 'C' || it.type === 'M' ? ' COLLATE "C"' : ''}${it.required || it.key ? ' NOT NULL' : ''}`,
  );
  let sql = `CREATE TABLE ${table} (\n  ${cols.join(',\n  ')}\n);\n`;
  for (const it of items) if (it.label) sql += `COMMENT ON COLUMN ${table}.${quoteIdent(it.name)} IS ${sqlConstant(it.label)};\n`;
  return sql;
}

// ---------------------------------------------------------------------------------------------------------
// Checked identifiers in SQL

const FUNCTIONS_VERSION = 'odx loaders identifier checks v1';
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const PROVINCES = [
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65,
  71, 81, 82,
];

export function loaderFunctionsSql(): string {
  const usccSum = USCC_WEIGHTS.map((w, i) => `(strpos('${USCC_CHARSET}', substr(v, ${i + 1}, 1)) - 1) * ${w}`).join('\n      + ');
  const idSum = ID_WEIGHTS.map((w, i) => `substr(v, ${i + 1}, 1)::int * ${w}`).join(' + ');
  const y = 'substr(v, 7, 4)::int';
  const m = 'substr(v, 11, 2)::int';
  const d = 'substr(v, 13, 2)::int';
  return `
CREATE SCHEMA IF NOT EXISTS odx;

-- 行政区划代码 (GB/T 2260): 6 or 12 digits, a valid province
CREATE OR REPLACE FUNCTION odx.is_region_code(v text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $f$
  SELECT CASE WHEN v ~ '^[0-9]{6}([0-9]{6})?$'
    THEN substr(v, 1, 2)::int IN (${PROVINCES.join(', ')})
    ELSE false END
$f$;

-- 统一社会信用代码 (GB 32100-2015): 18 characters, check character mod 31
CREATE OR REPLACE FUNCTION odx.is_uscc(v text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $f$
  SELECT CASE WHEN v ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'
    THEN substr('${USCC_CHARSET}', (31 - (${usccSum}) % 31) % 31 + 1, 1) = substr(v, 18, 1)
    ELSE false END
$f$;

-- 居民身份证号码 (GB 11643-1999): region, birth date (1900 or later), ISO 7064 MOD 11-2 check digit
CREATE OR REPLACE FUNCTION odx.is_id_card(v text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $f$
  SELECT CASE WHEN v ~ '^[0-9]{17}[0-9X]$' AND odx.is_region_code(substr(v, 1, 6))
    THEN ${y} >= 1900 AND ${m} BETWEEN 1 AND 12 AND ${d} >= 1
      AND ${d} <= CASE ${m} WHEN 2 THEN CASE WHEN (${y} % 4 = 0 AND ${y} % 100 <> 0) OR ${y} % 400 = 0 THEN 29 ELSE 28 END
                         WHEN 4 THEN 30 WHEN 6 THEN 30 WHEN 9 THEN 30 WHEN 11 THEN 30 ELSE 31 END
      AND substr('10X98765432', (${idSum}) % 11 + 1, 1) = substr(v, 18, 1)
    ELSE false END
$f$;

-- Mobile numbers: 11 digits starting with 13-19
CREATE OR REPLACE FUNCTION odx.is_mobile(v text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $f$
  SELECT v ~ '^1[3-9][0-9]{9}$'
$f$;

COMMENT ON FUNCTION odx.is_uscc(text) IS ${sqlConstant(FUNCTIONS_VERSION)};
`;
}

/** Installs odx.is_uscc, odx.is_id_card, odx.is_region_code and odx.is_mobile (once; idempotent). */
export async function ensureLoaderFunctions(client: ClientBase): Promise<void> {
  const current = `SELECT obj_description(to_regprocedure('odx.is_uscc(text)'), 'pg_proc') AS v`;
  const r = await client.query(current);
  if (r.rows[0]?.v === FUNCTIONS_VERSION) return;
  // One simple-query message: its statements run in one transaction (or in the caller's), serialised
  // against concurrent installers by the advisory lock.
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('odx.loader_functions'));\n${loaderFunctionsSql()}`);
}

/** SQL expression that is true when `expr` passes the item's checked-identifier rule. */
export function identifierCheckSql(check: string, expr: string): string {
  switch (check) {
    case 'uscc':
      return `odx.is_uscc(${expr})`;
    case 'id-card':
      return `odx.is_id_card(${expr})`;
    case 'region-code':
      return `odx.is_region_code(${expr})`;
    case 'mobile':
      return `odx.is_mobile(${expr})`;
    default:
      throw new Error(`unknown check ${check}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Quality profile

function minMaxSql(it: LoaderItem, c: string): [string, string] {
  switch (it.type) {
    case 'C':
    case 'M':
      return [`min(${c})`, `max(${c})`];
    case 'D':
      return [`to_char(min(${c}), 'YYYY-MM-DD')`, `to_char(max(${c}), 'YYYY-MM-DD')`];
    case 'T':
      return [
        `to_char(min(${c}) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS.US') || '+08:00'`,
        `to_char(max(${c}) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS.US') || '+08:00'`,
      ];
    case 'L':
      return [`bool_and(${c})::text`, `bool_or(${c})::text`];
    case 'G':
      return ['NULL::text', 'NULL::text'];
    default:
      return [`min(${c})::text`, `max(${c})::text`];
  }
}

/** Stats of some columns gathered while loading (see profile.ts). */
export interface KnownStats {
  rows: number;
  columns: Map<string, { nulls: number; min: string | null; max: string | null }>;
}

/**
 * Row count, nulls, min/max (one aggregate pass over the columns not already `known`) and distinct
 * estimates (ANALYZE) of a table.
 */
export async function profileTable(
  client: ClientBase,
  table: string,
  items: LoaderItem[],
  invalid: Record<string, number>,
  known?: KnownStats,
): Promise<QualityProfile> {
  const todo = known ? items.filter((it) => !known.columns.has(it.name)) : items;
  let rows = known?.rows ?? 0;
  const stats = new Map(known?.columns ?? []);
  if (!known || todo.length) {
    const sel = ['count(*)::bigint AS n'];
    todo.forEach((it, i) => {
      const c = quoteIdent(it.name);
      const [mn, mx] = minMaxSql(it, c);
      sel.push(`count(${c})::bigint AS n${i}`, `${mn} AS mn${i}`, `${mx} AS mx${i}`);
    });
    const row = (await client.query(`SELECT ${sel.join(', ')} FROM ${table}`)).rows[0];
    rows = Number(row.n);
    todo.forEach((it, i) => stats.set(it.name, { nulls: rows - Number(row[`n${i}`]), min: row[`mn${i}`] ?? null, max: row[`mx${i}`] ?? null }));
  }
  await client.query(`ANALYZE ${table}`);
  const st = await client.query(
    `SELECT s.attname, s.n_distinct
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname
      WHERE c.oid = $1::regclass`,
    [table],
  );
  const nd = new Map<string, number>();
  for (const r of st.rows) nd.set(r.attname, Number(r.n_distinct));
  const columns: Record<string, ColumnProfile> = {};
  for (const it of items) {
    const s = stats.get(it.name)!;
    const nonNull = rows - s.nulls;
    const d = nd.get(it.name);
    columns[it.name] = {
      nulls: s.nulls,
      invalid: invalid[it.name] ?? 0,
      min: s.min,
      max: s.max,
      distinctEstimate: d === undefined ? (nonNull === 0 ? 0 : null) : d >= 0 ? Math.round(d) : Math.round(-d * rows),
    };
  }
  return { rows, columns };
}
