import type { Knex } from 'knex';
import type { Owner } from '../../http/route.ts';
import { KINDS, type CensusKind } from './kinds.ts';

/** Resolves the department that owns a stored census document (for own-department reach). */
export function documentOwner(kind: CensusKind) {
  return async ({ params }: { params: { id: number } }, knex: Knex): Promise<Owner | undefined> => {
    const row = await knex(KINDS[kind].table).where({ id: params.id }).first('department_id');
    return row ? { departmentId: row.department_id } : undefined;
  };
}

/** Resolves the department a new document names as its owner; unknown codes fall to validation (422). */
export function bodyOwner(kind: CensusKind) {
  return async ({ body }: { body: Record<string, unknown> }, knex: Knex): Promise<Owner | undefined> => {
    const row = await knex('odx.departments').where({ uscc: String(body[KINDS[kind].ownerField] ?? '') }).first('id');
    return { departmentId: row?.id ?? null };
  };
}
