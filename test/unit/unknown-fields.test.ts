import { expect } from 'chai';
import { z } from 'zod';
import { unknownFields } from '../../server/src/http/unknown-fields.ts';

describe('unknownFields', () => {
  const schema = z.object({ name: z.string(), items: z.array(z.object({ n: z.number() })), when: z.coerce.date().optional(), tags: z.record(z.string(), z.string()).optional() });
  const check = (body: unknown) => unknownFields(body, schema.parse(body));

  it('names what the schema dropped, at any depth, as JSON pointers', () => {
    expect(check({ name: 'a', items: [{ n: 1 }, { n: 2, m: 3 }], 'a/b': 1 })).to.deep.equal(['/items/1/m', '/a~1b']);
  });
  it('leaves alone what the schema kept, records and coerced values included', () => {
    expect(check({ name: 'a', items: [], when: '2026-01-01', tags: { x: 'y' } })).to.deep.equal([]);
  });
});
