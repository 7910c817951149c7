import { z } from 'zod';

export const SchemaParams = z.object({ name: z.string().max(50).describe('the document kind: department, system, resource, demand, share-request or open-application') });

export const JsonSchemaDocument = z
  .record(z.string(), z.unknown())
  .describe('a JSON Schema (draft 2020-12), self-contained: the common definitions it uses are in its own $defs');
