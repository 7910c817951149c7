/**
 * Validation of census documents against catalog-schemas/*.schema.json.
 *
 * One Ajv (draft 2020-12) instance holds all schema files, the formats of ajv-formats and the
 * four checked identifiers of identifiers.ts (`uscc`, `id-card`, `region-code`, `mobile`), and
 * the ODX keywords:
 *   - `x-labels`    annotation: enum code → Chinese label
 *   - `x-message`   annotation on an if/then rule: why the rule exists ({ zh, en })
 *   - `x-unique-by` on an array of objects: the named property must be unique (item names)
 *   - `x-lte`       on an object: list of [a, b] property pairs with a ≤ b when both are present
 *
 * Violations carry a JSON pointer to the offending value (for a missing property: the path the
 * property should have), the failing keyword, Ajv's params, and messages in English and Chinese
 * that name the field by its Chinese title and, for enums, the allowed codes with their labels.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { AnySchemaObject, ErrorObject, SchemaValidateFunction, ValidateFunction } from 'ajv';
import type { DataValidationCxt } from 'ajv/dist/types/index.js';
import addFormats from 'ajv-formats';
import { CUSTOM_FORMATS, FORMAT_TEXT, formatDetail, lteErrors, uniqueByErrors, type RuleMessage } from './keywords.ts';
import {
  allSchemas,
  COMMON_SCHEMA_ID,
  DOCUMENT_KINDS,
  escapePointerSegment,
  fieldInfo,
  pointerSegments,
  schemaId,
} from './catalog.ts';
import type { DocumentKind, FieldInfo } from './catalog.ts';
import type { Department } from './generated/department.ts';
import type { InformationSystem } from './generated/system.ts';
import type { DataResource, ResourceItem } from './generated/resource.ts';
import type { DataDemand } from './generated/demand.ts';
import type { ShareRequest } from './generated/share-request.ts';
import type { OpenApplication } from './generated/open-application.ts';

export { DOCUMENT_KINDS, schemaOf, bundledSchemaOf, commonSchema, fieldInfo, schemaId } from './catalog.ts';
export type { DocumentKind, FieldInfo, JsonSchema } from './catalog.ts';
export type { Department, InformationSystem, DataResource, ResourceItem, DataDemand, ShareRequest, OpenApplication };

/** The TypeScript type of each document kind (generated from the schemas by `npm run schemas`). */
export interface DocTypes {
  department: Department;
  system: InformationSystem;
  resource: DataResource;
  demand: DataDemand;
  'share-request': ShareRequest;
  'open-application': OpenApplication;
}
export type DocType<K extends DocumentKind> = DocTypes[K];

export interface Violation {
  /** JSON pointer of the offending value, e.g. `/items/2/type`; for a missing property, where it should be. */
  path: string;
  /** The JSON Schema keyword that failed (`required`, `enum`, `format`, ..., `x-unique-by`, `x-lte`). */
  keyword: string;
  message: string;
  messageZh: string;
  params: Record<string, unknown>;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; violations: Violation[] };

export { CUSTOM_FORMATS } from './keywords.ts';

const uniqueBy: SchemaValidateFunction = function (property: string, data: unknown, _parentSchema?: AnySchemaObject, cxt?: DataValidationCxt): boolean {
  const errors = uniqueByErrors(property, data, cxt?.instancePath ?? '');
  uniqueBy.errors = errors;
  return errors.length === 0;
};

const lessOrEqual: SchemaValidateFunction = function (pairs: [string, string][], data: unknown, _parentSchema?: AnySchemaObject, cxt?: DataValidationCxt): boolean {
  const errors = lteErrors(pairs, data, cxt?.instancePath ?? '');
  lessOrEqual.errors = errors;
  return errors.length === 0;
};

/** Internal schema for validateItems(): a list of items with unique names. */
const ITEMS_SCHEMA_ID = 'https://odx.gov.cn/schemas/internal/items.schema.json';

function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    // Rules written as `if/then: { required: [...] }` name properties declared by the enclosing
    // object, which strictRequired cannot see; test/unit/catalog-schemas.test.ts checks those names instead.
    strictRequired: false,
    verbose: true, // errors carry parentSchema, used for labels and rule messages
  });
  addFormats.default(ajv);
  for (const [name, check] of Object.entries(CUSTOM_FORMATS)) ajv.addFormat(name, { type: 'string', validate: check });
  ajv.addKeyword({ keyword: 'x-labels', schemaType: 'object' });
  ajv.addKeyword({ keyword: 'x-message', schemaType: 'object' });
  ajv.addKeyword({ keyword: 'x-unique-by', type: 'array', schemaType: 'string', errors: true, validate: uniqueBy });
  ajv.addKeyword({ keyword: 'x-lte', type: 'object', schemaType: 'array', errors: true, validate: lessOrEqual });
  for (const schema of allSchemas()) ajv.addSchema(schema as AnySchemaObject);
  ajv.addSchema({
    $id: ITEMS_SCHEMA_ID,
    type: 'array',
    items: { $ref: `${COMMON_SCHEMA_ID}#/$defs/item` },
    minItems: 1,
    'x-unique-by': 'name',
  });
  return ajv;
}

