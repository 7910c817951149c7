import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { generateWebTypes, WEB_API_FILE, WEB_CATALOG_DIR } from '../../server/src/schemas/web-types.ts';

describe('generated types of the web app (web/src/api/openapi.ts, web/src/catalog/)', function () {
  this.timeout(60_000);
  let files: Map<string, string>;
  before(async () => (files = await generateWebTypes()));

  it('match the route table and catalog-schemas/', () => {
    const stale = [...files].filter(([path, content]) => !existsSync(path) || readFileSync(path, 'utf8') !== content).map(([path]) => relative(process.cwd(), path));
    const expected = new Set([...files.keys()].map((p) => basename(p)));
    const extra = existsSync(WEB_CATALOG_DIR) ? readdirSync(WEB_CATALOG_DIR).filter((f) => f.endsWith('.ts') && !expected.has(f)) : [];
    expect(
      [...stale, ...extra.map((f) => `web/src/catalog/${f} (no longer generated)`)],
      'the web app’s generated types are stale: run `npm run schemas` and commit web/src/api/ and web/src/catalog/',
    ).to.deep.equal([]);
  });

  it('give the web app an operation for every route and the census documents’ types', () => {
    const api = files.get(WEB_API_FILE)!;
    for (const op of ['getMe', 'searchResources', 'createShareRequest', 'approveShareRequest', 'getCatalogSchema']) expect(api).to.contain(`    ${op}: {`);
    // a request body from catalog-schemas/ is the document's own type, not "any object"
    expect(api).to.match(/createResource: \{[\s\S]*?requestBody: \{[\s\S]*?"application\/json": components\["schemas"\]\["DataResource"\]/);
    expect(files.get(`${WEB_CATALOG_DIR}resource.ts`)).to.contain('export interface DataResource');
  });
});
