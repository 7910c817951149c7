import { z } from 'zod';
import { listOf, timestamp } from '../../lib/zod-fields.ts';
import { documentEntry } from '../documents/schema.ts';

export const DemandWithLinks = documentEntry('demand')
  .extend({
    reason: z.string().nullable().describe('why nothing can answer the demand, when closed as unfulfillable'),
    links: z.array(z.number().int()).describe('ids of the resources linked to the demand'),
    matchedAt: timestamp.nullable(),
    requestedAt: timestamp.nullable(),
    fulfilledAt: timestamp.nullable(),
    unfulfillableAt: timestamp.nullable(),
  })
  .meta({ id: 'DemandWithLinks', description: 'A demand with its links and the times of its transitions (for the response-time indicators)' });

export const DemandMatch = z
  .object({
    resourceId: z.number().int(),
    code: z.string().nullable(),
    name: z.string(),
    departmentId: z.number().int(),
    score: z.number().describe('0–1: 0.4 × name coverage + 0.6 × item coverage'),
    nameCoverage: z.number(),
    items: z.array(z.object({ wanted: z.string(), matched: z.string().nullable(), coverage: z.number() })),
  })
  .meta({ id: 'DemandMatch', description: 'A published resource that may answer a demand' });

export const DemandMatches = listOf(DemandMatch);
