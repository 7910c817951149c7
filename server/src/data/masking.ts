/**
 * Masking (脱敏) of personal data in every open output: rows, downloads, previews, CKAN API.
 *
 * No national rule fixes how personal fields are masked, so the rules are configuration
 * (`MaskRules`): a catalogue item names a rule in its `mask` field ("mobile", "id-card", "name",
 * "drop", "hash" or any rule the authority adds), and the rule says what happens:
 *
 * - `{ keepStart, keepEnd, char? }` keeps the first `keepStart` and last `keepEnd` characters and
 *   replaces each character between them with `char` (default `*`): 13800138000 -> 138****8000.
 *   A value too short to hide anything (length <= keepStart + keepEnd) is replaced entirely,
 *   so a short or malformed value never leaks whole.
 * - `{ surname: true }` keeps the surname (复姓 such as 欧阳/司马/诸葛 count as two characters when the
 *   name has at least three) and replaces every other character: 张三丰 -> 张**, 欧阳修文 -> 欧阳**.
 *   A one-character value is replaced entirely.
 * - `'drop'` removes the column from the output.
 * - `'hash'` replaces the value with the lowercase hex SHA-256 of `salt || value` (UTF-8), with a
 *   configured secret salt; without a salt a hash rule is refused (unsalted hashes of phone or ID
 *   numbers are trivially reversed by enumeration).
 *
 * Characters are Unicode code points (a rare CJK character outside the BMP counts as one), the
 * same as PostgreSQL `char_length` on a UTF-8 database, so `maskSql` gives exactly the JS result.
 * Values are masked as text: numbers and bigints are formatted with `String(value)`; `null` and
 * `undefined` stay `null`. Values are not trimmed.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { quoteIdent, sqlLiteral } from '../lib/sql.ts';
import type { ItemLike } from './items.ts';

export type KeepRule = { keepStart: number; keepEnd: number; char?: string };
export type SurnameRule = { surname: true };
export type MaskRule = KeepRule | 'drop' | 'hash' | SurnameRule;
export type MaskRules = Record<string, MaskRule>;

/** Rule names every installation has (the authority may redefine them or add others). */
export type MaskName = 'mobile' | 'id-card' | 'name' | 'drop' | 'hash';

export interface MaskOptions {
  /** Secret salt for `hash` rules. Required as soon as a hash rule is used. */
  salt?: string;
}

export const DEFAULT_MASK_RULES: Readonly<MaskRules> = Object.freeze({
  mobile: { keepStart: 3, keepEnd: 4 },
  'id-card': { keepStart: 6, keepEnd: 4 },
  name: { surname: true },
  drop: 'drop',
  hash: 'hash',
} satisfies Record<MaskName, MaskRule>);

/**
 * Compound surnames (复姓) kept whole by the surname rule when the name has >= 3 characters.
 * Simplified forms from 《百家姓》 plus the traditional forms of the common ones.
 */
export const COMPOUND_SURNAMES: readonly string[] = Object.freeze([
  '欧阳', '太史', '端木', '上官', '司马', '东方', '独孤', '南宫', '万俟', '闻人', '夏侯', '诸葛',
  '尉迟', '公羊', '赫连', '澹台', '皇甫', '宗政', '濮阳', '公冶', '太叔', '申屠', '公孙', '慕容',
  '仲孙', '钟离', '长孙', '宇文', '司徒', '鲜于', '司空', '闾丘', '子车', '亓官', '司寇', '巫马',
  '公西', '颛孙', '壤驷', '公良', '漆雕', '乐正', '宰父', '谷梁', '拓跋', '夹谷', '轩辕', '令狐',
  '段干', '百里', '呼延', '东郭', '南门', '羊舌', '微生', '公户', '公玉', '公仪', '梁丘', '公仲',
  '公上', '公门', '公山', '公坚', '左丘', '公伯', '西门', '公祖', '第五', '公乘', '贯丘', '公皙',
  '南荣', '东里', '东宫', '仲长', '子书', '子桑', '即墨', '达奚', '褚师',
  // traditional forms
  '歐陽', '司馬', '東方', '獨孤', '南宮', '聞人', '諸葛', '尉遲', '公孫', '慕容', '鍾離', '長孫',
  '赫連', '澹臺', '軒轅', '令狐', '皇甫', '上官', '夏侯', '宇文', '司徒', '司空',
].filter((v, i, a) => a.indexOf(v) === i));

