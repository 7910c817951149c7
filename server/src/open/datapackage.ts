/**
 * Frictionless Data Package (v1, profile `tabular-data-package`) for one open dataset, with a
 * Table Schema built from the catalogue items (信息项). Served as
 * `GET /api/v1/datasets/:code/datapackage.json`; mapping documented in docs/open-data-standards.md.
 *
 * The schema describes the data as it is published: items with a mask rule are described in
 * their masked form (strings), items masked with `drop` are left out, personal/sensitive items
 * without a mask are refused (they must never be published).
 */
import type { ItemLike } from '../data/items.ts';
import type { MaskOptions, MaskRule, MaskRules } from '../data/masking.ts';
import { DEFAULT_MASK_RULES, isDropRule, ruleFor, unmaskedPersonalItems } from '../data/masking.ts';

/** Regular expressions for the named identifier checks (the format part; check digits are not expressible). */
export const CHECK_PATTERNS: Readonly<Record<string, string>> = Object.freeze({
  uscc: '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$',
  'id-card': '^[0-9]{17}[0-9X]$',
  'region-code': '^[0-9]{6}([0-9]{6})?$',
  mobile: '^1[0-9]{10}$',
});
const CHECK_ALIASES: Record<string, string> = { idcard: 'id-card', id_card: 'id-card', region: 'region-code' };

export type TableFieldType = 'string' | 'number' | 'integer' | 'date' | 'datetime' | 'boolean';

export interface TableFieldConstraints {
  required?: boolean;
  unique?: boolean;
  pattern?: string;
  enum?: Array<string | number | boolean>;
  minLength?: number;
  maxLength?: number;
  minimum?: number | string;
  maximum?: number | string;
}

export interface TableField {
  name: string;
  title?: string;
  description?: string;
  type: TableFieldType;
  format?: string;
  bareNumber?: boolean;
  constraints?: TableFieldConstraints;
}

export interface TableSchema {
  fields: TableField[];
  primaryKey?: string[];
  missingValues: string[];
}

export type DownloadFormat = 'csv' | 'ndjson' | 'json' | 'arrow' | 'xlsx';
export const DOWNLOAD_FORMATS: readonly DownloadFormat[] = ['csv', 'ndjson', 'json', 'arrow', 'xlsx'];

/** Media types of the download formats (ndjson has no IANA registration; the common x- type is used). */
export const FORMAT_MEDIA_TYPES: Readonly<Record<DownloadFormat, string>> = Object.freeze({
  csv: 'text/csv',
  ndjson: 'application/x-ndjson',
  json: 'application/json',
  arrow: 'application/vnd.apache.arrow.stream',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
});
const TEXT_FORMATS = new Set<DownloadFormat>(['csv', 'ndjson', 'json']);

export interface SchemaOptions extends MaskOptions {
  rules?: Readonly<MaskRules>;
}

export interface DataPackageInput {
  /** 信息资源代码, e.g. `3070220400031/000038`. */
  code: string;
  title: string;
  description?: string;
  /** Globally unique id of the package (use the dataset IRI of the DCAT export). */
  id?: string;
  /** Where a person reads about the dataset (portal page or metadata URL). */
  homepage?: string;
  licence: string | { url: string; title?: string; name?: string };
  keywords?: string[];
  publisher?: { name: string; url?: string; email?: string };
  version?: string;
  items: readonly ItemLike[];
  /** Download URL per format; one tabular resource per entry, in DOWNLOAD_FORMATS order. */
  downloads: Partial<Record<DownloadFormat, string>>;
}

export interface DataPackageResource {
  profile: 'tabular-data-resource';
  name: string;
  title?: string;
  path: string;
  format: DownloadFormat;
  mediatype: string;
  encoding?: string;
  dialect?: { delimiter: string; doubleQuote: boolean; header: boolean };
  schema: TableSchema;
}

export interface DataPackage {
  profile: 'tabular-data-package';
  name: string;
  id?: string;
  title: string;
  description?: string;
  homepage?: string;
  version?: string;
  keywords?: string[];
  licenses: Array<{ name?: string; path: string; title?: string }>;
  contributors?: Array<{ title: string; role: 'publisher'; path?: string; email?: string }>;
  resources: DataPackageResource[];
}

function normalisedCheck(check: string | undefined): string | undefined {
  if (!check) return undefined;
  const c = check.trim().toLowerCase();
  return CHECK_PATTERNS[c] ? c : CHECK_ALIASES[c];
}

