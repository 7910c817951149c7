/**
 * The JSON Schemas of the census documents (catalog-schemas/*.schema.json): loading, lookup of
 * titles and labels by JSON pointer, and bundling into self-contained schemas.
 *
 * The files are the single source of truth: the validator compiles them, `npm run schemas`
 * generates the TypeScript types from them, and OpenAPI / Excel templates read their titles.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DOCUMENT_KINDS = ['department', 'system', 'resource', 'demand', 'share-request', 'open-application'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Name of the root type of each document kind, in the generated types and the OpenAPI components. */
export const ROOT_TYPE_NAMES: Readonly<Record<DocumentKind, string>> = {
  department: 'Department',
  system: 'InformationSystem',
  resource: 'DataResource',
  demand: 'DataDemand',
  'share-request': 'ShareRequest',
  'open-application': 'OpenApplication',
};

/** A JSON Schema object as stored in the files (draft 2020-12, plus `x-labels`, `x-message`, `x-unique-by`, `x-lte`). */
export type JsonSchema = { [keyword: string]: unknown };

/** Directory of the schema files. */
export const SCHEMA_DIR = fileURLToPath(new URL('../../../catalog-schemas/', import.meta.url));
export const SCHEMA_BASE_URI = 'https://odx.gov.cn/schemas/';
export const COMMON_SCHEMA_ID = `${SCHEMA_BASE_URI}common.schema.json`;

export function schemaFileName(kind: DocumentKind | 'common'): string {
  return `${kind}.schema.json`;
}

export function schemaId(kind: DocumentKind | 'common'): string {
  return SCHEMA_BASE_URI + schemaFileName(kind);
}

const cache = new Map<string, JsonSchema>();

function load(kind: DocumentKind | 'common'): JsonSchema {
  let schema = cache.get(kind);
  if (!schema) {
    schema = JSON.parse(readFileSync(SCHEMA_DIR + schemaFileName(kind), 'utf8')) as JsonSchema;
    if (schema.$id !== schemaId(kind)) throw new Error(`${schemaFileName(kind)}: $id must be ${schemaId(kind)}`);
    cache.set(kind, deepFreeze(schema));
  }
  return schema;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The schema of a document kind as stored in its file (frozen; `$ref`s point into common.schema.json). */
export function schemaOf(kind: DocumentKind): JsonSchema {
  return load(kind);
}

/** common.schema.json: the shared `$defs` (identifiers, item, enums). */
export function commonSchema(): JsonSchema {
  return load('common');
}

/** All schema files, common first (the order to add them to a validator). */
export function allSchemas(): JsonSchema[] {
  return [load('common'), ...DOCUMENT_KINDS.map(load)];
}

function clone<T>(value: T): T {
  return structuredClone(value) as T;
}

/** `common.schema.json#/$defs/x` (relative or absolute) → `x`; other refs → undefined. */
function commonDefName(ref: string): string | undefined {
  const m = /^(?:https:\/\/odx\.gov\.cn\/schemas\/)?common\.schema\.json#\/\$defs\/([^/]+)$/.exec(ref);
  return m?.[1];
}

/**
 * A self-contained copy of a document schema: the `$defs` of common.schema.json it uses are copied
 * into its own `$defs` and the `$ref`s rewritten to `#/$defs/...`. Used for type generation and
 * for tools (OpenAPI) that do not resolve references across files.
 */
export function bundledSchemaOf(kind: DocumentKind): JsonSchema {
  const root = clone(load(kind));
  const commonDefs = (load('common').$defs ?? {}) as Record<string, JsonSchema>;
  const defs = ((root.$defs as Record<string, JsonSchema> | undefined) ?? {}) as Record<string, JsonSchema>;
  const pending: string[] = [];

  const rewrite = (node: unknown, inCommon: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((n) => rewrite(n, inCommon));
      return;
    }
    if (!node || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if (typeof obj.$ref === 'string') {
      const name = inCommon ? /^#\/\$defs\/([^/]+)$/.exec(obj.$ref)?.[1] : commonDefName(obj.$ref);
      if (name === undefined) {
        if (!obj.$ref.startsWith('#')) throw new Error(`${kind}: cannot bundle $ref ${obj.$ref}`);
      } else {
        if (!(name in commonDefs)) throw new Error(`${kind}: $ref to unknown common definition ${name}`);
        obj.$ref = `#/$defs/${name}`;
        pending.push(name);
      }
    }
    for (const [key, value] of Object.entries(obj)) {
      if (key.startsWith('x-')) continue; // annotations hold data, not schemas
      rewrite(value, inCommon);
    }
  };

  rewrite(root, false);
  const added = new Set<string>();
  while (pending.length) {
    const name = pending.shift()!;
    if (added.has(name)) continue;
    if (name in defs) throw new Error(`${kind}: $defs/${name} clashes with common.schema.json#/$defs/${name}`);
    added.add(name);
    const def = clone(commonDefs[name]);
    rewrite(def, true);
    defs[name] = def;
  }
  if (added.size) {
    // deterministic order: as in common.schema.json
    const ordered: Record<string, JsonSchema> = {};
    for (const name of Object.keys(commonDefs)) if (added.has(name)) ordered[name] = defs[name];
    for (const [name, def] of Object.entries(defs)) if (!added.has(name)) ordered[name] = def;
    root.$defs = ordered;
  }
  return root;
}

/** What the schema says about the value at a JSON pointer of a document. */
export interface FieldInfo {
  /** Chinese title (the one at the referencing property wins over the referenced definition's). */
  title?: string;
  description?: string;
  /** code → Chinese label, for enums. */
  labels?: Record<string, string>;
  /** the resolved schema (after following `$ref`s); undefined when the pointer leaves the schema. */
  schema?: JsonSchema;
}

const bundledCache = new Map<DocumentKind, JsonSchema>();
function bundled(kind: DocumentKind): JsonSchema {
  let s = bundledCache.get(kind);
  if (!s) {
    s = deepFreeze(bundledSchemaOf(kind));
    bundledCache.set(kind, s);
  }
  return s;
}

function unescapePointerSegment(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`not a JSON pointer: ${pointer}`);
  return pointer.slice(1).split('/').map(unescapePointerSegment);
}

