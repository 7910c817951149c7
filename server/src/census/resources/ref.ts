import type { Knex } from 'knex';
import type { Owner } from '../../http/route.ts';

/** A resource named in a path by its id or by its code (`3070220400031/000038`, URL-encoded). */
export async function resourceByRef(knex: Knex, ref: string): Promise<Record<string, any> | undefined> {
  return /^\d+$/.test(ref) ? knex('odx.resources').where({ id: Number(ref) }).first() : knex('odx.resources').where({ code: ref }).first();
}

export async function resourceRefOwner({ params }: { params: { ref: string } }, knex: Knex): Promise<Owner | undefined> {
  const r = await resourceByRef(knex, params.ref);
  return r ? { departmentId: r.department_id } : undefined;
}
