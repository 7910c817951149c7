import { z } from 'zod';
import { describeAccess } from '../policies/access.ts';
import type { RouteSpec } from '../http/route.ts';

const toSchema = (s: z.ZodType) => z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Record<string, any>;

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/** OpenAPI 3.1 built from the route table, so the reference can never drift from the code. */
export function buildOpenApi(routes: RouteSpec[], baseUrl: string, version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', r.params], ['query', r.query]] as const) {
      if (!schema) continue;
      const js = toSchema(schema);
      for (const [name, prop] of Object.entries<Record<string, unknown>>(js.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: prop });
      }
    }
    const secured = r.access !== 'public';
    paths[path] ??= {};
    paths[path][r.method] = {
      summary: r.summary,
      tags: r.tags,
      description: `Who may call: ${describeAccess(r.access)}.`,
      'x-odx-access': r.access,
      ...(secured ? { security: [{ bearer: [] }] } : { security: [] }),
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(r.body) } } } } : {}),
      responses: {
        [String(r.responds?.status ?? (r.method === 'post' ? 201 : 200))]: { description: r.responds?.description ?? 'success' },
        ...(r.params || r.query || r.body ? { 400: errorResponse('invalid input; details name each problem with its JSON path') } : {}),
        ...(secured ? { 401: errorResponse('no valid token'), 403: errorResponse('the caller may not do this') } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ODX — Open Data eXchange API',
      version,
      description: 'Government data census, catalogue, sharing and open data. Errors are { "error": { "code", "message", "details" } }.',
    },
    servers: [{ url: baseUrl }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'odx_…' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, details: {}, requestId: { type: 'string' } },
            },
          },
        },
      },
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