function nativeType(item: ItemLike): TableFieldType {
  switch (item.type) {
    case 'C':
    case 'M':
    case 'G':
      return 'string';
    case 'N':
    case 'Y':
      return item.scale === 0 ? 'integer' : 'number';
    case 'B':
    case 'F':
      return 'number';
    case 'I':
      return 'integer';
    case 'D':
      return 'date';
    case 'T':
      return 'datetime';
    case 'L':
      return 'boolean';
    default:
      throw new Error(`item "${(item as ItemLike).name}" has unknown type ${JSON.stringify((item as ItemLike).type)}`);
  }
}

function enumFor(type: TableFieldType, values: Array<string | number | boolean>, item: ItemLike): Array<string | number | boolean> {
  const out = values.map((v) => {
    if (type === 'number' || type === 'integer') {
      const n = typeof v === 'number' ? v : Number(v);
      if (typeof v === 'boolean' || !Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) {
        throw new Error(`item "${item.name}": enum value ${JSON.stringify(v)} is not a ${type}`);
      }
      return n;
    }
    if (type === 'boolean') {
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 1 || v === '1') return true;
      if (v === 'false' || v === 0 || v === '0') return false;
      throw new Error(`item "${item.name}": enum value ${JSON.stringify(v)} is not a boolean`);
    }
    return String(v);
  });
  return out.filter((v, i) => out.indexOf(v) === i);
}

function describe(item: ItemLike, maskName?: string): string | undefined {
  const parts: string[] = [];
  if (item.description) parts.push(item.description);
  if (maskName) parts.push(`已脱敏（${maskName}）/ masked (${maskName})`);
  return parts.length ? parts.join(' ') : undefined;
}

function maskedField(item: ItemLike, rule: MaskRule, maskName: string): TableField {
  const constraints: TableFieldConstraints = {};
  if (item.required || item.key) constraints.required = true;
  if (rule === 'hash') {
    constraints.pattern = '^[0-9a-f]{64}$';
    constraints.minLength = 64;
    constraints.maxLength = 64;
  } else if ((item.type === 'C' || item.type === 'M') && item.length !== undefined) {
    // keep/surname rules preserve the length in characters
    constraints.maxLength = item.length;
  }
  return compact({
    name: item.name,
    title: item.label || undefined,
    description: describe(item, maskName),
    type: 'string',
    constraints: Object.keys(constraints).length ? constraints : undefined,
  });
}

function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * The Table Schema field for one item as published, or null when the item's mask drops it.
 */
export function tableField(item: ItemLike, options: SchemaOptions = {}): TableField | null {
  const rules = options.rules ?? DEFAULT_MASK_RULES;
  const rule = ruleFor(item, rules);
  if (rule !== undefined) {
    if (isDropRule(rule)) return null;
    return maskedField(item, rule, String(item.mask));
  }
  const type = nativeType(item);
  const field: TableField = { name: item.name, title: item.label || undefined, description: describe(item), type };
  const c: TableFieldConstraints = {};
  if (item.required || item.key) c.required = true;
  switch (type) {
    case 'string': {
      if (item.type === 'G') field.format = 'binary';
      if ((item.type === 'C' || item.type === 'M') && item.length !== undefined) c.maxLength = item.length;
      const check = normalisedCheck(item.check);
      const pattern = item.pattern ?? (check ? CHECK_PATTERNS[check] : undefined);
      if (pattern !== undefined) c.pattern = pattern;
      break;
    }
    case 'number':
    case 'integer':
      field.bareNumber = true;
      if (item.pattern !== undefined) c.pattern = item.pattern;
      if (item.minimum !== undefined) c.minimum = numeric(item.minimum, item, 'minimum');
      if (item.maximum !== undefined) c.maximum = numeric(item.maximum, item, 'maximum');
      break;
    case 'date':
    case 'datetime':
      if (item.minimum !== undefined) c.minimum = String(item.minimum);
      if (item.maximum !== undefined) c.maximum = String(item.maximum);
      break;
    case 'boolean':
      break;
  }
  if (item.enum && item.enum.length) c.enum = enumFor(type, item.enum, item);
  if (Object.keys(c).length) field.constraints = c;
  return compact(field);
}

function numeric(v: number | string, item: ItemLike, what: string): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw new Error(`item "${item.name}": ${what} ${JSON.stringify(v)} is not a number`);
  return n;
}

