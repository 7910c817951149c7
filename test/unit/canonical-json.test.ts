import { expect } from 'chai';
import { canonicalJson } from '../../server/src/lib/canonical-json.ts';

describe('canonical JSON (what audit hashes cover)', () => {
  it('writes the same bytes as every chain so far: keys sorted by code point, no white space, undefined members dropped, undefined array items null', () => {
    const value = {
      z: 1,
      a: [3, undefined, { y: null, b: '营业执照', é: true }],
      m: undefined,
      d: new Date('2026-12-04T08:00:00.123Z'),
      '10': 'ten',
      '9': 'nine',
      s: 'quote " and \\ and \u2028',
    };
    expect(canonicalJson(value)).to.equal('{"10":"ten","9":"nine","a":[3,null,{"b":"营业执照","y":null,"é":true}],"d":"2026-12-04T08:00:00.123Z","s":"quote \\" and \\\\ and \u2028","z":1}');
    expect(canonicalJson({ b: { d: [], c: {} }, a: '' })).to.equal('{"a":"","b":{"c":{},"d":[]}}');
  });

  it('refuses what JSON cannot carry', () => {
    expect(() => canonicalJson({ n: Number.NaN })).to.throw(/NaN or Infinity/);
    expect(() => canonicalJson([Infinity])).to.throw(/NaN or Infinity/);
  });
});
