/** One catalogue entry as the caller may see it; the list is `searchResources` (search.ts). */
import type { Knex } from 'knex';
import { notFound, text } from '../../http/errors.ts';
import type { Scoping } from '../../http/route.ts';
import { inScope } from '../../policies/access.ts';

/**
 * The entry and whether its draft side is the caller's to see (its department's staff, the
 * authority); outside that only a published entry is found, and a draft is as absent as a missing id.
 */
export async function visibleResource(knex: Knex, id: number, scoping: Scoping) {
  const row = await knex('odx.resources').where({ id }).first();
  const own = !!row && inScope(scoping, row.department_id);
  if (!row || (!own && !row.published_doc)) throw notFound(text(`数据资源 ${id}`, `resource ${id}`));
  return { row, own };
}
