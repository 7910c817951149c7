import { z } from 'zod';

export const Health = z.object({ status: z.string().describe('ok') });

export const Readiness = z.object({
  status: z.string().describe('ready; or, with status 503, migrations not current or database unreachable'),
  database: z.string().describe('ok, or the error met when asking the database'),
  pending: z.array(z.string()).optional().describe('migrations this code has that the database lacks'),
  unknown: z.array(z.string()).optional().describe('migrations the database has that this code does not know (a newer version ran)'),
});

/** The OpenAPI document itself; its shape is OpenAPI 3.1's. */
export const OpenApiDocument = z.record(z.string(), z.unknown()).describe('an OpenAPI 3.1 document');