let ajvInstance: Ajv2020 | undefined;
/** The shared Ajv instance with every catalog schema added (by `$id`). */
export function getAjv(): Ajv2020 {
  ajvInstance ??= createAjv();
  return ajvInstance;
}

const validators = new Map<string, ValidateFunction>();
function validatorFor(id: string): ValidateFunction {
  let v = validators.get(id);
  if (!v) {
    v = getAjv().getSchema(id);
    if (!v) throw new Error(`schema not found: ${id}`);
    validators.set(id, v);
  }
  return v;
}

/** Compiles every document schema (throws on a schema error); validation compiles lazily otherwise. */
export function compileAll(): void {
  for (const kind of DOCUMENT_KINDS) validatorFor(schemaId(kind));
  validatorFor(ITEMS_SCHEMA_ID);
}

/** Validates a submitted document of the given kind. */
export function validateDocument<K extends DocumentKind>(kind: K, doc: unknown): ValidationResult<DocType<K>> {
  if (!DOCUMENT_KINDS.includes(kind)) throw new Error(`unknown document kind: ${String(kind)}`);
  const validate = validatorFor(schemaId(kind));
  if (validate(doc)) return { ok: true, value: doc as DocType<K> };
  return { ok: false, violations: toViolations(validate.errors ?? [], (path) => fieldInfo(kind, path)) };
}

/**
 * Validates a list of resource items (信息项) on its own, e.g. the columns a loader declares:
 * each item against common.schema.json#/$defs/item, plus unique names. Paths start at the array (`/2/type`).
 */
export function validateItems(items: unknown): ValidationResult<ResourceItem[]> {
  const validate = validatorFor(ITEMS_SCHEMA_ID);
  if (validate(items)) return { ok: true, value: items as ResourceItem[] };
  return { ok: false, violations: toViolations(validate.errors ?? [], (path) => fieldInfo('resource', `/items${path}`)) };
}

// ---------------------------------------------------------------------------------------------
// Error → Violation

type Info = (path: string) => FieldInfo;

interface IfFailure {
  branchPrefix: string;
  instancePath: string;
  message?: RuleMessage;
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + '/');
}

function ruleMessage(schema: AnySchemaObject | undefined): RuleMessage | undefined {
  const m = schema?.['x-message'] as RuleMessage | undefined;
  return m && typeof m.zh === 'string' && typeof m.en === 'string' ? m : undefined;
}

/** An anyOf whose branches only list required properties: "at least one of ...". */
function anyOfRequired(schema: AnySchemaObject | undefined): string[] | undefined {
  const branches = schema?.anyOf as unknown;
  if (!Array.isArray(branches)) return undefined;
  const names: string[] = [];
  for (const b of branches) {
    if (!b || typeof b !== 'object' || Object.keys(b).length !== 1 || !Array.isArray(b.required)) return undefined;
    names.push(...(b.required as string[]));
  }
  return names;
}

