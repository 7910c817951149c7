import { z } from 'zod';
import { isRateLimited } from '../http/rate-limit.ts';
import { describeAccess } from '../policies/access.ts';
import type { RouteSpec } from '../http/route.ts';
import { CATALOG_DOCUMENT } from '../lib/zod-fields.ts';
import { bundledSchemaOf, ROOT_TYPE_NAMES, type DocumentKind, type JsonSchema } from '../schemas/catalog.ts';

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'stable machine-readable code, e.g. not_found, bad_request' },
        message: { type: 'string', description: 'what went wrong, for people' },
        details: { description: 'each problem with its JSON path (invalid input), or more about the error' },
        requestId: { type: 'string', description: 'the request id, also in the X-Request-Id header' },
      },
    },
  },
};

const TAG_DESCRIPTIONS: Record<string, string> = {
  system: 'Liveness, readiness, metrics and this reference',
  departments: 'The department tree (部门)',
  accounts: 'Accounts, roles and API tokens',
  audit: 'The hash-chained audit trail and its signed head',
  resources: 'The catalogue of data resources (数据清单) and its classification tree',
  systems: 'Information systems (系统清单)',
  demands: 'Data demands (需求清单) and their matches',
  census: 'Census workbooks (templates, imports) and the ledger (一本账)',
  schemas: 'The JSON Schemas of census documents (catalog-schemas/)',
  loads: 'Loading data extracts into versioned tables',
  sharing: 'Share requests, grants, consumer credentials and shared reads (共享)',
  'open data': 'The open catalogue and its data (开放), DCAT-AP, Data Packages',
  ckan: 'The CKAN-compatible Action API',
  developers: 'Developer accounts and API keys',
  work: 'What waits on a department or the authority (待办), by kind',
};

const pascal = (key: string) => key.replace(/(^|[-_])([a-zA-Z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());

/**
 * `components/schemas` of the document. Every schema put in it has its `$defs` (named zod schemas,
 * catalog-schemas/ definitions) moved here and its references pointed here, so the document has one
 * namespace of named schemas that Redocly and client generators resolve.
 */
class Components {
  readonly schemas: Record<string, unknown> = { Error: ERROR_SCHEMA };
  private readonly catalog = new Map<DocumentKind, string>();

  /** A zod schema as JSON Schema (as the request or response carries it: `io: 'input'`), its named parts hoisted. */
  zod(schema: z.ZodType): JsonSchema {
    const js = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as JsonSchema;
    const defs = (js.$defs ?? {}) as Record<string, unknown>;
    delete js.$schema;
    delete js.$defs;
    const rename = (name: string) => name;
    for (const [name, def] of Object.entries(defs)) this.put(name, this.rewrite(def, rename));
    return this.rewrite(js, rename) as JsonSchema;
  }

  /** A reference to a census document's schema from catalog-schemas/, added once. */
  catalogRef(kind: DocumentKind): { $ref: string } {
    let name = this.catalog.get(kind);
    if (!name) {
      name = ROOT_TYPE_NAMES[kind];
      const bundled = bundledSchemaOf(kind);
      const defs = (bundled.$defs ?? {}) as Record<string, unknown>;
      const root = { ...bundled };
      for (const k of ['$schema', '$id', '$defs']) delete root[k];
      // a definition shared by several documents (common.schema.json) is one component; one of the same name but other content is the document's own
      const names = new Map<string, string>();
      for (const [key, def] of Object.entries(defs)) {
        const shared = `Catalog${pascal(key)}`;
        const existing = this.schemas[shared];
        names.set(key, existing === undefined || JSON.stringify(existing) === JSON.stringify(def) ? shared : `${name}${pascal(key)}`);
      }
      const rename = (key: string) => names.get(key) ?? key;
      for (const [key, def] of Object.entries(defs)) this.put(rename(key), this.rewrite(def, rename));
      this.put(name, this.rewrite(root, rename));
      this.catalog.set(kind, name);
    }
    return { $ref: `#/components/schemas/${name}` };
  }

  private put(name: string, schema: unknown): void {
    const existing = this.schemas[name];
    if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(schema)) throw new Error(`OpenAPI: two different schemas are named ${name}`);
    this.schemas[name] = schema;
  }

  /** Points `#/$defs/x` references at the components and puts catalog-schemas/ documents where the marker stands. */
  private rewrite(node: unknown, rename: (name: string) => string): unknown {
    if (Array.isArray(node)) return node.map((n) => this.rewrite(n, rename));
    if (!node || typeof node !== 'object') return node;
    const obj = node as JsonSchema;
    if (typeof obj[CATALOG_DOCUMENT] === 'string') {
      const { [CATALOG_DOCUMENT]: kind, type: _t, propertyNames: _p, additionalProperties: _a, ...rest } = obj;
      return { ...rest, ...this.catalogRef(kind as DocumentKind) };
    }
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(obj)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/$defs/')) out[key] = `#/components/schemas/${rename(value.slice('#/$defs/'.length))}`;
      else if (key.startsWith('x-') || key === 'enum' || key === 'const' || key === 'examples' || key === 'default' || key === 'required') out[key] = value;
      else out[key] = this.rewrite(value, rename);
    }
    return out;
  }
}