const COMPOUND_SET = new Set(COMPOUND_SURNAMES);

// ---------------------------------------------------------------------------------------------
// Configuration

const keepRuleSchema = z
  .object({
    keepStart: z.number().int().min(0),
    keepEnd: z.number().int().min(0),
    char: z.string().min(1).optional(),
  })
  .strict();
const surnameRuleSchema = z.object({ surname: z.literal(true) }).strict();

export const MaskRuleSchema = z.union([z.literal('drop'), z.literal('hash'), keepRuleSchema, surnameRuleSchema]);
export const MaskRulesSchema = z.record(z.string().min(1), MaskRuleSchema);

/**
 * Validates mask rules from configuration (JSON) and merges them over the defaults.
 * Throws an Error naming the bad rule.
 */
export function parseMaskRules(config: unknown, base: Readonly<MaskRules> = DEFAULT_MASK_RULES): MaskRules {
  const parsed = MaskRulesSchema.safeParse(config ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? `rule "${String(issue.path[0])}"` : 'mask rules';
    throw new Error(`invalid ${where}: ${issue.message}`);
  }
  return { ...base, ...(parsed.data as MaskRules) };
}

function isKeepRule(rule: MaskRule): rule is KeepRule {
  return typeof rule === 'object' && 'keepStart' in rule;
}
function isSurnameRule(rule: MaskRule): rule is SurnameRule {
  return typeof rule === 'object' && 'surname' in rule;
}

/** Whether a rule removes the column (only `'drop'`). */
export function isDropRule(rule: MaskRule): boolean {
  return rule === 'drop';
}

/** Looks up the rule an item names; undefined when the item has no mask. Throws on an unknown rule name. */
export function ruleFor(item: Pick<ItemLike, 'name' | 'mask'>, rules: Readonly<MaskRules> = DEFAULT_MASK_RULES): MaskRule | undefined {
  if (item.mask === undefined || item.mask === null) return undefined;
  const rule = Object.prototype.hasOwnProperty.call(rules, item.mask) ? rules[item.mask] : undefined;
  if (rule === undefined) throw new Error(`item "${item.name}" names unknown mask rule "${item.mask}"`);
  return rule;
}

// ---------------------------------------------------------------------------------------------
// JS masking

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function requireSalt(options?: MaskOptions): string {
  const salt = options?.salt;
  if (!salt) throw new Error('hash mask rule needs a configured salt (MaskOptions.salt)');
  return salt;
}

function maskKeep(rule: KeepRule, text: string): string {
  const chars = Array.from(text);
  const char = rule.char ?? '*';
  const n = chars.length;
  if (n <= rule.keepStart + rule.keepEnd) return char.repeat(n);
  return (
    chars.slice(0, rule.keepStart).join('') +
    char.repeat(n - rule.keepStart - rule.keepEnd) +
    (rule.keepEnd > 0 ? chars.slice(n - rule.keepEnd).join('') : '')
  );
}

/** Length of the surname kept for a name given as code points. */
function surnameLength(chars: string[]): number {
  if (chars.length >= 3 && COMPOUND_SET.has(chars[0] + chars[1])) return 2;
  if (chars.length >= 2) return 1;
  return 0;
}

function maskSurname(text: string): string {
  const chars = Array.from(text);
  const keep = surnameLength(chars);
  return chars.slice(0, keep).join('') + '*'.repeat(chars.length - keep);
}

function hashValue(text: string, salt: string): string {
  return createHash('sha256').update(salt + text, 'utf8').digest('hex');
}

