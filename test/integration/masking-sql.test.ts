/**
 * maskSql (PostgreSQL, used by the COPY fast paths) must give exactly what maskValue gives in JS.
 * Database: the suite's cluster when test/setup.ts started one (embedded PostgreSQL, or DATABASE_URL);
 * run on its own (mocha --no-config), DATABASE_URL, or postgres://postgres@127.0.0.1:5432/test when it
 * is not set. Only TEMP tables are used.
 */
import { expect } from 'chai';
import pg from 'pg';
import type { ItemLike } from '../../server/src/data/items.ts';
import type { MaskRule } from '../../server/src/data/masking.ts';
import { DEFAULT_MASK_RULES, buildMasker, maskSql, maskValue, maskedSelectList } from '../../server/src/data/masking.ts';
import { scratchDatabaseUrl } from '../helpers/cluster.ts';

const SALT = "sa'lt\\with-quote-and-backslash 盐";

const INPUTS: Array<string | null> = [
  null,
  '',
  'a',
  '1380',
  '1380013',
  '13800138',
  '13800138000',
  '+8613800138000',
  '11010519491231002X',
  '110105194912310021',
  '王',
  '张三',
  '张三丰',
  '欧阳',
  '欧阳修',
  '欧阳娜娜',
  '司马相如',
  '诸葛亮',
  '上官婉儿',
  '歐陽修',
  '张欧阳',
  '𠮷野家',
  "O'Brien",
  'back\\slash',
  '阿卜杜拉·买买提',
  'John Smith',
  '  带空格  ',
  '😀😀😀😀😀😀😀😀😀',
];

const RULES: Array<[string, MaskRule]> = [
  ['mobile', DEFAULT_MASK_RULES.mobile],
  ['id-card', DEFAULT_MASK_RULES['id-card']],
  ['name', DEFAULT_MASK_RULES.name],
  ['hash', 'hash'],
  ['keep 0/4 #', { keepStart: 0, keepEnd: 4, char: '#' }],
  ['keep 1/0', { keepStart: 1, keepEnd: 0 }],
  ['keep 0/0 quote char', { keepStart: 0, keepEnd: 0, char: "'" }],
  ['keep 2/2 backslash char', { keepStart: 2, keepEnd: 2, char: '\\' }],
];

describe('masking: SQL expressions equal the JS masks (PostgreSQL)', function () {
  this.timeout(30000);
  let client: pg.Client;

  before(async () => {
    client = new pg.Client({ connectionString: scratchDatabaseUrl() });
    await client.connect();
    await client.query('CREATE TEMP TABLE mask_input (i int PRIMARY KEY, v text, n bigint)');
    for (let i = 0; i < INPUTS.length; i++) {
      await client.query('INSERT INTO mask_input (i, v) VALUES ($1, $2)', [i, INPUTS[i]]);
    }
    await client.query('INSERT INTO mask_input (i, v, n) VALUES ($1, NULL, $2), ($3, NULL, NULL)', [1000, '13800138000', 1001]);
  });

  after(async () => {
    await client?.end();
  });

  for (const [label, rule] of RULES) {
    it(`rule ${label}: same result for every input`, async () => {
      const expr = maskSql(rule, 'mask_input."v"', { salt: SALT });
      const { rows } = await client.query<{ i: number; m: string | null }>(
        `SELECT i, ${expr} AS m FROM mask_input WHERE i < 1000 ORDER BY i`,
      );
      expect(rows).to.have.length(INPUTS.length);
      const mismatches = rows
        .map((r) => ({ input: INPUTS[r.i], sql: r.m, js: maskValue(rule, INPUTS[r.i], { salt: SALT }) }))
        .filter((r) => r.sql !== r.js);
      expect(mismatches, JSON.stringify(mismatches, null, 1)).to.deep.equal([]);
    });
  }

  it('a numeric column is masked as its text', async () => {
    const { rows } = await client.query(
      `SELECT i, ${maskSql(DEFAULT_MASK_RULES.mobile, '"n"')} AS m, ${maskSql('hash', '"n"', { salt: SALT })} AS h FROM mask_input WHERE i >= 1000 ORDER BY i`,
    );
    expect(rows[0].m).to.equal(maskValue(DEFAULT_MASK_RULES.mobile, 13800138000));
    expect(rows[0].h).to.equal(maskValue('hash', 13800138000, { salt: SALT }));
    expect(rows[1].m).to.equal(null);
    expect(rows[1].h).to.equal(null);
  });

  it('maskedSelectList gives the same rows as buildMasker', async () => {
    await client.query(
      'CREATE TEMP TABLE people (id int, person_name text, mobile text, id_no text, address text, holder text, district text)',
    );
    const data = [
      [1, '欧阳娜娜', '13800138000', '11010519491231002X', '某街道1号', 'A-001', '东城区'],
      [2, '张三', '1390000', null, null, null, '西城区'],
      [3, null, null, '110105', 'x', 'B', null],
    ];
    for (const r of data) await client.query('INSERT INTO people VALUES ($1,$2,$3,$4,$5,$6,$7)', r);
    const items: ItemLike[] = [
      { name: 'id', label: '编号', type: 'I', key: true },
      { name: 'person_name', label: '姓名', type: 'C', sensitivity: 'personal', mask: 'name' },
      { name: 'mobile', label: '手机', type: 'C', sensitivity: 'personal', mask: 'mobile' },
      { name: 'id_no', label: '身份证号', type: 'C', sensitivity: 'sensitive', mask: 'id-card' },
      { name: 'address', label: '住址', type: 'C', sensitivity: 'personal', mask: 'drop' },
      { name: 'holder', label: '持有人', type: 'C', sensitivity: 'personal', mask: 'hash' },
      { name: 'district', label: '区县', type: 'C' },
    ];
    const list = maskedSelectList(items, DEFAULT_MASK_RULES, { salt: SALT, qualifier: 'p' });
    const { rows: sqlRows } = await client.query(`SELECT ${list.map((c) => c.sql).join(', ')} FROM people p ORDER BY p.id`);
    const { rows: rawRows } = await client.query('SELECT * FROM people ORDER BY id');
    const masker = buildMasker(items, DEFAULT_MASK_RULES, { salt: SALT });
    expect(sqlRows).to.deep.equal(rawRows.map((r) => masker(r)));
    expect(Object.keys(sqlRows[0])).to.deep.equal([...masker.columns]);
  });
});
