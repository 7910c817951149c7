import { expect } from 'chai';
import qs from 'qs';
import { parseQueryString } from '../../server/src/http/query-string.ts';

// what Express's "extended" query parser returns, which the API has always been written against
const expressReads = (s: string) => qs.parse(s, { allowPrototypes: true });

describe('query string parsing', () => {
  const cases = [
    '',
    'q=营业执照',
    'q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7&limit=10',
    'filter[uscc]=91350200MA2XYZ1234',
    'filter%5Buscc%5D=91350200MA2XYZ1234',
    'filter[capital][gte]=100&filter[capital][lt]=5000&filter[name][contains]=贸易&sort=-capital,name&fields=name,capital&limit=50&count=exact',
    'filter[status][in]=active,closed&cursor=WyJhIl0',
    'q=a+b&x=%2B1',
    'bad=%E0%A4%A&ok=1',
    'flag&empty=&=orphan',
    'a.b=1&c[d.e]=2',
    'a=1&a=2',
    'a[]=1&a[]=2',
    'a[0]=x&a[1]=y',
    'a=1&a[b]=2',
    'a[b]=2&a=1',
    'a[b]=1&a[b]=2',
    'a[b][c][d][e][f][g]=deep',
    'a[b]c=1',
    '[a]=1&b]=2',
    '__proto__[polluted]=1&constructor=x',
    'hasOwnProperty=1&toString=2',
    '1=one&x[2]=two',
    'filter[name][contains]=%',
    'fq=organization:"abc"&rows=10&start=0&facet.field=["tags"]',
    Array.from({ length: 1100 }, (_, i) => `p${i}=${i}`).join('&'),
  ];
  for (const s of cases) {
    it(`reads ${JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s)} as Express's extended parser does`, () => {
      const got = parseQueryString(s);
      expect(got).to.deep.equal(expressReads(s));
      expect(Object.getPrototypeOf(got)).to.equal(Object.prototype);
    });
  }

  it('leaves Object.prototype alone', () => {
    parseQueryString('__proto__[polluted]=yes&a[__proto__][x]=1');
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });
});