/**
 * Masks one value. `null`/`undefined` give `null`; a `drop` rule gives `undefined`
 * (the column is not output at all).
 */
export function maskValue(rule: MaskRule, value: unknown, options?: MaskOptions): string | null | undefined {
  if (rule === 'drop') return undefined;
  if (value === null || value === undefined) {
    if (rule === 'hash') requireSalt(options);
    return null;
  }
  const text = asText(value);
  if (rule === 'hash') return hashValue(text, requireSalt(options));
  if (isSurnameRule(rule)) return maskSurname(text);
  if (isKeepRule(rule)) return maskKeep(rule, text);
  throw new Error(`unsupported mask rule ${JSON.stringify(rule)}`);
}

// ---------------------------------------------------------------------------------------------
// Row masking

export interface MaskerOptions extends MaskOptions {
  /**
   * What to do with an item marked personal/sensitive that names no mask rule.
   * `'throw'` (default): refuse to build the masker — personal data never leaves unmasked.
   * `'drop'`: leave the column out. `'allow'`: pass it through (only for callers that have
   * checked a grant allowing raw values).
   */
  unmaskedPersonal?: 'throw' | 'drop' | 'allow';
  /** Item names to pass through raw even though they name a mask (a sharing grant approved raw access). */
  raw?: readonly string[];
}

export type RowMasker = ((row: Readonly<Record<string, unknown>>) => Record<string, unknown>) & {
  /** Output column names in item order, dropped columns omitted. */
  readonly columns: readonly string[];
  /** Output column -> name of the mask rule applied (masked columns only). */
  readonly masked: Readonly<Record<string, string>>;
  /** Item names left out of the output. */
  readonly dropped: readonly string[];
};

const PERSONAL = new Set(['personal', 'sensitive']);

/**
 * Builds a function that masks a row object. The output holds only the items' columns (in item
 * order, dropped columns omitted); keys of the input row that are not items are not copied.
 */
export function buildMasker(
  items: readonly ItemLike[],
  rules: Readonly<MaskRules> = DEFAULT_MASK_RULES,
  options: MaskerOptions = {},
): RowMasker {
  const raw = new Set(options.raw ?? []);
  const policy = options.unmaskedPersonal ?? 'throw';
  const plan: Array<{ name: string; rule?: MaskRule }> = [];
  const masked: Record<string, string> = {};
  const dropped: string[] = [];
  const unmasked: string[] = [];
  for (const item of items) {
    const rule = raw.has(item.name) ? undefined : ruleFor(item, rules);
    if (rule === undefined && !raw.has(item.name) && item.sensitivity && PERSONAL.has(item.sensitivity)) {
      if (policy === 'throw') unmasked.push(item.name);
      else if (policy === 'drop') {
        dropped.push(item.name);
        continue;
      }
    }
    if (rule !== undefined && isDropRule(rule)) {
      dropped.push(item.name);
      continue;
    }
    if (rule === 'hash') requireSalt(options);
    if (rule !== undefined) masked[item.name] = item.mask as string;
    plan.push({ name: item.name, rule });
  }
  if (unmasked.length) {
    throw new Error(`personal/sensitive items without a mask rule: ${unmasked.join(', ')}`);
  }
  const salted: MaskOptions = { salt: options.salt };
  const fn = (row: Readonly<Record<string, unknown>>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const step of plan) {
      const v = row[step.name];
      out[step.name] = step.rule === undefined ? (v === undefined ? null : v) : maskValue(step.rule, v, salted);
    }
    return out;
  };
  return Object.assign(fn, {
    columns: Object.freeze(plan.map((p) => p.name)),
    masked: Object.freeze(masked),
    dropped: Object.freeze(dropped),
  });
}

/**
 * Items marked personal or sensitive that name no (known) mask rule. A resource with any such
 * item must not be published as open.
 */
