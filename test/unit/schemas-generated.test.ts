import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { GENERATED_DIR, generateTypes } from '../../server/src/schemas/generate.ts';

describe('generated types of the catalog schemas (server/src/schemas/generated)', function () {
  this.timeout(60_000);

  it('match catalog-schemas/*.schema.json', async () => {
    const files = await generateTypes();
    const stale: string[] = [];
    for (const [path, content] of files) {
      if (!existsSync(path) || readFileSync(path, 'utf8') !== content) stale.push(relative(process.cwd(), path));
    }
    const expected = new Set([...files.keys()].map((p) => basename(p)));
    const extra = existsSync(GENERATED_DIR)
      ? readdirSync(GENERATED_DIR).filter((f) => f.endsWith('.ts') && !expected.has(f))
      : [];
    expect(
      [...stale, ...extra.map((f) => `${f} (no longer generated)`)],
      'the generated schema types are stale: run `npm run schemas` and commit server/src/schemas/generated/',
    ).to.deep.equal([]);
  });
});
