/**
 * Verification (核验): "does a record with these values exist?" — yes or no, no data. The match
 * is parameterised equality on granted items only, inside the grant's row filter, against the
 * resource's current data version.
 */
import type { Knex } from 'knex';
import { preparedRows } from '../db/prepared.ts';
import { badRequest, HttpError, stateConflict, text, type Bilingual } from '../http/errors.ts';
import { currentVersion } from '../loads/versions.ts';
import { quoteIdent } from '../lib/sql.ts';
import { assertGrantedItems, type LiveGrant } from './live-grants.ts';
import { badValue, rowFilterSql, type ItemInfo } from '../data/row-conditions.ts';

export interface Verification {
  matched: boolean;
  version: number;
  items: string[];
}

const PG_BAD_VALUE = new Set(['22P02', '22007', '22008', '22003', '22018']);

/** `version`: the resource's current version when the caller already has it (grantedResource); read here otherwise. */
export async function verifyMatch(
  knex: Knex,
  grant: LiveGrant,
  match: Record<string, string | number | boolean>,
  current?: { version: number; table: string; items: Record<string, any>[] } | null,
): Promise<Verification> {
  const names = Object.keys(match);
  assertGrantedItems(grant, names);
  const version = current === undefined ? await currentVersion(knex, grant.resourceId) : current;
  if (!version) throw stateConflict(text(`数据资源 ${grant.resourceCode} 尚未装载数据，无可核验`, `no data is loaded for resource ${grant.resourceCode} yet; nothing can be verified`));
  const items = new Map((version.items as ItemInfo[]).map((i) => [i.name, i]));
  const missing = [...names, ...grant.rowFilter.map((c) => c.column)].filter((n) => !items.has(n));
  if (missing.length) {
    const absent = [...new Set(missing)];
    throw stateConflict(text(`数据资源 ${grant.resourceCode} 的当前数据版本（${version.version}）没有信息项 ${absent.join('、')}`, `the current data version (${version.version}) of resource ${grant.resourceCode} has no items ${absent.join(', ')}`));
  }
  const values = names.map((n) => String(match[n]));
  const problems = names
    .map((n, i) => ({ in: 'body', path: `/match/${n}`, message: badValue(items.get(n)!, values[i]) }))
    .filter((p): p is { in: string; path: string; message: Bilingual } => p.message !== null);
  if (problems.length) {
    throw badRequest(text(`值与信息项不符：${problems.map((p) => p.message.zh).join('；')}`, `values that do not fit their items: ${problems.map((p) => p.message.en).join('; ')}`), problems);
  }
  const rows = rowFilterSql(grant.rowFilter);
  const sql = `select exists (select 1 from ${version.table} where ${names.map((n) => `${quoteIdent(n)} = ?`).join(' and ')} and ${rows.sql}) as matched`;
  try {
    const [r] = await preparedRows<{ matched: boolean }>(knex, sql, [...values, ...rows.bindings]);
    return { matched: r.matched === true, version: version.version, items: names };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code && PG_BAD_VALUE.has(code)) throw new HttpError(400, 'bad_request', text(`某个值与其信息项不符：${(e as Error).message}`, `a value does not fit its item: ${(e as Error).message}`));
    throw e;
  }
}