export { escapePointerSegment } from './keywords.ts';

/**
 * Title, description and enum labels of the value at `pointer` in a document of `kind`, e.g.
 * `fieldInfo('resource', '/items/2/type')` → { title: '数据类型', labels: { C: '字符型', ... } }.
 */
export function fieldInfo(kind: DocumentKind, pointer: string): FieldInfo {
  const root = bundled(kind);
  const defs = (root.$defs ?? {}) as Record<string, JsonSchema>;
  // Resolve a schema reached by one step: its own title/description win, then those of what it references.
  const resolve = (site: JsonSchema | undefined): FieldInfo => {
    const out: FieldInfo = {};
    let s = site;
    for (let guard = 0; s && guard < 20; guard++) {
      if (out.title === undefined && typeof s.title === 'string') out.title = s.title;
      if (out.description === undefined && typeof s.description === 'string') out.description = s.description;
      if (out.labels === undefined && s['x-labels']) out.labels = s['x-labels'] as Record<string, string>;
      if (typeof s.$ref !== 'string') break;
      const name = /^#\/\$defs\/(.+)$/.exec(s.$ref)?.[1];
      s = name === undefined ? undefined : defs[name];
    }
    out.schema = s;
    return out;
  };
  let current = resolve(root);
  for (const seg of pointerSegments(pointer)) {
    const s = current.schema;
    if (!s) return {};
    let next: JsonSchema | undefined;
    const props = s.properties as Record<string, JsonSchema> | undefined;
    if (/^\d+$/.test(seg) && s.items && typeof s.items === 'object') next = s.items as JsonSchema;
    else if (props && Object.hasOwn(props, seg)) next = props[seg];
    if (!next) return {};
    current = resolve(next);
  }
  return current;
}
