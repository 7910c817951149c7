/** The list of a census list's entries (systems, demands), narrowed to the caller's scoping by policies/access.ts. */
import type { Knex } from 'knex';
import type { Scoping } from '../../http/route.ts';
import { decodeCursor, pageById } from '../../lib/cursor.ts';
import { whereInScope } from '../../policies/access.ts';
import { presentDocument } from './presenter.ts';

export interface DocumentListFilter {
  q?: string;
  department?: number;
  status?: string;
  cursor?: string;
  limit: number;
}

/** Entries of `table` the caller may see, newest first, a page at a time. */
export async function listDocuments(knex: Knex, table: string, filter: DocumentListFilter, scoping: Scoping) {
  const q = whereInScope(knex(table).orderBy('id', 'desc').limit(filter.limit + 1), scoping, { department: 'department_id' });
  if (filter.department) q.where('department_id', filter.department);
  if (filter.status) q.where('status', filter.status);
  // a list of one department's entries is short enough for a scan; every word must appear in the name
  for (const word of (filter.q ?? '').split(/\s+/).filter(Boolean)) q.whereRaw("name ilike '%' || ? || '%' escape '\\'", [word.replace(/[\\%_]/g, '\\$&')]);
  if (filter.cursor) q.where('id', '<', decodeCursor(filter.cursor, ['number'])[0] as number);
  return pageById(await q, filter.limit, presentDocument);
}
