/**
 * The request parsers on random input: the query-string parser and the cursor decoder either
 * answer or refuse with a 400 — never another error — and the query string never reaches an
 * object's prototype.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import qs from 'qs';
import { HttpError } from '../../server/src/http/errors.ts';
import { parseQueryString } from '../../server/src/http/query-string.ts';
import { decodeCursor, encodeCursor } from '../../server/src/lib/cursor.ts';
import { castProblem } from '../../server/src/data/row-conditions.ts';
import { fuzz, nasty } from './runs.ts';

const refusedOr400 = (f: () => unknown) => {
  try {
    return f();
  } catch (err) {
    expect(err).to.be.instanceOf(HttpError);
    expect((err as HttpError).status).to.equal(400);
    return undefined;
  }
};

/** Percent-encodes every byte of the UTF-8 text but letters and digits (a lone surrogate becomes U+FFFD). */
const encode = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

const queryPart = fc.tuple(
  fc.oneof(fc.constantFrom('fields', 'sort', 'limit', 'cursor', 'filter[a]', 'filter[a][eq]', 'filter[b][in]', 'filter[a][b][c]', 'a[]', 'a[0]', '__proto__[x]', 'constructor[prototype][x]', 'filter'), nasty),
  nasty,
).map(([k, v]) => `${encode(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encode(v)}`);

describe('fuzz: request parsers', () => {
  it('the query-string parser on any text: an object or a 400, never a polluted prototype', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(queryPart, nasty), { maxLength: 12 }), (parts) => {
        const query = parts.join('&');
        const out = refusedOr400(() => parseQueryString(query));
        expect(({} as Record<string, unknown>).x).to.equal(undefined);
        if (out === undefined) expect(query.includes('%00')).to.equal(true);
        else expect(out).to.be.an('object');
      }),
      fuzz(1000),
    );
  });

  it('the query-string parser on encoded names and values reads what qs reads', () => {
    fc.assert(
      fc.property(fc.array(queryPart, { maxLength: 12 }), (parts) => {
        const query = parts.join('&');
        if (query.includes('%00')) return;
        const out = parseQueryString(query);
        expect(JSON.parse(JSON.stringify(out))).to.deep.equal(JSON.parse(JSON.stringify(qs.parse(query, { allowPrototypes: true }))));
      }),
      fuzz(1000),
    );
  });

  it('the cursor decoder: the key it encoded, or a 400', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.array(fc.oneof(fc.string(), fc.double(), fc.constant(null)), { maxLength: 3 }).map((k) => encodeCursor(k))), fc.constantFrom(['string'], ['number'], ['string', 'string']), (cursor, shape) => {
        const key = refusedOr400(() => decodeCursor(cursor, [...shape]));
        if (key) {
          expect(key).to.have.length(shape.length);
          (key as unknown[]).forEach((v, i) => {
            expect(typeof v).to.equal(shape[i]);
            if (typeof v === 'number') expect(Number.isFinite(v)).to.equal(true);
          });
        }
      }),
      fuzz(1000),
    );
  });

  it('castProblem never throws, whatever the type and the text', () => {
    fc.assert(
      fc.property(fc.constantFrom('numeric(18,2)', 'numeric', 'integer', 'bigint', 'double precision', 'date', 'timestamptz', 'boolean', 'tid', 'bytea', 'text', 'varchar(10)'), nasty, (cast, v) => {
        const p = castProblem(cast, v);
        expect(p === null || (typeof p.zh === 'string' && typeof p.en === 'string')).to.equal(true);
      }),
      fuzz(3000),
    );
  });
});
