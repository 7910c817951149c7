import { z } from 'zod';

export const Health = z.object({ status: z.string().describe('ok') });

export const Readiness = z.object({
  status: z.string().describe('ready; or, with status 503, migrations not current or database unreachable'),
  database: z.string().describe('ok, or the error met when asking the database'),
  pending: z.array(z.string()).optional().describe('migrations this code has that the database lacks'),
  unknown: z.array(z.string()).optional().describe('migrations the database has that this code does not know (a newer version ran)'),
  replicas: z
    .array(
      z.object({
        name: z.string().describe('host:port/database'),
        state: z.enum(['starting', 'ok', 'lagging', 'down']).describe('ok: takes reads; lagging: replay behind by more than ODX_REPLICA_MAX_LAG; down: unreachable or not a standby'),
        lagSeconds: z.number().nullable().describe('how far replay was behind the primary at the last check'),
        replayLsn: z.string().nullable(),
        checkedAt: z.string().nullable(),
        error: z.string().optional(),
        reads: z.number().int().describe('reads this process sent to it'),
      }),
    )
    .optional()
    .describe('the read replicas (ODX_REPLICA_URLS) as this process sees them; a replica never makes the process unready: reads fall back to the primary'),
});

/** The OpenAPI document itself; its shape is OpenAPI 3.1's. */
export const OpenApiDocument = z.record(z.string(), z.unknown()).describe('an OpenAPI 3.1 document');
