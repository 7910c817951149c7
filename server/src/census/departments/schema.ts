import { z } from 'zod';
import { regionCode, uscc } from '../../lib/zod-fields.ts';

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
