/**
 * The route table's response schemas are checked when `npm test` runs tsc: a handler whose body does
 * not fit its route's `response` does not compile. The `@ts-expect-error` lines below are such
 * handlers: if route() stopped checking bodies, they would compile, and tsc would fail on the
 * unused directives. Nothing of this runs per request (route() hands the spec back as it is).
 */
import { expect } from 'chai';
import { z } from 'zod';
import { route, written } from '../../server/src/http/route.ts';
import { timestamp } from '../../server/src/lib/zod-fields.ts';

const Thing = z.object({ id: z.number().int(), name: z.string(), at: timestamp });
const base = { method: 'get' as const, path: '/things', summary: 'a thing', tags: ['things'], access: 'public' as const };

describe('route(): a handler’s body has its response schema’s type', () => {
  it('accepts a body of the response type (a Date where the wire has ISO text) and hands the spec back unchanged', () => {
    const spec = { ...base, operationId: 'getThing', response: Thing, handler: async () => ({ body: { id: 1, name: 'x', at: new Date() } }) };
    expect(route(spec)).to.equal(spec);
  });

  it('refuses, at compile time, a body missing a field, with a field of another type, or from a route that writes its own', () => {
    route({
      ...base,
      operationId: 'missingField',
      response: Thing,
      // @ts-expect-error name is missing
      handler: async () => ({ body: { id: 1, at: new Date() } }),
    });
    route({
      ...base,
      operationId: 'wrongType',
      response: Thing,
      // @ts-expect-error id is a number in the schema
      handler: async () => ({ body: { id: '1', name: 'x', at: new Date() } }),
    });
    route({
      ...base,
      operationId: 'writesItsOwn',
      response: written('text/csv'),
      // @ts-expect-error a route that writes its own response returns no body
      handler: async () => ({ body: 'a,b' }),
    });
    expect(written('text/csv', 'application/json').mediaTypes).to.deep.equal(['text/csv', 'application/json']);
  });
});