export function unmaskedPersonalItems(items: readonly ItemLike[], rules: Readonly<MaskRules> = DEFAULT_MASK_RULES): ItemLike[] {
  return items.filter((item) => {
    if (!item.sensitivity || !PERSONAL.has(item.sensitivity)) return false;
    if (item.mask === undefined || item.mask === null) return true;
    return !Object.prototype.hasOwnProperty.call(rules, item.mask);
  });
}

// ---------------------------------------------------------------------------------------------
// SQL (PostgreSQL) equivalents, for the fast paths that stream with COPY ... TO STDOUT

/**
 * A PostgreSQL expression (text, or NULL for NULL input) equal to `maskValue(rule, value)` for the
 * column `columnSqlIdentifier` (already quoted, e.g. `"mobile"` or `t."mobile"`). Non-text columns
 * are cast with `::text`; for numbers that matches `String(value)` for integers and most decimals.
 * A `drop` rule has no expression (the column must be left out of the select list): it throws.
 */
export function maskSql(rule: MaskRule, columnSqlIdentifier: string, options?: MaskOptions): string {
  const v = `(${columnSqlIdentifier})::text`;
  if (rule === 'drop') throw new Error('a drop rule has no SQL expression: leave the column out of the select list');
  if (rule === 'hash') {
    const salt = requireSalt(options);
    return `encode(sha256(convert_to(${sqlLiteral(salt)} || ${v}, 'UTF8')), 'hex')`;
  }
  if (isSurnameRule(rule)) {
    const list = COMPOUND_SURNAMES.map(sqlLiteral).join(', ');
    return (
      `(CASE WHEN ${v} IS NULL THEN NULL` +
      ` WHEN char_length(${v}) >= 3 AND left(${v}, 2) IN (${list}) THEN left(${v}, 2) || repeat('*', char_length(${v}) - 2)` +
      ` WHEN char_length(${v}) >= 2 THEN left(${v}, 1) || repeat('*', char_length(${v}) - 1)` +
      ` ELSE repeat('*', char_length(${v})) END)`
    );
  }
  if (isKeepRule(rule)) {
    const ks = checkCount(rule.keepStart, 'keepStart');
    const ke = checkCount(rule.keepEnd, 'keepEnd');
    const c = sqlLiteral(rule.char ?? '*');
    return (
      `(CASE WHEN ${v} IS NULL THEN NULL` +
      ` WHEN char_length(${v}) <= ${ks + ke} THEN repeat(${c}, char_length(${v}))` +
      ` ELSE left(${v}, ${ks}) || repeat(${c}, char_length(${v}) - ${ks + ke}) || right(${v}, ${ke}) END)`
    );
  }
  throw new Error(`unsupported mask rule ${JSON.stringify(rule)}`);
}

function checkCount(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what} must be a non-negative integer`);
  return n;
}

export interface MaskedSelectColumn {
  /** Output column name. */
  name: string;
  /** SQL select-list entry: the (masked) expression aliased to the column name. */
  sql: string;
}

/**
 * The select list for a COPY/SELECT fast path: one entry per output column, masked expressions
 * aliased to their item name, dropped columns omitted. Same policy options as `buildMasker`.
 * `qualifier` (an already-quoted table alias) prefixes column references.
 */
export function maskedSelectList(
  items: readonly ItemLike[],
  rules: Readonly<MaskRules> = DEFAULT_MASK_RULES,
  options: MaskerOptions & { qualifier?: string } = {},
): MaskedSelectColumn[] {
  const masker = buildMasker(items, rules, options); // applies the same policy checks
  const byName = new Map(items.map((i) => [i.name, i]));
  const raw = new Set(options.raw ?? []);
  return masker.columns.map((name) => {
    const col = (options.qualifier ? `${options.qualifier}.` : '') + quoteIdent(name);
    const item = byName.get(name)!;
    const rule = raw.has(name) ? undefined : ruleFor(item, rules);
    const expr = rule === undefined ? col : maskSql(rule, col, options);
    return { name, sql: rule === undefined ? col : `${expr} AS ${quoteIdent(name)}` };
  });
}
