/**
 * `npm run schemas`: regenerates server/src/schemas/generated/*.ts from catalog-schemas/*.schema.json.
 * Commit the result; test/unit/schemas-generated.test.ts fails when the files are stale.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, relative } from 'node:path';
import { GENERATED_DIR, generateTypes } from '../server/src/schemas/generate.ts';

const files = await generateTypes();
await mkdir(GENERATED_DIR, { recursive: true });
const wanted = new Set([...files.keys()].map((f) => basename(f)));
for (const existing of await readdir(GENERATED_DIR)) {
  if (existing.endsWith('.ts') && !wanted.has(existing)) {
    await rm(GENERATED_DIR + existing);
    console.log(`removed ${relative(process.cwd(), GENERATED_DIR + existing)}`);
  }
}
for (const [path, content] of files) {
  await writeFile(path, content);
  console.log(`wrote ${relative(process.cwd(), path)}`);
}
