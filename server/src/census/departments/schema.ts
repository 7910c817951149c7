import { z } from 'zod';
import { listOf, regionCode, timestamp, uscc } from '../../lib/zod-fields.ts';

export const DepartmentKind = z.enum(['city', 'district', 'bureau', 'other']);

export const DepartmentCreate = z.object({
  name: z.string().min(1).max(200),
  shortName: z.string().max(50).optional(),
  uscc,
  regionCode,
  kind: DepartmentKind,
  parentId: z.number().int().positive().nullable().optional(),
});
export type DepartmentCreate = z.infer<typeof DepartmentCreate>;

export const DepartmentUpdate = DepartmentCreate.partial().refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });
export type DepartmentUpdate = z.infer<typeof DepartmentUpdate>;

export const DepartmentListQuery = z.object({ parentId: z.coerce.number().int().positive().optional() });

export const DepartmentRecord = z
  .object({
    id: z.number().int(),
    parentId: z.number().int().nullable().describe('the department above this one in the tree; null at the top'),
    name: z.string(),
    shortName: z.string().nullable(),
    uscc: z.string().describe('统一社会信用代码 (GB 32100-2015)'),
    regionCode: z.string().describe('行政区划代码 (GB/T 2260)'),
    kind: DepartmentKind,
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'DepartmentRecord', description: 'A department of the tree (部门)' });
export type DepartmentRecord = z.output<typeof DepartmentRecord>;

export const DepartmentList = listOf(DepartmentRecord);
