import { expect } from 'chai';
import {
  Fail,
  compileCoercer,
  excelSerialToYmd,
  fastIsMobile,
  fastIsRegionCode,
  fastIsUscc,
  parseDate,
  parseDateTime,
  parseDecimal,
  decimalText,
  valueText,
  JsonNumber,
  NaiveDateTime,
} from '../../loaders/coerce.ts';
import { compileAcceptor } from '../../loaders/byte-acceptors.ts';
import { sniffDelimiter } from '../../loaders/csv.ts';
import { pgType, rejectsToCsv } from '../../loaders/index.ts';
import { normalizeHeader } from '../../loaders/plan.ts';
import { CsvProfiler } from '../../loaders/profile.ts';
import { LineMap, Sink } from '../../loaders/sink.ts';
import type { LoaderItem } from '../../loaders/types.ts';
import { isMobile, isRegionCode, isUscc, withIdCardCheck, withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { rng } from '../helpers/rng.ts';

function ok(item: LoaderItem, input: string): string {
  const r = compileCoercer(item)(input);
  if (r instanceof Fail) throw new Error(`${JSON.stringify(input)} failed: ${r.rule} ${r.message}`);
  return r;
}
function fail(item: LoaderItem, input: string): Fail {
  const r = compileCoercer(item)(input);
  if (!(r instanceof Fail)) throw new Error(`${JSON.stringify(input)} passed as ${JSON.stringify(r)}`);
  return r;
}


describe('loaders: coercion', () => {
  describe('exact numbers (N, Y, I)', () => {
    const money: LoaderItem = { name: 'capital', type: 'Y', length: 18, scale: 2, minimum: 0 };
    it('passes canonical numbers through unchanged', () => {
      const plain: LoaderItem = { name: 'capital', type: 'Y', length: 18, scale: 2 };
      for (const s of ['0', '12', '12.5', '12.50', '-3.25', '0.01', '007', '9999999999999999.99']) expect(ok(plain, s)).to.equal(s);
    });
    it('normalises thousands separators, currency signs, plus, spaces, full-width digits and exponents', () => {
      expect(ok(money, '1,234,567.89')).to.equal('1234567.89');
      expect(ok(money, '¥1,000')).to.equal('1000');
      expect(ok(money, '￥１２３．４５')).to.equal('123.45');
      expect(ok(money, ' +12.3 ')).to.equal('12.3');
      expect(ok(money, '1.5e3')).to.equal('1500');
      expect(ok(money, '.5')).to.equal('0.5');
    });
    it('never goes through floating point: the decimal text is kept digit for digit', () => {
      const big: LoaderItem = { name: 'x', type: 'N' };
      expect(ok(big, '12345678901234567890.123456789')).to.equal('12345678901234567890.123456789');
      expect(ok(big, '0.1')).to.equal('0.1');
    });
    it('rejects non-numbers, too many decimals and too many digits', () => {
      expect(fail(money, '12a').rule).to.equal('type');
      expect(fail(money, '1,23').rule).to.equal('type');
      expect(fail(money, '-').rule).to.equal('type');
      expect(fail(money, '1.234').rule).to.equal('scale');
      expect(fail(money, '1234567890123456789').rule).to.equal('precision');
      expect(ok(money, '1.230')).to.equal('1.230'); // trailing zero: still 2 significant decimals
    });
    it('checks minimum and maximum exactly, at the boundary too', () => {
      const score: LoaderItem = { name: 'score', type: 'N', length: 5, scale: 1, minimum: 0, maximum: 100 };
      expect(ok(score, '100')).to.equal('100');
      expect(ok(score, '100.0')).to.equal('100.0');
      expect(fail(score, '100.1').rule).to.equal('maximum');
      expect(ok(score, '0')).to.equal('0');
      expect(fail(score, '-0.1').rule).to.equal('minimum');
      const tiny: LoaderItem = { name: 't', type: 'N', maximum: 0.1 };
      expect(ok(tiny, '0.1')).to.equal('0.1');
      expect(fail(tiny, '0.10000000000000000001').rule).to.equal('maximum');
    });
    it('integers: range of integer/bigint, fraction rejected, 12.00 accepted as 12', () => {
      const i: LoaderItem = { name: 'staff', type: 'I' };
      expect(ok(i, '42')).to.equal('42');
      expect(ok(i, '12.00')).to.equal('12');
      expect(fail(i, '12.5').rule).to.equal('type');
      expect(ok(i, '9223372036854775807')).to.equal('9223372036854775807');
      expect(fail(i, '9223372036854775808').rule).to.equal('maximum');
      const i4: LoaderItem = { name: 'n', type: 'I', length: 9 };
      expect(pgType(i4)).to.equal('integer');
      expect(fail(i4, '1234567890').rule).to.equal('precision');
      expect(ok(i4, '-2147483')).to.equal('-2147483');
    });
    it('parseDecimal/decimalText round-trip', () => {
      expect(decimalText(parseDecimal('-000.000')!)).to.equal('0');
      expect(decimalText(parseDecimal('1e-3')!)).to.equal('0.001');
      expect(decimalText(parseDecimal('-12.5E+2')!)).to.equal('-1250');
      expect(parseDecimal('1e')).to.equal(null);
      expect(parseDecimal('+-1')).to.equal(null);
    });
  });

  describe('floating point (B, F)', () => {
    const lat: LoaderItem = { name: 'lat', type: 'B', minimum: -90, maximum: 90 };
    it('accepts decimal and exponent forms, checks the range', () => {
      expect(ok(lat, '22.543096')).to.equal('22.543096');
      expect(ok(lat, '-1.5e1')).to.equal('-1.5e1');
      expect(ok({ name: 'f', type: 'F' }, '1,234.5')).to.equal('1234.5');
      expect(ok({ name: 'f', type: 'F' }, '+.5')).to.equal('+.5');
      expect(fail(lat, '90.0001').rule).to.equal('maximum');
      expect(fail(lat, 'abc').rule).to.equal('type');
      expect(fail({ name: 'f', type: 'F' }, '1e400').rule).to.equal('type');
      expect(fail({ name: 'f', type: 'F' }, 'NaN').rule).to.equal('type');
    });
  });

  describe('dates (D)', () => {
    const d: LoaderItem = { name: 'founded', type: 'D' };
    it('accepts 2024-01-05, 2024/1/5, 2024年1月5日, 20240105, 2024.1.5, Excel serial days, midnight times', () => {
      expect(ok(d, '2024-01-05')).to.equal('2024-01-05');
      expect(ok(d, '2024/1/5')).to.equal('2024-01-05');
      expect(ok(d, '2024年1月5日')).to.equal('2024-01-05');
      expect(ok(d, '2024 年 1 月 5 日')).to.equal('2024-01-05');
      expect(ok(d, '20240105')).to.equal('2024-01-05');
      expect(ok(d, '2024.1.5')).to.equal('2024-01-05');
      expect(ok(d, '45296')).to.equal('2024-01-05');
      expect(ok(d, '45296.0')).to.equal('2024-01-05');
      expect(ok(d, '2024-01-05 00:00:00')).to.equal('2024-01-05');
      expect(ok(d, '2024-01-05T00:00')).to.equal('2024-01-05');
    });
    it('rejects impossible dates, times of day and other text', () => {
      for (const s of ['2023-02-29', '2024-13-01', '2024-00-10', '2024/1/32', '2024-01-05 08:00', '05/01/2024', 'tomorrow', '60'])
        expect(fail(d, s).rule, s).to.equal('type');
      expect(ok(d, '2024-02-29')).to.equal('2024-02-29');
    });
    it('Excel serial days follow the 1900 date system (with its phantom 29 Feb 1900)', () => {
      expect(excelSerialToYmd(1)).to.deep.equal([1900, 1, 1]);
      expect(excelSerialToYmd(59)).to.deep.equal([1900, 2, 28]);
      expect(excelSerialToYmd(60)).to.equal(null);
      expect(excelSerialToYmd(61)).to.deep.equal([1900, 3, 1]);
      expect(excelSerialToYmd(45296)).to.deep.equal([2024, 1, 5]);
    });
  });

  describe('date-times (T)', () => {
    it('reads naive times as Asia/Shanghai and keeps explicit zones', () => {
      expect(parseDateTime('2024-01-05 08:30:00')).to.equal('2024-01-05 08:30:00+08:00');
      expect(parseDateTime('2024-01-05T08:30')).to.equal('2024-01-05 08:30:00+08:00');
      expect(parseDateTime('2024/1/5 8:30:05')).to.equal('2024-01-05 08:30:05+08:00');
      expect(parseDateTime('2024年1月5日 8时30分5秒')).to.equal('2024-01-05 08:30:05+08:00');
      expect(parseDateTime('2024-01-05T00:30:00Z')).to.equal('2024-01-05 00:30:00+00:00');
      expect(parseDateTime('2024-01-05T08:30:00.123456+0530')).to.equal('2024-01-05 08:30:00.123456+05:30');
      expect(parseDateTime('2024-01-05T08:30:00-03')).to.equal('2024-01-05 08:30:00-03:00');
      expect(parseDateTime('2024-01-05')).to.equal('2024-01-05 00:00:00+08:00');
      expect(parseDateTime('20240105083005')).to.equal('2024-01-05 08:30:05+08:00');
      expect(parseDateTime('45296.5')).to.equal('2024-01-05 12:00:00+08:00');
    });
    it('rejects impossible times', () => {
      for (const s of ['2024-01-05 24:00:00', '2024-01-05 08:60', '2024-02-30 10:00', '2024-01-05 08:30+15:00', 'now'])
        expect(parseDateTime(s), s).to.equal(null);
    });
  });

  describe('booleans (L)', () => {
    const l: LoaderItem = { name: 'active', type: 'L' };
    it('accepts 是/否, true/false, 1/0, Y/N in any case', () => {
      for (const s of ['是', 'true', 'TRUE', '1', 'Y', 'y', 'yes', 'T']) expect(ok(l, s), s).to.equal('t');
      for (const s of ['否', 'false', 'False', '0', 'N', 'no', 'F']) expect(ok(l, s), s).to.equal('f');
      expect(fail(l, '也许').rule).to.equal('type');
    });
  });

  describe('text (C, M) and binary (G)', () => {
    it('counts characters, not bytes or UTF-16 units', () => {
      const c: LoaderItem = { name: 'name', type: 'C', length: 4 };
      expect(ok(c, '深圳华为')).to.equal('深圳华为');
      expect(ok(c, '𠀀𠀁𠀂𠀃')).to.equal('𠀀𠀁𠀂𠀃');
      const f = fail(c, '深圳华为技术');
      expect(f.rule).to.equal('length');
      expect(f.message).to.contain('6 characters');
    });
    it('keeps text verbatim, spaces included', () => {
      expect(ok({ name: 'n', type: 'C' }, '  a  ')).to.equal('  a  ');
    });
    it('enum, pattern and checked identifiers', () => {
      expect(fail({ name: 's', type: 'C', enum: ['存续', '注销'] }, '吊销').rule).to.equal('enum');
      expect(ok({ name: 's', type: 'C', enum: ['存续', '注销'] }, '注销')).to.equal('注销');
      expect(fail({ name: 'p', type: 'C', pattern: '^[0-9]{6}$' }, '51800').rule).to.equal('pattern');
      expect(fail({ name: 'u', type: 'C', check: 'uscc' }, '91440300MA5FXXXXX1').rule).to.equal('uscc');
      expect(ok({ name: 'u', type: 'C', check: 'uscc' }, withUsccCheck('91440300MA5F00001'))).to.have.length(18);
      expect(fail({ name: 'i', type: 'C', check: 'id-card' }, '440301199001011235').rule).to.equal('id-card');
      expect(fail({ name: 'i', type: 'C', check: 'id-card' }, withIdCardCheck('44030118990101123')).rule).to.equal('id-card');
      expect(ok({ name: 'i', type: 'C', check: 'id-card' }, withIdCardCheck('44030119900101123'))).to.have.length(18);
      expect(fail({ name: 'm', type: 'C', check: 'mobile' }, '12800138000').rule).to.equal('mobile');
      expect(fail({ name: 'r', type: 'C', check: 'region-code' }, '990101').rule).to.equal('region-code');
      expect(fail({ name: 'n', type: 'C' }, 'a\0b').rule).to.equal('type');
    });
    it('binary: \\x hex kept, base64 converted to hex', () => {
      const g: LoaderItem = { name: 'logo', type: 'G' };
      expect(ok(g, '\\x0aff')).to.equal('\\x0aff');
      expect(ok(g, 'AQID')).to.equal('\\x010203');
      expect(fail(g, '\\x0g').rule).to.equal('type');
      expect(fail(g, 'not base64!').rule).to.equal('type');
    });
  });

  describe('values of typed formats', () => {
    it('renders JSON numbers exactly, dates by type, binary as hex', () => {
      expect(valueText({ name: 'x', type: 'N' }, new JsonNumber('12345678901234567890.5'))).to.equal('12345678901234567890.5');
      expect(valueText({ name: 'd', type: 'D' }, new NaiveDateTime(new Date(Date.UTC(2024, 0, 5))))).to.equal('2024-01-05');
      expect(valueText({ name: 't', type: 'T' }, new NaiveDateTime(new Date(Date.UTC(2024, 0, 5, 8, 30))))).to.equal('2024-01-05 08:30:00');
      expect(valueText({ name: 't', type: 'T' }, new Date(Date.UTC(2024, 0, 5, 0, 30)))).to.equal('2024-01-05T00:30:00Z');
      expect(valueText({ name: 'g', type: 'G' }, new Uint8Array([1, 255]))).to.equal('\\x01ff');
      expect(valueText({ name: 'l', type: 'L' }, 1)).to.equal('t');
      expect(valueText({ name: 'n', type: 'N' }, 10n ** 20n)).to.equal('100000000000000000000');
    });
  });

  describe('pgType', () => {
    it('maps every item type to a PostgreSQL type', () => {
      expect(pgType({ name: 'a', type: 'C', length: 18 })).to.equal('varchar(18)');
      expect(pgType({ name: 'a', type: 'C' })).to.equal('text');
      expect(pgType({ name: 'a', type: 'M' })).to.equal('text');
      expect(pgType({ name: 'a', type: 'N', length: 10, scale: 2 })).to.equal('numeric(10,2)');
      expect(pgType({ name: 'a', type: 'N', length: 10 })).to.equal('numeric(10,0)');
      expect(pgType({ name: 'a', type: 'N' })).to.equal('numeric');
      expect(pgType({ name: 'a', type: 'Y' })).to.equal('numeric(19,4)');
      expect(pgType({ name: 'a', type: 'Y', length: 18, scale: 2 })).to.equal('numeric(18,2)');
      expect(pgType({ name: 'a', type: 'D' })).to.equal('date');
      expect(pgType({ name: 'a', type: 'T' })).to.equal('timestamptz');
      expect(pgType({ name: 'a', type: 'L' })).to.equal('boolean');
      expect(pgType({ name: 'a', type: 'G' })).to.equal('bytea');
      expect(pgType({ name: 'a', type: 'B' })).to.equal('double precision');
      expect(pgType({ name: 'a', type: 'F' })).to.equal('double precision');
      expect(pgType({ name: 'a', type: 'I' })).to.equal('bigint');
    });
  });
});

describe('loaders: fast paths agree with the reference checks', () => {
  const CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZa -';
  it('table-driven identifier checks equal server/src/lib/identifiers.ts', () => {
    const r = rng(7);
    let valid = 0;
    for (let n = 0; n < 20000; n++) {
      let s: string;
      const kind = n % 4;
      if (kind === 0) {
        let p = '';
        for (let i = 0; i < 17; i++) p += '0123456789ABCDEFGHJKLMNPQRTUWXY'[Math.floor(r() * (i >= 2 && i < 8 ? 10 : 31))];
        try {
          s = withUsccCheck(p);
        } catch {
          s = p + '0';
        }
        if (r() < 0.5) {
          const i = Math.floor(r() * 18);
          s = s.slice(0, i) + CHARS[Math.floor(r() * CHARS.length)] + s.slice(i + 1);
        }
      } else if (kind === 1) {
        s = '1' + Math.floor(r() * 1e10).toString().padStart(10, '0');
        if (r() < 0.3) s = s.slice(0, Math.floor(r() * 12));
      } else if (kind === 2) {
        s = Math.floor(r() * 1e6).toString().padStart(6, '0') + (r() < 0.3 ? Math.floor(r() * 1e6).toString().padStart(6, '0') : '');
      } else {
        s = '';
        const len = Math.floor(r() * 20);
        for (let i = 0; i < len; i++) s += CHARS[Math.floor(r() * CHARS.length)];
      }
      expect(fastIsUscc(s), s).to.equal(isUscc(s));
      expect(fastIsMobile(s), s).to.equal(isMobile(s));
      expect(fastIsRegionCode(s), s).to.equal(isRegionCode(s));
      if (isUscc(s)) valid++;
    }
    expect(valid).to.be.greaterThan(2000);
  });

  const items: LoaderItem[] = [
    { name: 'capital', type: 'Y', length: 18, scale: 2, minimum: 0, maximum: 1e10 },
    { name: 'score', type: 'N', length: 5, scale: 1, minimum: 0, maximum: 100 },
    { name: 'n', type: 'N' },
    { name: 'staff', type: 'I', minimum: -5, maximum: 100000 },
    { name: 'i4', type: 'I', length: 9 },
    { name: 'id', type: 'I', minimum: 1 },
    { name: 'below', type: 'Y', length: 18, scale: 2, maximum: 1000 },
    { name: 'lon', type: 'B', minimum: -180 },
    { name: 'lat', type: 'B', minimum: -90, maximum: 90 },
    { name: 'f', type: 'F' },
    { name: 'd', type: 'D' },
    { name: 'u', type: 'C', length: 18, check: 'uscc' },
    { name: 'm', type: 'C', check: 'mobile' },
    { name: 'r', type: 'C', check: 'region-code' },
    { name: 'e', type: 'C', length: 4, enum: ['存续', '在业', 'ab'] },
    { name: 'c', type: 'C', length: 3 },
    { name: 'p', type: 'C', length: 5, pattern: '^[0-9a]{2,3}$' },
    { name: 'p2', type: 'C', check: 'region-code', pattern: '^4403' },
    { name: 'p3', type: 'M', pattern: '中' },
  ];
  it('a byte acceptor accepts only values the coercer passes through unchanged', () => {
    const r = rng(11);
    const alphabet = '0123456789.-+,eE ¥年月日/存续在业ab中文';
    const samples = [
      '0', '-0', '00.10', '100', '100.0', '100.05', '-5', '-5.0', '90', '-90', '90.0000000001', '1e3', '1.', '.5', '2024-01-05',
      '2024-02-30', '2023-02-29', '9999-12-31', '0000-01-01', '1234567890', '9999999999999999.99', '10000000000', '10000000000.01',
      '存续', '在业', 'ab', 'abc', 'abcd', '中文中', '中文中文', withUsccCheck('91440300MA5F00001'), '13800138000', '440303', '440303001001',
    ];
    for (let n = 0; n < 20000; n++) {
      let s = '';
      const len = 1 + Math.floor(r() * 12);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(r() * alphabet.length)];
      samples.push(s);
      samples.push(String(Math.floor((r() - 0.3) * 1e6) / 100));
    }
    let accepted = 0;
    for (const item of items) {
      const acc = compileAcceptor(item);
      const co = compileCoercer(item);
      if (!acc) continue;
      for (const s of samples) {
        const b = Buffer.from('"' + s + '"');
        if (acc(b, 1, b.length - 1)) {
          accepted++;
          expect(co(s), `${item.name} ${JSON.stringify(s)}`).to.equal(s);
        }
      }
    }
    expect(accepted).to.be.greaterThan(1000);
  });
  it('the streamed decimal minimum and maximum are exact for rising, falling and near-equal sequences', () => {
    // Exact order of decimal texts by BigInt at a common scale.
    const big = (t: string) => {
      const [i, f = ''] = t.replace('-', '').split('.');
      const v = BigInt(i + f.padEnd(6, '0'));
      return t.startsWith('-') ? -v : v;
    };
    const r = rng(5);
    const seqs: string[][] = [
      Array.from({ length: 3000 }, (_, i) => String(i + 1)),
      Array.from({ length: 3000 }, (_, i) => String(5000 - i)),
      ['9007199254740993', '9007199254740992', '9007199254740995', '9007199254740994', '-9007199254740993', '-9007199254740992'],
      ['5', '5.0', '5.10', '5.1', '-0.5', '-0.50', '12345678901234.56', '12345678901234.57', '12345678901234.55'],
      Array.from({ length: 3000 }, () => (Math.floor((r() - 0.5) * 1e8) / 100).toFixed(2)),
    ];
    for (const seq of seqs) {
      const col = { index: 0, header: 'n', item: { name: 'n', type: 'N' } as LoaderItem, copyIndex: 0, coerce: null, text: false, required: false, check: true, invalid: 0 };
      const p = new CsvProfiler([col], 'utf8');
      for (const t of seq) {
        const b = Buffer.from(t);
        p.numberBytes(0, NaN, b, 0, b.length);
      }
      const got = p.result(() => undefined).get('n')!;
      const sorted = [...seq].sort((a, b) => (big(a) < big(b) ? -1 : big(a) > big(b) ? 1 : 0));
      expect([big(got.min!), big(got.max!)], seq.slice(0, 3).join(' ')).to.deep.equal([big(sorted[0]), big(sorted[sorted.length - 1])]);
    }
  });
  it('an item with only a minimum or only a maximum still takes the byte path for values inside it', () => {
    // A missing bound once made the fast range NaN, so every value of such an item went the string way.
    const b = Buffer.from('12345');
    expect(compileAcceptor({ name: 'id', type: 'I', minimum: 1 })!(b, 0, 5)).to.equal(true);
    expect(compileAcceptor({ name: 'v', type: 'Y', length: 18, scale: 2, maximum: 1e6 })!(b, 0, 5)).to.equal(true);
    expect(compileAcceptor({ name: 'f', type: 'B', minimum: 0 })!(b, 0, 5)).to.equal(true);
    expect(compileAcceptor({ name: 'id', type: 'I', minimum: 1 })!(Buffer.from('0'), 0, 1)).to.equal(false);
  });
});

