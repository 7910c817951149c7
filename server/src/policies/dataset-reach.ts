import type { Knex } from 'knex';
import type { Principal } from '../auth/roles.ts';
import { forbidden, text } from '../http/errors.ts';

/**
 * How a caller reaches a published resource's data, for error reports (校核纠错): anyone signed in
 * on an open dataset, a department holding a grant in force on shared data, the holding department
 * on its own data, the authority and administrators by oversight. Nobody else may report on it —
 * a report names rows and items, so only someone who may read them can say they are wrong.
 */
export type DatasetChannel = 'open' | 'shared' | 'own' | 'oversight';

export interface ReachedResource {
  id: number;
  code: string;
  name: string;
  departmentId: number;
}

export async function datasetReach(knex: Knex, principal: Principal, code: string, at: Date): Promise<{ resource: ReachedResource; channel: DatasetChannel }> {
  const r = await knex('odx.resources').where({ code }).whereNotNull('published_doc').whereNull('retired_at').first('id', 'code', 'name', 'department_id', 'open_type');
  if (!r) throw forbidden(text(`${code} 不是您可访问的已发布数据资源`, `resource ${code} is not a published dataset you may read`));
  const resource = { id: Number(r.id), code: r.code, name: r.name, departmentId: Number(r.department_id) };
  if (principal.departmentId === resource.departmentId) return { resource, channel: 'own' };
  if (r.open_type === 'open') return { resource, channel: 'open' };
  if (principal.departmentId !== null) {
    const grant = await knex('odx.grants')
      .where({ resource_id: resource.id, consumer_department_id: principal.departmentId, status: 'active' })
      .where('starts_at', '<=', at)
      .where((w) => w.whereNull('ends_at').orWhere('ends_at', '>', at))
      .first('id');
    if (grant) return { resource, channel: 'shared' };
  }
  if (principal.roles.includes('authority') || principal.roles.includes('admin')) return { resource, channel: 'oversight' };
  throw forbidden(text(`${code} 不是您可访问的已发布数据资源`, `resource ${code} is not a published dataset you may read`));
}
