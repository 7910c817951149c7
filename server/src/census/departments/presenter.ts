export interface DepartmentView {
  id: number;
  parentId: number | null;
  name: string;
  shortName: string | null;
  uscc: string;
  regionCode: string;
  kind: string;
  createdAt: Date;
  updatedAt: Date;
}

export function presentDepartment(r: Record<string, any>): DepartmentView {
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
