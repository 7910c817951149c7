import { createHash } from 'node:crypto';
import { expect } from 'chai';
import type { ItemLike } from '../../server/src/data/items.ts';
import {
  COMPOUND_SURNAMES,
  DEFAULT_MASK_RULES,
  buildMasker,
  maskSql,
  maskValue,
  maskedSelectList,
  parseMaskRules,
  unmaskedPersonalItems,
} from '../../server/src/data/masking.ts';
import { sqlLiteral } from '../../server/src/lib/sql.ts';

const R = DEFAULT_MASK_RULES;
const SALT = 's3cret-salt';

describe('masking: maskValue', () => {
  it('mobile keeps the first 3 and last 4 digits', () => {
    expect(maskValue(R.mobile, '13800138000')).to.equal('138****8000');
    expect(maskValue(R.mobile, 13800138000)).to.equal('138****8000');
    expect(maskValue(R.mobile, '+8613800138000')).to.equal('+86*******8000');
  });

  it('id-card keeps the first 6 and last 4 characters', () => {
    expect(maskValue(R['id-card'], '11010519491231002X')).to.equal('110105********002X');
    expect(maskValue(R['id-card'], '110105194912310021')).to.equal('110105********0021');
  });

  it('short values are masked entirely, never returned whole', () => {
    expect(maskValue(R.mobile, '1380')).to.equal('****');
    expect(maskValue(R.mobile, '1380013')).to.equal('*******'); // exactly keepStart + keepEnd
    expect(maskValue(R.mobile, '13800138')).to.equal('138*0138');
    expect(maskValue(R.mobile, '')).to.equal('');
    expect(maskValue(R['id-card'], '110105')).to.equal('******');
  });

  it('null and undefined stay null', () => {
    for (const rule of [R.mobile, R['id-card'], R.name]) {
      expect(maskValue(rule, null)).to.equal(null);
      expect(maskValue(rule, undefined)).to.equal(null);
    }
    expect(maskValue('hash', null, { salt: SALT })).to.equal(null);
  });

  it('a custom character and keep counts', () => {
    expect(maskValue({ keepStart: 0, keepEnd: 4, char: '#' }, '6222021234567890')).to.equal('############7890');
    expect(maskValue({ keepStart: 1, keepEnd: 0 }, 'abc')).to.equal('a**');
    expect(maskValue({ keepStart: 0, keepEnd: 0 }, 'abc')).to.equal('***');
  });

  it('name keeps the surname', () => {
    expect(maskValue(R.name, '张三')).to.equal('张*');
    expect(maskValue(R.name, '张三丰')).to.equal('张**');
    expect(maskValue(R.name, '李小龙虎')).to.equal('李***');
    expect(maskValue(R.name, '王')).to.equal('*');
    expect(maskValue(R.name, '')).to.equal('');
  });

  it('name keeps compound surnames (复姓) for names of 3 or more characters', () => {
    expect(maskValue(R.name, '欧阳修')).to.equal('欧阳*');
    expect(maskValue(R.name, '欧阳娜娜')).to.equal('欧阳**');
    expect(maskValue(R.name, '司马相如')).to.equal('司马**');
    expect(maskValue(R.name, '诸葛亮')).to.equal('诸葛*');
    expect(maskValue(R.name, '上官婉儿')).to.equal('上官**');
    expect(maskValue(R.name, '东方朔')).to.equal('东方*');
    expect(maskValue(R.name, '皇甫谧')).to.equal('皇甫*');
    expect(maskValue(R.name, '尉迟恭')).to.equal('尉迟*');
    expect(maskValue(R.name, '公孙胜')).to.equal('公孙*');
    expect(maskValue(R.name, '慕容复')).to.equal('慕容*');
    expect(maskValue(R.name, '长孙无忌')).to.equal('长孙**');
    expect(maskValue(R.name, '宇文泰')).to.equal('宇文*');
    expect(maskValue(R.name, '司徒雷登')).to.equal('司徒**');
    expect(maskValue(R.name, '夏侯惇')).to.equal('夏侯*');
    expect(maskValue(R.name, '令狐冲')).to.equal('令狐*');
    expect(maskValue(R.name, '歐陽修')).to.equal('歐陽*');
    // two characters: the first is the surname, even if the pair looks like a compound surname
    expect(maskValue(R.name, '欧阳')).to.equal('欧*');
    // not a compound surname
    expect(maskValue(R.name, '张欧阳')).to.equal('张**');
    for (const s of ['欧阳', '司马', '诸葛', '上官', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '令狐']) {
      expect(COMPOUND_SURNAMES).to.include(s);
    }
  });

  it('counts code points, not UTF-16 units', () => {
    expect(maskValue(R.name, '𠮷野家')).to.equal('𠮷**');
    expect(maskValue(R.mobile, '𠮷𠮷𠮷abcd𠮷𠮷')).to.equal('𠮷𠮷𠮷**cd𠮷𠮷');
  });

  it('hash is salted sha256 hex and needs a salt', () => {
    const expected = createHash('sha256').update(SALT + '13800138000', 'utf8').digest('hex');
    expect(maskValue('hash', '13800138000', { salt: SALT })).to.equal(expected);
    expect(maskValue('hash', '13800138000', { salt: 'other' })).to.not.equal(expected);
    expect(maskValue('hash', '13800138000', { salt: SALT })).to.match(/^[0-9a-f]{64}$/);
    expect(() => maskValue('hash', '13800138000')).to.throw(/salt/);
    expect(() => maskValue('hash', '13800138000', { salt: '' })).to.throw(/salt/);
  });

  it('drop gives undefined (no value at all)', () => {
    expect(maskValue('drop', '13800138000')).to.equal(undefined);
  });
});

