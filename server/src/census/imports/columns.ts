/**
 * The columns of the census templates (系统清单, 数据清单 and its 信息项, 需求清单), derived from
 * the JSON Schemas: each leaf property of a document is one column whose header is its Chinese
 * title; nested objects flatten into `父标题-子标题` columns (信息资源格式-类型, 系统联系人-手机号码).
 * A resource's items (信息项) go to a second sheet keyed by the resource name.
 *
 * The same model reads cells back: enum cells take the Chinese label or the code, list cells
 * take 、，,;； or line breaks between values, booleans 是/否.
 */
import { fieldInfo, type JsonSchema } from '../../schemas/validator.ts';
import { escapePointerSegment } from '../../schemas/catalog.ts';
import { KINDS, type CensusKind } from '../documents/kinds.ts';

export const LISTS = ['systems', 'resources', 'demands'] as const;
export type ListName = (typeof LISTS)[number];

export const LIST_KIND: Record<ListName, CensusKind> = { systems: 'system', resources: 'resource', demands: 'demand' };

/** Sheet names: the list's Chinese name, and 信息项 for the items of resources. */
export const SHEET: Record<ListName, string> = { systems: KINDS.system.list, resources: KINDS.resource.list, demands: KINDS.demand.list };
export const ITEMS_SHEET = '信息项';
/** The items sheet's key column: the resource name, as in the main sheet. */
export const ITEMS_KEY = '信息资源名称';

/** First-cell markers of the template rows that are not data; the importer skips such rows. */
export const DESCRIPTION_MARK = '【填写说明】';
export const EXAMPLE_MARK = '【示例】';

/** Headers that may stand in a sheet without being data (a running number); their cells are ignored. */
export const IGNORED_HEADERS = ['序号'];

export type CellKind = 'text' | 'date' | 'integer' | 'number' | 'boolean' | 'enum' | 'list' | 'system-ref' | 'category';

export interface Column {
  /** The Chinese header as written in the template. */
  header: string;
  /** JSON pointer of the value in the document (for item columns: in the item, e.g. `/type`). */
  pointer: string;
  kind: CellKind;
  /** code → Chinese label, for enums. */
  labels?: Record<string, string>;
  /** Codes are integers (等保定级 1–5). */
  integerCodes?: boolean;
  /** Required in every row (the property and every object above it are required). */
  required: boolean;
  /** The text of the description row. */
  description: string;
  /** The object groups above the column, outermost first (e.g. [{ header: '运维单位', pointer: '/operator' }]). */
  groups: { header: string; pointer: string }[];
}

/** The Chinese part of a schema description ("中文说明。English." → "中文说明。"). */
export function chineseOf(description: string | undefined): string {
  if (!description) return '';
  let last = -1;
  for (let i = 0; i < description.length; i++) if (/[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/.test(description[i])) last = i;
  return last < 0 ? description : description.slice(0, last + 1);
}

/** property name → the x-message (zh) of every if/then rule of an object that makes it required. */
function conditionalRules(schema: JsonSchema | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const rule of (schema?.allOf as JsonSchema[] | undefined) ?? []) {
    const zh = (rule['x-message'] as { zh?: string } | undefined)?.zh;
    const then = rule.then as JsonSchema | undefined;
    const names = (then?.required as string[] | undefined) ?? [];
    for (const n of names) if (zh) out.set(n, [...(out.get(n) ?? []), zh]);
  }
  return out;
}

function typeOf(schema: JsonSchema | undefined): string | undefined {
  const t = schema?.type;
  return Array.isArray(t) ? (t.find((x) => x !== 'null') as string | undefined) : (t as string | undefined);
}

function labelList(labels: Record<string, string>): string {
  return Object.values(labels).join('、');
}

function describe(kind: CellKind, base: string, opts: { required: boolean; conditions: string[]; labels?: Record<string, string>; optionalParent?: string }): string {
  const parts = [base];
  if (opts.required) parts.push('必填。');
  else if (opts.optionalParent) parts.push(`填写${opts.optionalParent}时必填。`);
  for (const c of opts.conditions) parts.push(`${c}。`);
  switch (kind) {
    case 'enum':
      parts.push(`可填：${labelList(opts.labels ?? {})}（也可填代码 ${Object.keys(opts.labels ?? {}).join('/')}）。`);
      break;
    case 'list':
      parts.push('可填多个，用“、”分隔（也可用，或 ;）。');
      break;
    case 'boolean':
      parts.push('填“是”或“否”。');
      break;
    case 'date':
      parts.push('日期，格式 YYYY-MM-DD，如 2018-06-01。');
      break;
    case 'integer':
      parts.push('整数。');
      break;
    case 'number':
      parts.push('数字。');
      break;
    case 'system-ref':
      parts.push('填本部门系统清单中已登记的系统名称或系统编号。');
      break;
    case 'category':
      parts.push('填分类代码（如 102）或分类名称（如 法人单位信息）。');
      break;
    default:
  }
  return parts.join('');
}

interface WalkOptions {
  kind: CensusKind;
  /** Pointer prefix used for fieldInfo (items: `/items/0`). */
  infoPrefix: string;
  /** Pointer prefix of the produced column pointers. */
  pointerPrefix: string;
  headerPrefix: string;
  parentTitle: string;
  parentRequired: boolean;
  optionalParent?: string;
  groups: Column['groups'];
  skip?: (pointer: string) => boolean;
}

