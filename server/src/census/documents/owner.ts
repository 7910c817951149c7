import type { Knex } from 'knex';
import type { Owner } from '../../http/route.ts';
import { KINDS, type CensusKind } from './kinds.ts';
import { invalidDocument, ownerDepartment } from './validate.ts';

/** Resolves the department that owns a stored census document (for own-department reach). */
export function documentOwner(kind: CensusKind) {
  return async ({ params }: { params: { id: number } }, knex: Knex): Promise<Owner | undefined> => {
    const row = await knex(KINDS[kind].table).where({ id: params.id }).first('department_id');
    return row ? { departmentId: row.department_id } : undefined;
  };
}

/**
 * Resolves the department a new document names as its owner. A missing or unknown owner is a
 * fault of the document (400 naming the field), not another department's entry: the gate would
 * otherwise answer 403 "belongs to another department" to a form left half-filled.
 */
export function bodyOwner(kind: CensusKind) {
  return async ({ body }: { body: Record<string, unknown> }, knex: Knex): Promise<Owner | undefined> => {
    const field = KINDS[kind].ownerField;
    const code = body?.[field];
    if (typeof code !== 'string' || code === '') {
      throw invalidDocument([{ path: `/${field}`, message: `the owning department's code (${field}) is missing`, messageZh: `缺少所属部门的统一社会信用代码（${field}）` }]);
    }
    return { departmentId: await ownerDepartment(knex, kind, body) };
  };
}
