import { z } from 'zod';
import { csvList } from '../../lib/zod-fields.ts';


export const ResourceListQuery = z.object({
  q: z.string().max(200).optional(),
  department: z.coerce.number().int().positive().optional(),
  domain: csvList().optional(),
  shareType: csvList().optional(),
  openType: csvList().optional(),
  format: csvList().optional(),
  updateCycle: csvList().optional(),
  status: z.enum(['draft', 'submitted', 'approved', 'published', 'retired']).optional(),
  linked: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  facets: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ResourceListQuery = z.infer<typeof ResourceListQuery>;

/** The document itself is validated against catalog-schemas/resource.schema.json, not here. */
export const DocumentBody = z.record(z.string(), z.unknown());
export const UpdateQuery = z.object({ version: z.coerce.number().int().positive().optional() });
export const StepBody = z.object({ note: z.string().max(2000).optional() }).default({});