/** The JSON Schema of a response body, by media type. */
function successContent(r: RouteSpec, components: Components): Record<string, { schema: unknown }> {
  const written = (types: readonly string[]) => types.map((t) => [t, { schema: { type: 'string', ...(t.startsWith('text/') || t.includes('json') ? {} : { format: 'binary' }) } }]);
  if ('mediaTypes' in r.response) return Object.fromEntries(written(r.response.mediaTypes));
  return { 'application/json': { schema: components.zod(r.response) }, ...Object.fromEntries(written(r.alsoWrites ?? [])) };
}

/** OpenAPI 3.1 built from the route table, so the reference can never drift from the code. */
export function buildOpenApi(routes: RouteSpec[], baseUrl: string, version: string) {
  const components = new Components();
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Set<string>();
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', r.params], ['query', r.query]] as const) {
      if (!schema) continue;
      const js = components.zod(schema);
      for (const [name, prop] of Object.entries<Record<string, unknown>>((js.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        const { description, ...propSchema } = prop;
        parameters.push({
          name,
          in: where,
          required: where === 'path' || ((js.required ?? []) as string[]).includes(name),
          ...(typeof description === 'string' ? { description } : {}),
          schema: propSchema,
        });
      }
    }
    r.tags.forEach((t) => tags.add(t));
    const secured = r.access !== 'public';
    const status = String(r.responds?.status ?? (r.method === 'post' ? 201 : 200));
    paths[path] ??= {};
    paths[path][r.method] = {
      operationId: r.operationId,
      summary: r.summary,
      tags: r.tags,
      description: `Who may call: ${describeAccess(r.access)}.`,
      'x-odx-access': r.access,
      ...(secured ? { security: [{ bearer: [] }] } : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: components.zod(r.body) } } } } : {}),
      responses: {
        [status]: { description: r.responds?.description ?? 'success', content: successContent(r, components) },
        ...(r.params || r.query || r.body ? { 400: errorResponse('invalid input; details name each problem with its JSON path') } : {}),
        ...(secured ? { 401: errorResponse('no valid token'), 403: errorResponse('the caller may not do this') } : {}),
        ...(r.params ? { 404: errorResponse('the target does not exist (or is not visible to the caller)') } : {}),
        ...(isRateLimited(r.method, r.path) ? { 429: errorResponse('rate limit exceeded; the Retry-After header says when to try again') } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ODX — Open Data eXchange API',
      version,
      description: 'Government data census, catalogue, sharing and open data. Errors are { "error": { "code", "message", "details" } }.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: baseUrl }],
    tags: [...tags].sort().map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? name })),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'odx_…' } },
      schemas: components.schemas,
    },
    paths,
  };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A self-contained reference page (no CDN: installations are often on closed government networks). */
export function renderReference(doc: ReturnType<typeof buildOpenApi>): string {
  const sections = Object.entries(doc.paths)
    .flatMap(([path, ops]) =>
      Object.entries(ops as Record<string, any>).map(([method, op]) => {
        const params = (op.parameters ?? []).map((p: any) => `<li><code>${esc(p.name)}</code> (${p.in}${p.required ? ', required' : ''})</li>`).join('');
        const body = op.requestBody ? `<details><summary>Request body schema</summary><pre>${esc(JSON.stringify(op.requestBody.content['application/json'].schema, null, 2))}</pre></details>` : '';
        return `<section><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary)}</p><p class="who">${esc(op.description)}</p>${params ? `<ul>${params}</ul>` : ''}${body}</section>`;
      }),
    )
    .join('\n');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ddd;padding:.5rem 0}.m{display:inline-block;min-width:4rem;font-size:.8rem;padding:.1rem .4rem;border-radius:3px;color:#fff;background:#555}
.get{background:#2b6cb0}.post{background:#2f855a}.patch{background:#b7791f}.delete{background:#c53030}.who{color:#555;font-size:.9rem}pre{background:#f6f6f6;padding:.5rem;overflow:auto}</style></head>
<body><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Authenticate with <code>Authorization: Bearer odx_…</code>.</p>
${sections}</body></html>`;
}
