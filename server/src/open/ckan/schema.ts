import { z } from 'zod';

export const CkanEnvelope = z
  .object({
    help: z.string().describe('URL of the action’s help'),
    success: z.boolean(),
    result: z.unknown().optional().describe('what the action returns (see docs/ckan.md)'),
    error: z.record(z.string(), z.unknown()).optional().describe('__type and message when success is false'),
  })
  .meta({ id: 'CkanResponse', description: 'The CKAN Action API envelope' });