describe('masking: configuration', () => {
  it('parseMaskRules merges configured rules over the defaults', () => {
    const rules = parseMaskRules({ mobile: { keepStart: 3, keepEnd: 2, char: 'x' }, 'bank-card': { keepStart: 0, keepEnd: 4 }, email: 'drop' });
    expect(maskValue(rules.mobile, '13800138000')).to.equal('138xxxxxx00');
    expect(maskValue(rules['bank-card'], '6222021234567890')).to.equal('************7890');
    expect(rules.email).to.equal('drop');
    expect(rules['id-card']).to.deep.equal(R['id-card']);
    expect(parseMaskRules(undefined)).to.deep.equal({ ...R });
  });

  it('parseMaskRules names the bad rule', () => {
    expect(() => parseMaskRules({ mobile: { keepStart: -1, keepEnd: 4 } })).to.throw(/rule "mobile"/);
    expect(() => parseMaskRules({ phone: 'blank' })).to.throw(/rule "phone"/);
    expect(() => parseMaskRules({ card: { keepStart: 1, keepEnd: 1, char: '' } })).to.throw(/rule "card"/);
    expect(() => parseMaskRules({ nm: { surname: false } })).to.throw(/rule "nm"/);
  });
});

const items: ItemLike[] = [
  { name: 'id', label: '编号', type: 'I', key: true },
  { name: 'person_name', label: '姓名', type: 'C', length: 20, sensitivity: 'personal', mask: 'name' },
  { name: 'mobile', label: '手机号码', type: 'C', length: 11, sensitivity: 'personal', mask: 'mobile' },
  { name: 'id_no', label: '身份证号', type: 'C', length: 18, sensitivity: 'sensitive', mask: 'id-card' },
  { name: 'address', label: '住址', type: 'C', sensitivity: 'personal', mask: 'drop' },
  { name: 'holder', label: '持有人标识', type: 'C', sensitivity: 'personal', mask: 'hash' },
  { name: 'district', label: '区县', type: 'C', sensitivity: 'public' },
];
const row = {
  id: 7,
  person_name: '欧阳娜娜',
  mobile: '13800138000',
  id_no: '11010519491231002X',
  address: '北京市东城区某街道1号',
  holder: 'A-001',
  district: '东城区',
  secret_extra: 'not an item',
};