/**
 * The Table Schema of the items as published. Throws when an item is personal/sensitive and has
 * no mask rule, when an item names an unknown rule, or when two items share a name.
 * The primary key (items with `key: true`) is kept only when every key column survives unmasked
 * or hashed — other masks make values collide, so the key would be false.
 */
export function tableSchema(items: readonly ItemLike[], options: SchemaOptions = {}): TableSchema {
  const rules = options.rules ?? DEFAULT_MASK_RULES;
  const unmasked = unmaskedPersonalItems(items, rules);
  if (unmasked.length) {
    throw new Error(`personal/sensitive items without a mask rule: ${unmasked.map((i) => i.name).join(', ')}`);
  }
  const seen = new Set<string>();
  const fields: TableField[] = [];
  for (const item of items) {
    if (seen.has(item.name)) throw new Error(`duplicate item name "${item.name}"`);
    seen.add(item.name);
    const f = tableField(item, options);
    if (f) fields.push(f);
  }
  const schema: TableSchema = { fields, missingValues: [''] };
  const keys = items.filter((i) => i.key);
  if (keys.length) {
    const keyOk = keys.every((i) => {
      const rule = ruleFor(i, rules);
      return rule === undefined || rule === 'hash';
    });
    if (keyOk) schema.primaryKey = keys.map((i) => i.name);
  }
  return schema;
}

/** Package/resource name from a resource code: lower case, `/` and other characters -> `-`. */
export function packageName(code: string): string {
  const name = code
    .toLowerCase()
    .replace(/[^-a-z0-9._]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!name) throw new Error(`cannot derive a package name from code ${JSON.stringify(code)}`);
  return name;
}

function absoluteUrl(u: string, what: string): string {
  try {
    const url = new URL(u);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url.href;
  } catch {
    throw new Error(`${what} is not an absolute http(s) URL: ${JSON.stringify(u)}`);
  }
}

const FORMAT_TITLES: Record<DownloadFormat, string> = { csv: 'CSV', ndjson: 'NDJSON', json: 'JSON', arrow: 'Apache Arrow IPC stream', xlsx: 'Excel (XLSX)' };

/** Builds the Data Package descriptor. */
export function toDataPackage(input: DataPackageInput, options: SchemaOptions = {}): DataPackage {
  if (!input.title?.trim()) throw new Error('data package needs a title');
  const name = packageName(input.code);
  const schema = tableSchema(input.items, options);
  if (!schema.fields.length) throw new Error(`dataset ${input.code} has no publishable items`);
  const licence = typeof input.licence === 'string' ? { url: input.licence } : input.licence;
  const licenceEntry: { name?: string; path: string; title?: string } = { path: absoluteUrl(licence.url, 'licence') };
  if (licence.name && /^[-a-zA-Z0-9._]+$/.test(licence.name)) licenceEntry.name = licence.name;
  if (licence.title) licenceEntry.title = licence.title;

  const resources: DataPackageResource[] = [];
  for (const format of DOWNLOAD_FORMATS) {
    const url = input.downloads[format];
    if (!url) continue;
    const r: DataPackageResource = {
      profile: 'tabular-data-resource',
      name: `${name}-${format}`,
      title: `${input.title}（${FORMAT_TITLES[format]}）`,
      path: absoluteUrl(url, `${format} download`),
      format,
      mediatype: FORMAT_MEDIA_TYPES[format],
      schema,
    };
    if (TEXT_FORMATS.has(format)) r.encoding = 'utf-8';
    if (format === 'csv') r.dialect = { delimiter: ',', doubleQuote: true, header: true };
    resources.push(r);
  }
  if (!resources.length) throw new Error(`dataset ${input.code} has no download URL`);

  const pkg: DataPackage = {
    profile: 'tabular-data-package',
    name,
    id: input.id,
    title: input.title,
    description: input.description || undefined,
    homepage: input.homepage ? absoluteUrl(input.homepage, 'homepage') : undefined,
    version: input.version,
    keywords: input.keywords?.length ? [...input.keywords] : undefined,
    licenses: [licenceEntry],
    contributors: input.publisher
      ? [
          compact({
            title: input.publisher.name,
            role: 'publisher' as const,
            path: input.publisher.url ? absoluteUrl(input.publisher.url, 'publisher url') : undefined,
            email: input.publisher.email,
          }),
        ]
      : undefined,
    resources,
  };
  return compact(pkg);
}