export function toViolations(errors: ErrorObject[], info: Info): Violation[] {
  const ifFailures: IfFailure[] = [];
  const collapsedAnyOf: { schemaPath: string; instancePath: string }[] = [];
  for (const e of errors) {
    if (e.keyword === 'if') {
      const failing = String(e.params.failingKeyword ?? 'then');
      ifFailures.push({
        branchPrefix: e.schemaPath.replace(/\/if$/, `/${failing}`),
        instancePath: e.instancePath,
        message: ruleMessage(e.parentSchema),
      });
    } else if (e.keyword === 'anyOf' && anyOfRequired(e.parentSchema)) {
      collapsedAnyOf.push({ schemaPath: e.schemaPath, instancePath: e.instancePath });
    }
  }

  const out: Violation[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    if (collapsedAnyOf.some((a) => e.instancePath === a.instancePath && e.schemaPath.startsWith(a.schemaPath + '/'))) continue;
    let rule: IfFailure | undefined;
    for (const f of ifFailures) {
      if (!e.schemaPath.startsWith(f.branchPrefix + '/') || !isUnder(e.instancePath, f.instancePath)) continue;
      if (!f.message) continue;
      if (!rule || f.branchPrefix.length > rule.branchPrefix.length) rule = f;
    }
    const v = describe(e, info, rule?.message);
    const key = `${v.path}\u0000${v.keyword}\u0000${v.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
}

const TYPE_ZH: Record<string, string> = {
  string: '字符串',
  number: '数字',
  integer: '整数',
  boolean: '布尔值（true/false）',
  object: '对象',
  array: '数组',
  null: '空值',
};

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

function withLabel(code: unknown, labels: Record<string, string> | undefined, zh: boolean): string {
  const label = labels?.[String(code)];
  const c = typeof code === 'string' ? code : show(code);
  if (!label) return c;
  return zh ? `${c}（${label}）` : `${c} (${label})`;
}

function lastSegment(path: string): string | undefined {
  const segs = pointerSegments(path);
  const last = segs[segs.length - 1];
  return last === undefined || /^\d+$/.test(last) ? undefined : last;
}

/** "name (信息资源名称)" / "“信息资源名称”（name）" for a property at a path. */
function fieldNames(path: string, fi: FieldInfo): { en: string; zh: string } {
  const key = lastSegment(path);
  const title = fi.title;
  if (key && title) return { en: `"${key}" (${title})`, zh: `“${title}”（${key}）` };
  if (key) return { en: `"${key}"`, zh: `“${key}”` };
  if (title) return { en: `value (${title})`, zh: `“${title}”` };
  return { en: path ? `value at ${path}` : 'document', zh: path ? `${path} 处的取值` : '文档' };
}

function describe(e: ErrorObject, info: Info, rule: RuleMessage | undefined): Violation {
  const p = e.params as Record<string, unknown>;
  let path = e.instancePath;
  let en: string;
  let zh: string;
  const here = (): { en: string; zh: string } => fieldNames(path, info(path));
  switch (e.keyword) {
    case 'required':
    case 'dependentRequired': {
      const missing = String(p.missingProperty);
      path = `${e.instancePath}/${escapePointerSegment(missing)}`;
      const f = here();
      en = `missing required property ${f.en}`;
      zh = `缺少必填项${f.zh}`;
      if (e.keyword === 'dependentRequired') {
        en += ` (needed with "${String(p.property)}")`;
        zh += `（填写了 ${String(p.property)} 时必填）`;
      }
      break;
    }
    case 'additionalProperties': {
      const extra = String(p.additionalProperty);
      path = `${e.instancePath}/${escapePointerSegment(extra)}`;
      const allowed = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      en = `property "${extra}" is not allowed` + (allowed.length ? `; allowed: ${allowed.join(', ')}` : '');
      zh = `不允许的属性“${extra}”` + (allowed.length ? `；可用属性：${allowed.join('、')}` : '');
      break;
    }
    case 'false schema': {
      const f = here();
      en = `${f.en} is not allowed here`;
      zh = `此处不允许填写${f.zh}`;
      break;
    }
    case 'type': {
      const f = here();
      const types = String(p.type).split(',');
      en = `${f.en} must be of type ${types.join(' or ')}, got ${show(e.data)}`;
      zh = `${f.zh}应为${types.map((t) => TYPE_ZH[t] ?? t).join('或')}，实际为 ${show(e.data)}`;
      break;
    }
    case 'enum': {
      const fi = info(path);
      const f = fieldNames(path, fi);
      const labels = fi.labels ?? (e.parentSchema?.['x-labels'] as Record<string, string> | undefined);
      const allowed = (p.allowedValues as unknown[]) ?? [];
      en = `${f.en} must be one of: ${allowed.map((a) => withLabel(a, labels, false)).join(', ')}; got ${show(e.data)}`;
      zh = `${f.zh}取值应为以下之一：${allowed.map((a) => withLabel(a, labels, true)).join('、')}；实际为 ${show(e.data)}`;
      break;
    }
    case 'const': {
      const fi = info(path);
      const f = fieldNames(path, fi);
      en = `${f.en} must be ${withLabel(p.allowedValue, fi.labels, false)}, got ${show(e.data)}`;
      zh = `${f.zh}应为 ${withLabel(p.allowedValue, fi.labels, true)}，实际为 ${show(e.data)}`;
      break;
    }
    case 'not': {
      const fi = info(path);
      const f = fieldNames(path, fi);
      const excluded = (e.schema as AnySchemaObject | undefined)?.const;
      if (excluded !== undefined) {
        en = `${f.en} must not be ${withLabel(excluded, fi.labels, false)}`;
        zh = `${f.zh}不能为 ${withLabel(excluded, fi.labels, true)}`;
      } else {
        en = `${f.en} must not match the excluded schema`;
        zh = `${f.zh}取值不被允许`;
      }
      break;
    }
    case 'format': {
      const f = here();
      const fmt = String(p.format);
      const text = FORMAT_TEXT[fmt] ?? { en: `format "${fmt}"`, zh: `格式“${fmt}”` };
      const detail = formatDetail(fmt, e.data);
      en = `${f.en} must be ${text.en}, got ${show(e.data)}` + (detail ? `: ${detail.en}` : '');
      zh = `${f.zh}应为${text.zh}，实际为 ${show(e.data)}` + (detail ? `：${detail.zh}` : '');
      break;
    }
    case 'pattern': {
      const f = here();
      en = `${f.en} must match the pattern ${String(p.pattern)}, got ${show(e.data)}`;
      zh = `${f.zh}格式不正确（应匹配 ${String(p.pattern)}），实际为 ${show(e.data)}`;
      break;
    }
    case 'minLength': {
      const f = here();
      const n = Number(p.limit);
      en = n === 1 ? `${f.en} must not be empty` : `${f.en} must have at least ${n} characters`;
      zh = n === 1 ? `${f.zh}不能为空` : `${f.zh}不能少于 ${n} 个字符`;
      break;
    }
    case 'maxLength': {
      const f = here();
      en = `${f.en} must have at most ${String(p.limit)} characters`;
      zh = `${f.zh}不能超过 ${String(p.limit)} 个字符`;
      break;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const f = here();
      const comparison = String(p.comparison);
      const zhOp: Record<string, string> = { '>=': '不能小于', '<=': '不能大于', '>': '应大于', '<': '应小于' };
      en = `${f.en} must be ${comparison} ${String(p.limit)}, got ${show(e.data)}`;
      zh = `${f.zh}${zhOp[comparison] ?? comparison} ${String(p.limit)}，实际为 ${show(e.data)}`;
      break;
    }
    case 'minItems': {
      const f = here();
      en = `${f.en} must have at least ${String(p.limit)} element(s)`;
      zh = `${f.zh}至少应有 ${String(p.limit)} 项`;
      break;
    }
    case 'maxItems': {
      const f = here();
      en = `${f.en} must have at most ${String(p.limit)} elements`;
      zh = `${f.zh}最多 ${String(p.limit)} 项`;
      break;
    }
    case 'uniqueItems': {
      const listPath = e.instancePath;
      const f = fieldNames(listPath, info(listPath));
      // Ajv scans from the end: report the later occurrence as the duplicate
      const dup = Math.max(Number(p.i), Number(p.j));
      const first = Math.min(Number(p.i), Number(p.j));
      path = `${listPath}/${dup}`;
      const value = Array.isArray(e.data) ? e.data[dup] : undefined;
      en = `${f.en} must not contain duplicates: ${show(value)} at index ${dup} repeats index ${first}`;
      zh = `${f.zh}不得重复：第 ${dup + 1} 项 ${show(value)} 与第 ${first + 1} 项相同`;
      break;
    }
    case 'anyOf': {
      const names = anyOfRequired(e.parentSchema);
      if (names) {
        const parts = names.map((n) => ({ n, title: info(`${path}/${escapePointerSegment(n)}`).title }));
        const f = here();
        en = `${f.en} must have at least one of: ${parts.map(({ n, title }) => (title ? `${n} (${title})` : n)).join(', ')}`;
        zh = `${f.zh}须至少填写以下一项：${parts.map(({ n, title }) => (title ? `${title}（${n}）` : n)).join('、')}`;
      } else {
        const f = here();
        en = `${f.en} must match at least one of the alternatives`;
        zh = `${f.zh}不符合任何一种可选格式`;
      }
      break;
    }
    case 'oneOf': {
      const f = here();
      en = `${f.en} must match exactly one of the alternatives`;
      zh = `${f.zh}须且只能符合一种可选格式`;
      break;
    }
    case 'x-unique-by': {
      const f = here();
      en = `${f.en} ${show(p.value)} is used more than once (first at ${String(p.duplicateOf)})`;
      zh = `${f.zh} ${show(p.value)} 重复（与 ${String(p.duplicateOf)} 相同）`;
      break;
    }
    case 'x-lte': {
      const parent = e.instancePath.replace(/\/[^/]*$/, '');
      const a = fieldNames(path, info(path));
      const bPath = `${parent}/${escapePointerSegment(String(p.limitProperty))}`;
      const b = fieldNames(bPath, info(bPath));
      en = `${a.en} (${show(p.value)}) must not exceed ${b.en} (${show(p.limit)})`;
      zh = `${a.zh}（${show(p.value)}）不能大于${b.zh}（${show(p.limit)}）`;
      break;
    }
    default: {
      const f = here();
      en = `${f.en} ${e.message ?? 'is invalid'}`;
      zh = `${f.zh}不符合要求（${e.keyword}）`;
    }
  }
  if (rule) {
    en = `${en} — ${rule.en}`;
    zh = `${rule.zh}：${zh}`;
  }
  return { path, keyword: e.keyword, message: en, messageZh: zh, params: { ...p } };
}