function walk(o: WalkOptions, out: Column[]): void {
  const parent = fieldInfo(o.kind, o.infoPrefix).schema;
  const props = (parent?.properties as Record<string, JsonSchema> | undefined) ?? {};
  const required = new Set((parent?.required as string[] | undefined) ?? []);
  const rules = conditionalRules(parent);
  for (const name of Object.keys(props)) {
    const seg = escapePointerSegment(name);
    const pointer = `${o.pointerPrefix}/${seg}`;
    const infoPointer = `${o.infoPrefix}/${seg}`;
    if (o.skip?.(pointer)) continue;
    const fi = fieldInfo(o.kind, infoPointer);
    let title = fi.title ?? name;
    if (o.parentTitle && title.startsWith(o.parentTitle) && title.length > o.parentTitle.length) title = title.slice(o.parentTitle.length);
    const isRequired = o.parentRequired && required.has(name);
    const type = typeOf(fi.schema);
    if (type === 'object') {
      walk(
        {
          ...o,
          infoPrefix: infoPointer,
          pointerPrefix: pointer,
          headerPrefix: `${o.headerPrefix}${title}-`,
          parentTitle: fi.title ?? title,
          parentRequired: isRequired,
          optionalParent: isRequired ? o.optionalParent : `“${o.headerPrefix}${title}”`,
          groups: [...o.groups, { header: `${o.headerPrefix}${title}`, pointer }],
        },
        out,
      );
      continue;
    }
    let kind: CellKind;
    if (o.kind === 'resource' && pointer === '/sourceSystem') kind = 'system-ref';
    else if (o.kind === 'resource' && pointer === '/category') kind = 'category';
    else if (fi.labels && (type === 'string' || type === 'integer')) kind = 'enum';
    else if (type === 'array') kind = 'list';
    else if (type === 'boolean') kind = 'boolean';
    else if (type === 'integer') kind = 'integer';
    else if (type === 'number') kind = 'number';
    else if (type === 'string' && fi.schema?.format === 'date') kind = 'date';
    else kind = 'text';
    out.push({
      header: `${o.headerPrefix}${title}`,
      pointer,
      kind,
      ...(kind === 'enum' ? { labels: fi.labels, ...(type === 'integer' ? { integerCodes: true } : {}) } : {}),
      required: isRequired,
      description: describe(kind, chineseOf(fi.description), {
        required: isRequired,
        conditions: rules.get(name) ?? [],
        labels: fi.labels,
        optionalParent: !isRequired && required.has(name) ? o.optionalParent : undefined,
      }),
      groups: o.groups,
    });
  }
}

export interface ListColumns {
  list: ListName;
  kind: CensusKind;
  sheet: string;
  columns: Column[];
  /** The column of the owning department's 统一社会信用代码. */
  owner: Column;
  /** Resources only: the 信息项 sheet's columns after its key column. */
  items?: Column[];
  /** Resources only: the key column of the 信息项 sheet. */
  itemsKey?: Column;
}

const cache = new Map<ListName, ListColumns>();

/** The template columns of a census list. */
export function listColumns(list: ListName): ListColumns {
  let lc = cache.get(list);
  if (lc) return lc;
  const kind = LIST_KIND[list];
  const columns: Column[] = [];
  walk({ kind, infoPrefix: '', pointerPrefix: '', headerPrefix: '', parentTitle: '', parentRequired: true, groups: [], skip: (p) => kind === 'resource' && p === '/items' }, columns);
  const ownerPointer = `/${KINDS[kind].ownerField}`;
  const owner = columns.find((c) => c.pointer === ownerPointer)!;
  owner.description += '导入时可留空，自动填为导入部门。';
  lc = { list, kind, sheet: SHEET[list], columns, owner };
  if (kind === 'resource') {
    const items: Column[] = [];
    walk({ kind, infoPrefix: '/items/0', pointerPrefix: '', headerPrefix: '', parentTitle: '', parentRequired: true, groups: [] }, items);
    const nameCol = columns.find((c) => c.pointer === '/name')!;
    lc.items = items;
    lc.itemsKey = { ...nameCol, description: '所属信息资源的名称，须与「数据清单」工作表中的信息资源名称一致。必填。一个信息资源有几个信息项就填几行。' };
  }
  cache.set(list, lc);
  return lc;
}

/** Header text as compared on import: no spaces or required-marks, full-width brackets, upper-case latin. */
export function normalizeHeader(h: string): string {
  return h
    .replace(/[\s\u3000*＊]/g, '')
    .replace(/\(/g, '（')
    .replace(/\)/g, '）')
    .replace(/[－—–]/g, '-')
    .toUpperCase();
}

/** A document value as a template cell: labels for enums, 是/否, lists joined with 、. */
export function toCell(column: Column, value: unknown): string | number | null {
  if (value === undefined || value === null) return null;
  switch (column.kind) {
    case 'enum':
      return column.labels?.[String(value)] ?? String(value);
    case 'boolean':
      return value ? '是' : '否';
    case 'list':
      return Array.isArray(value) ? value.join('、') : String(value);
    case 'integer':
    case 'number':
    case 'system-ref':
      return typeof value === 'number' ? value : String(value);
    default:
      return String(value);
  }
}

/** Reads the value at a JSON pointer of a document. */
export function getPointer(doc: unknown, pointer: string): unknown {
  let cur = doc as Record<string, unknown> | undefined;
  for (const seg of pointer.slice(1).split('/')) {
    if (cur === undefined || cur === null || typeof cur !== 'object') return undefined;
    cur = cur[seg.replace(/~1/g, '/').replace(/~0/g, '~')] as Record<string, unknown> | undefined;
  }
  return cur;
}

/** Sets the value at a JSON pointer of a document, creating the objects on the way. */
export function setPointer(doc: Record<string, unknown>, pointer: string, value: unknown): void {
  const segs = pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let cur = doc;
  for (const seg of segs.slice(0, -1)) {
    if (!cur[seg] || typeof cur[seg] !== 'object') cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  }
  cur[segs[segs.length - 1]] = value;
}