describe('masking: buildMasker', () => {
  it('masks a row, omits dropped and unknown columns', () => {
    const m = buildMasker(items, R, { salt: SALT });
    expect(m.columns).to.deep.equal(['id', 'person_name', 'mobile', 'id_no', 'holder', 'district']);
    expect(m.dropped).to.deep.equal(['address']);
    expect(m.masked).to.deep.equal({ person_name: 'name', mobile: 'mobile', id_no: 'id-card', holder: 'hash' });
    const out = m(row);
    expect(out).to.deep.equal({
      id: 7,
      person_name: '欧阳**',
      mobile: '138****8000',
      id_no: '110105********002X',
      holder: createHash('sha256').update(SALT + 'A-001').digest('hex'),
      district: '东城区',
    });
    expect(Object.keys(out)).to.deep.equal(m.columns);
  });

  it('missing and null values come out as null', () => {
    const m = buildMasker(items, R, { salt: SALT });
    const out = m({ id: 1, mobile: null });
    expect(out.mobile).to.equal(null);
    expect(out.person_name).to.equal(null);
    expect(out.district).to.equal(null);
    expect(out.holder).to.equal(null);
  });

  it('refuses personal items without a mask by default', () => {
    const bad: ItemLike[] = [...items, { name: 'phone2', label: '备用电话', type: 'C', sensitivity: 'personal' }];
    expect(() => buildMasker(bad, R, { salt: SALT })).to.throw(/phone2/);
    const dropped = buildMasker(bad, R, { salt: SALT, unmaskedPersonal: 'drop' });
    expect(dropped.columns).to.not.include('phone2');
    const allowed = buildMasker(bad, R, { salt: SALT, unmaskedPersonal: 'allow' });
    expect(allowed({ phone2: '13900000000' }).phone2).to.equal('13900000000');
  });

  it('raw option passes granted items through unmasked', () => {
    const m = buildMasker(items, R, { salt: SALT, raw: ['mobile'] });
    expect(m(row).mobile).to.equal('13800138000');
    expect(m(row).id_no).to.equal('110105********002X');
    expect(m.masked).to.not.have.property('mobile');
  });

  it('unknown rule names and a hash rule without salt are refused when building', () => {
    expect(() => buildMasker([{ name: 'x', label: 'x', type: 'C', mask: 'nope' }], R)).to.throw(/unknown mask rule "nope"/);
    expect(() => buildMasker(items, R)).to.throw(/salt/);
  });

  it('custom rules from configuration drive the masker', () => {
    const rules = parseMaskRules({ mobile: 'drop' });
    const m = buildMasker(items, rules, { salt: SALT });
    expect(m.columns).to.not.include('mobile');
  });
});

describe('masking: unmaskedPersonalItems', () => {
  it('lists personal/sensitive items without a (known) mask rule', () => {
    const list: ItemLike[] = [
      { name: 'a', label: 'a', type: 'C', sensitivity: 'personal' },
      { name: 'b', label: 'b', type: 'C', sensitivity: 'sensitive', mask: 'mobile' },
      { name: 'c', label: 'c', type: 'C', sensitivity: 'sensitive' },
      { name: 'd', label: 'd', type: 'C', sensitivity: 'internal' },
      { name: 'e', label: 'e', type: 'C' },
      { name: 'f', label: 'f', type: 'C', sensitivity: 'personal', mask: 'unknown-rule' },
    ];
    expect(unmaskedPersonalItems(list).map((i) => i.name)).to.deep.equal(['a', 'c', 'f']);
    expect(unmaskedPersonalItems(items)).to.deep.equal([]);
  });
});

describe('masking: SQL expressions (shape; equality with JS is in test/integration/masking-sql.test.ts)', () => {
  it('quotes literals safely', () => {
    expect(sqlLiteral("O'Brien")).to.equal("'O''Brien'");
    expect(sqlLiteral('a\\b')).to.match(/^convert_from\(decode\('615c62', 'hex'\), 'UTF8'\)$/);
  });

  it('drop has no expression; hash needs a salt', () => {
    expect(() => maskSql('drop', '"x"')).to.throw(/drop/);
    expect(() => maskSql('hash', '"x"')).to.throw(/salt/);
    expect(maskSql('hash', '"x"', { salt: SALT })).to.contain('sha256');
  });

  it('maskedSelectList aliases masked columns and omits dropped ones', () => {
    const list = maskedSelectList(items, R, { salt: SALT, qualifier: 't' });
    expect(list.map((c) => c.name)).to.deep.equal(['id', 'person_name', 'mobile', 'id_no', 'holder', 'district']);
    expect(list[0].sql).to.equal('t."id"');
    expect(list[2].sql).to.match(/ AS "mobile"$/);
    expect(list[2].sql).to.contain('t."mobile"');
  });
});
