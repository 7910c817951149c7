import type { Knex } from 'knex';
import { quoteIdent } from '../lib/sql.ts';
import { buildMasker, maskSql, parseMaskRules, ruleFor, type MaskRules } from './masking.ts';
import type { ItemLike } from './items.ts';
import type { Config } from '../config.ts';
import { currentVersion } from '../loads/versions.ts';

import type { RowCondition } from './row-conditions.ts';

/** Who reads and under which rules: the public sees masked open data; a grant may see fewer columns, fewer rows, some raw. */
export type ReadPolicy =
  | { kind: 'open' }
  | { kind: 'grant'; items: string[]; raw: string[]; rows: RowCondition[] };

export interface ViewColumn {
  name: string;
  item: ItemLike;
  /** The select expression: the column, or its mask. */
  select: string;
  masked: boolean;
}

/** One loaded version of a resource as a reader may see it: which columns, masked how, limited to which rows. */
export interface DataView {
  resourceId: number;
  version: number;
  table: string;
  columns: ViewColumn[];
  byName: Map<string, ViewColumn>;
  /** Columns that exist in the table but the reader may not see (dropped by masking, or not granted). */
  hidden: Set<string>;
  key: string[];
  rows: RowCondition[];
}

const parsedRules = new Map<string, MaskRules>();

export function maskRulesOf(config: Config): MaskRules {
  const key = config.maskRules ?? '';
  let rules = parsedRules.get(key);
  if (!rules) {
    rules = parseMaskRules(key ? JSON.parse(key) : {});
    parsedRules.set(key, rules);
  }
  return rules;
}

/** A loaded version as a view needs it. */
export interface VersionRef {
  resourceId: number;
  version: number;
  table: string;
  items: Record<string, any>[];
}

/** The view of a resource's current version under a read policy, or null when no data is loaded. */
export async function dataView(knex: Knex, config: Config, resourceId: number, policy: ReadPolicy): Promise<DataView | null> {
  const version = await currentVersion(knex, resourceId);
  return version ? buildView(version, config, policy) : null;
}

/**
 * Builds a view of a loaded version under a read policy. Masking happens in SQL, so unmasked
 * personal values never leave the database.
 */
export function buildView(version: VersionRef, config: Config, policy: ReadPolicy): DataView {
  const resourceId = version.resourceId;
  const items = version.items as ItemLike[];
  const rules = maskRulesOf(config);
  const granted = policy.kind === 'grant' ? new Set(policy.items) : null;
  // an open resource may keep single items closed (开放属性 per 信息项): the public never sees them
  const visibleItems = granted ? items.filter((i) => granted.has(i.name)) : items.filter((i) => ((i as { openType?: string }).openType ?? 'open') === 'open');
  const raw = policy.kind === 'grant' ? policy.raw : [];
  // personal items without a rule never leave in open outputs: publishing refuses them, and reads drop them
  const masker = buildMasker(visibleItems, rules, { salt: config.maskSalt, raw, unmaskedPersonal: 'drop' });
  const byItem = new Map(items.map((i) => [i.name, i]));
  const columns: ViewColumn[] = masker.columns.map((name) => {
    const item = byItem.get(name)!;
    const rule = raw.includes(name) ? undefined : ruleFor(item, rules);
    const plain = item.type === 'G' ? `encode(${quoteIdent(name)}, 'base64')` : quoteIdent(name);
    return { name, item, select: rule === undefined ? plain : maskSql(rule, quoteIdent(name), { salt: config.maskSalt }), masked: rule !== undefined };
  });
  const visible = new Set(columns.map((c) => c.name));
  return {
    resourceId,
    version: version.version,
    table: version.table,
    columns,
    byName: new Map(columns.map((c) => [c.name, c])),
    hidden: new Set(items.map((i) => i.name).filter((n) => !visible.has(n))),
    key: items.filter((i) => i.key).map((i) => i.name),
    rows: policy.kind === 'grant' ? policy.rows : [],
  };
}
