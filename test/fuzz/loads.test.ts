/**
 * The CSV and JSON readers on random bytes and encodings, through a whole load: the load either
 * makes a new version holding every row it counted, or fails with a named cause (never
 * `internal`) and leaves the current version as it was — never a partial version.
 */
import { Readable } from 'node:stream';
import { expect } from 'chai';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { executeLoad, loadCreator } from '../../server/src/loads/service.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { TEST_ACTOR, testApp, type TestApp } from '../helpers/app.ts';
import { publishedResource } from '../helpers/census.ts';
import { fuzz, nasty } from './runs.ts';

const header = ['统一社会信用代码', '企业名称', '法定代表人', '注册资本（万元）', '成立日期'];
const cell = fc.oneof(nasty, fc.constantFrom(withUsccCheck('91350200MA1000001'), '滨海市公司', '1.50', '2021-03-02', ''));

/** CSV text (quoted or not), a JSON array, or raw bytes; then written in UTF-8, GB18030, UTF-16 or cut short. */
const file = fc.tuple(
  fc.oneof(
    fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { maxLength: 8 }).map((rows) => [header, ...rows].map((r) => r.map((v) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')).join('\n') + '\n'),
    fc.array(fc.array(cell, { minLength: 5, maxLength: 5 }), { maxLength: 6 }).map((rows) => JSON.stringify(rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))))),
  ),
  fc.constantFrom('utf8', 'gb18030', 'utf16le', 'bom', 'truncated'),
  fc.option(fc.uint8Array({ maxLength: 64 })),
).map(([text, enc, junk]) => {
  let bytes = enc === 'bom' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]) : enc === 'utf16le' ? Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]) : iconv.encode(text, enc === 'gb18030' ? 'gb18030' : 'utf8');
  if (enc === 'truncated') bytes = bytes.subarray(0, Math.floor(bytes.length / 2) + 1);
  return junk ? Buffer.concat([bytes, Buffer.from(junk)]) : bytes;
});

describe('fuzz: loads of random files', function () {
  this.timeout(120_000);
  let t: TestApp;
  let resource: Record<string, any>;

  before(async () => {
    t = await testApp();
    resource = await publishedResource(t.knex, t.deptA.uscc, { name: '装载模糊测试' });
  });
  after(() => t.close());

  it('a new version with every row it counted, or a named failure with the data as it was', async () => {
    await fc.assert(
      fc.asyncProperty(file, fc.constantFrom(0, 3), async (bytes, maxErrors) => {
        const before = await t.knex('odx.resources').where({ id: resource.id }).first('current_version', 'data_rows');
        const id = await loadCreator(t.knex, { actor: TEST_ACTOR }, resource.id, { mode: 'replace', maxErrors, encoding: 'auto', allowEmpty: true });
        const out = await executeLoad(t.knex, { actor: TEST_ACTOR }, id, Readable.from([bytes]), { retention: 2 });
        const after = await t.knex('odx.resources').where({ id: resource.id }).first('current_version', 'data_rows');
        const load = await t.knex('odx.loads').where({ id }).first('state');
        if (out.ok) {
          expect(load.state).to.equal('succeeded');
          expect(after.current_version).to.equal(out.version);
          const [{ n }] = await t.knex(`data.r${resource.id}_v${out.version}`).count<{ n: number }[]>('* as n');
          expect(Number(n)).to.equal(out.result!.rows).and.to.equal(after.data_rows);
        } else {
          expect(out.error!.code, JSON.stringify(out.error)).to.not.equal('internal');
          expect(load.state).to.equal('failed');
          expect(after).to.deep.equal(before);
        }
      }),
      fuzz(25),
    );
  });
});
