import type { components, operations } from './openapi.ts';

/** A body the API answers or takes, by its schema's name in /openapi.json (generated into openapi.ts; never copied by hand). */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];

/** The JSON body an operation answers with 200, by its operationId (for list pages whose schema has no name of its own). */
export type Answer<O extends keyof operations> = operations[O]['responses'] extends { 200: { content: { 'application/json': infer B } } } ? B : never;
