import type { DepartmentRecord } from './schema.ts';

export function presentDepartment(r: Record<string, any>): DepartmentRecord {
  return {
    id: r.id,
    parentId: r.parent_id,
    name: r.name,
    shortName: r.short_name,
    uscc: r.uscc,
    regionCode: r.region_code,
    kind: r.kind,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