describe('loaders: headers, delimiters, rejects CSV', () => {
  it('sniffs , ; tab and | delimiters', () => {
    expect(sniffDelimiter('a,b,c\n1,2,3\n4,5,6\n')).to.equal(',');
    expect(sniffDelimiter('a;b;c\n1;2,5;3\n4;5;6\n')).to.equal(';');
    expect(sniffDelimiter('a\tb\tc\n1\t2\t3\n')).to.equal('\t');
    expect(sniffDelimiter('名称|金额\n"a|b"|1\nc|2\n')).to.equal('|');
    expect(sniffDelimiter('"x, y";z\n"1, 2";3\n')).to.equal(';');
  });
  it('normalises headers for matching (BOM, spaces, full-width brackets, case)', () => {
    expect(normalizeHeader('\ufeff 注册资本（万元） ')).to.equal('注册资本(万元)');
    expect(normalizeHeader('USCC')).to.equal('uscc');
  });
  it('writes rejects as CSV with a BOM, quoting, and formula injection neutralised', () => {
    const csv = rejectsToCsv([
      { record: 3, line: 4, column: 'capital', header: '注册资本', value: '=HYPERLINK("x")', rule: 'type', message: 'not a number, "really"' },
      { record: 5, line: null, column: null, header: null, value: '-12', rule: 'minimum', message: 'm' },
    ]);
    const lines = csv.split('\r\n');
    expect(lines[0]).to.equal('\ufeffrecord,line,column,header,value,rule,message,message_zh');
    expect(lines[1]).to.equal(`3,4,capital,注册资本,"'=HYPERLINK(""x"")",type,"not a number, ""really""","第 3 条记录的“注册资本”值的类型不符（not a number, ""really""）"`);
    expect(lines[2]).to.equal('5,,,,-12,minimum,m,第 5 条记录值小于允许的最小值（m）');
  });
});

describe('loaders: record bookkeeping', () => {
  it('maps the n-th record sent to COPY back to the file record, skipping rejected ones', () => {
    const s = new Sink({ columns: [], copyItems: [], maxErrors: 1e9, keepRejects: 0 });
    const r = rng(3);
    const rejected = new Set<number>();
    for (let rec = 1; rec <= 5000; rec++) if (r() < 0.2) rejected.add(rec);
    for (const rec of [...rejected].sort((a, b) => a - b)) s.rowRejected(rec);
    let n = 0;
    for (let rec = 1; rec <= 5000; rec++) if (!rejected.has(rec)) expect(s.recordOfEmitted(++n)).to.equal(rec);
  });
  it('maps records to physical lines sparsely', () => {
    const m = new LineMap();
    // header on line 1; record 2 spans lines 3-4; a blank line before record 4
    m.add(1, 2);
    m.add(2, 3);
    m.add(3, 5);
    m.add(4, 7);
    m.add(5, 8);
    expect([1, 2, 3, 4, 5, 6].map((x) => m.line(x))).to.deep.equal([2, 3, 5, 7, 8, 9]);
  });
});
