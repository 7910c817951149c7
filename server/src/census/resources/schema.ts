import { QualityProfileShown } from '../../policies/data-values.ts';
import { z } from 'zod';
import { catalogDocument, csvList, timestamp } from '../../lib/zod-fields.ts';


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

export const UpdateQuery = z.object({ version: z.coerce.number().int().positive().optional() });
export const StepBody = z.object({ note: z.string().max(2000).optional() }).default({});

export const ResourceRecord = z
  .object({
    id: z.number().int(),
    code: z.string().nullable().describe('信息资源代码, assigned on first publication'),
    departmentId: z.number().int(),
    name: z.string(),
    status: z.string().describe('draft, submitted, approved, published or retired (others see published or retired)'),
    linked: z.boolean().describe('the entry is linked to a system of the 系统清单'),
    dataUpdatedAt: timestamp.nullable(),
    data: z
      .object({ version: z.number().int(), rows: z.number().int().nullable(), updatedAt: timestamp.nullable(), quality: QualityProfileShown.nullable() })
      .nullable()
      .describe('the current loaded version of the data; null before the first load'),
    published: z
      .object({ version: z.number().int(), at: timestamp, doc: catalogDocument('resource') })
      .nullable()
      .describe('the published document, visible to every department; null before publication'),
    version: z.number().int().optional().describe('the working document’s version (its department and the authority only)'),
    doc: catalogDocument('resource').optional().describe('the working document (its department and the authority only)'),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Resource', description: 'A catalogue entry (数据资源): the published document, and the working draft to those who may see it' });

export const ResourceSummary = z
  .object({
    id: z.number().int(),
    code: z.string().nullable(),
    name: z.string(),
    departmentId: z.number().int(),
    status: z.string(),
    summary: z.string().nullable().optional(),
    domain: z.string().nullable(),
    shareType: z.string().nullable().describe('共享类型: unconditional, conditional, none'),
    openType: z.string().nullable().describe('开放类型: open, conditional, none'),
    format: z.string().nullable(),
    updateCycle: z.string().nullable(),
    publishedAt: timestamp.nullable(),
    linked: z.boolean(),
    score: z.number().optional().describe('relevance to `q`'),
    approval: z
      .object({
        limitDays: z.number().int().describe('the officer’s limit in working days (ODX_RESOURCE_APPROVAL_DAYS)'),
        dueAt: timestamp.describe('24:00 (Asia/Shanghai) of the last working day, by the working-day calendar'),
        daysLeft: z.number().int().describe('working days left, today not counted; 0 on the deadline’s day, negative past it'),
        overdue: z.boolean(),
      })
      .optional()
      .describe('while submitted: the deadline of the department officer’s approval'),
  })
  .meta({ id: 'ResourceSummary', description: 'A catalogue entry in a list or search result' });

export const FacetCounts = z
  .record(z.string(), z.array(z.object({ value: z.union([z.string(), z.number()]), count: z.number().int(), label: z.string().nullable().optional() })))
  .describe('for each facet, its values and how many results have each');

/** A search result page: keyset paging, the total (sampled when large) and facet counts. */
export const searchPageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    next: z.string().nullable().describe('cursor of the next page; null on the last page'),
    total: z.number().int().nullable().describe('how many entries match; null when facets=false'),
    approximate: z.boolean().describe('the total and facet counts are estimated from a sample'),
    capped: z.boolean(),
    facets: FacetCounts.optional(),
  });

export const ResourceSearchPage = searchPageOf(ResourceSummary);
