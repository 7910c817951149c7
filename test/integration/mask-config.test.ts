import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { loadCsv, publishedResource } from '../helpers/census.ts';

/**
 * The operator's mask configuration reaches what callers receive: ODX_MASK_RULES replaces a built-in
 * rule and ODX_MASK_SALT salts the hash rule, in the open rows, the downloads and CKAN's datastore.
 * The expected values are written out here, not computed by ODX's masking code.
 */
describe('mask configuration (ODX_MASK_RULES, ODX_MASK_SALT) in the HTTP outputs', function () {
  this.timeout(120_000);
  const SALT = 'salt-of-this-test-城市';
  const code = withUsccCheck('91350200MA1234567');
  const idCard = '11010519491231002X';
  const mobile = '13912345678';
  let t: TestApp;
  let dataset: string;

  before(async () => {
    t = await testApp({ env: { ODX_MASK_RULES: JSON.stringify({ mobile: { keepStart: 0, keepEnd: 4, char: '#' } }), ODX_MASK_SALT: SALT } });
    const resource = await publishedResource(t.knex, t.deptA.uscc, {
      name: '配置脱敏测试名录',
      items: [
        { name: 'credit_code', label: '统一社会信用代码', type: 'C', length: 18, required: true, key: true, check: 'uscc' },
        { name: 'contact_mobile', label: '联系电话', type: 'C', length: 11, sensitivity: 'personal', mask: 'mobile' },
        { name: 'holder_id', label: '持证人身份证号', type: 'C', length: 18, sensitivity: 'personal', mask: 'hash' },
      ],
    });
    await loadCsv(t.knex, resource.id, `统一社会信用代码,联系电话,持证人身份证号\n${code},${mobile},${idCard}\n`);
    dataset = encodeURIComponent(resource.code);
  });
  after(() => t.close());

  const masked = { credit_code: code, contact_mobile: '#######5678', holder_id: createHash('sha256').update(SALT + idCard, 'utf8').digest('hex') };

  it('serves rows masked by the configured rules', async () => {
    const res = await request(t.app).get(`/api/v1/datasets/${dataset}/rows`).expect(200);
    expect(res.body.items).to.deep.equal([masked]);
  });

  it('downloads masked by the configured rules', async () => {
    const csv = await request(t.app).get(`/api/v1/datasets/${dataset}/download?format=csv`).expect(200);
    expect(parse(csv.text, { columns: true })).to.deep.equal([masked]);
    const ndjson = await request(t.app).get(`/api/v1/datasets/${dataset}/download?format=ndjson`).buffer(true).parse((res, cb) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => cb(null, text));
    });
    expect(ndjson.body.trim().split('\n').map((l: string) => JSON.parse(l))).to.deep.equal([masked]);
  });

  it('answers CKAN datastore_search masked by the configured rules', async () => {
    const res = await request(t.app).get(`/api/3/action/datastore_search?resource_id=${dataset}`).expect(200);
    expect(res.body.result.records.map(({ _id, ...r }: Record<string, unknown>) => r)).to.deep.equal([masked]);
  });
});
