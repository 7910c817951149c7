/**
 * `npm run schemas`: regenerates the types made from catalog-schemas/ and the route table —
 * server/src/schemas/generated/*.ts (census documents, for the server), web/src/catalog/*.ts (the
 * same, for the web app) and web/src/api/openapi.ts (the web app's API types from the OpenAPI).
 * Commit the result; test/unit/schemas-generated.test.ts and web-types-generated.test.ts fail when a copy is stale.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, relative } from 'node:path';
import { GENERATED_DIR, generateTypes } from '../server/src/schemas/generate.ts';
import { generateWebTypes, WEB_CATALOG_DIR } from '../server/src/schemas/web-types.ts';

const files = new Map([...(await generateTypes()), ...(await generateWebTypes())]);
// only these directories hold nothing but generated files: a file no longer generated is removed
for (const dir of [GENERATED_DIR, WEB_CATALOG_DIR]) {
  await mkdir(dir, { recursive: true });
  const wanted = new Set([...files.keys()].filter((f) => dirname(f) + '/' === dir).map((f) => basename(f)));
  for (const existing of await readdir(dir)) {
    if (existing.endsWith('.ts') && !wanted.has(existing)) {
      await rm(dir + existing);
      console.log(`removed ${relative(process.cwd(), dir + existing)}`);
    }
  }
}
for (const [path, content] of files) {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  console.log(`wrote ${relative(process.cwd(), path)}`);
}
