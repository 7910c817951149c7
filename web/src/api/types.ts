import type { components } from './openapi.ts';

/** A body the API answers or takes, by its schema's name in /openapi.json (generated into openapi.ts; never copied by hand). */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];
