/**
 * The sharing area's list queries — the share-request inbox, grants, consumer credentials — each
 * narrowed to the caller's scoping by policies/access.ts, and the grant lookup they share.
 */
import type { Knex } from 'knex';
import type { Scoping } from '../http/route.ts';
import { forbidden, notFound, text } from '../http/errors.ts';
import { decodeCursor, pageById } from '../lib/cursor.ts';
import { reachesEveryDepartment, whereInScope } from '../policies/access.ts';
import { now } from './clock.ts';
import { credentialQuery, presentCredential } from './credentials.ts';
import { presentGrant } from './grants.ts';
import { presentRequest } from './presenter.ts';
import type { GrantListQuery, InboxQuery } from './schema.ts';

/** Both parties of a share request or grant: a department sees what it consumes and what it provides. */
const PARTIES = { consumer: 'consumer_department_id', provider: 'provider_department_id' } as const;

function partyColumns(alias: string, role: 'consumer' | 'provider' | undefined): string[] {
  return role ? [`${alias}.${PARTIES[role]}`] : [`${alias}.${PARTIES.consumer}`, `${alias}.${PARTIES.provider}`];
}

/** The inbox of share requests, newest first; `role=authority` is the data authority's alone. */
export async function listShareRequests(knex: Knex, query: InboxQuery, scoping: Scoping) {
  const at = now();
  const q = knex('odx.share_requests as s')
    .join('odx.resources as r', 'r.id', 's.resource_id')
    .select('s.*', 'r.name as resource_name')
    .orderBy('s.id', 'desc')
    .limit(query.limit + 1);
  if (query.role === 'authority') {
    if (!reachesEveryDepartment(scoping)) throw forbidden(text('主管部门的待办属于数据主管部门；请改用 role=consumer 或 role=provider', 'the authority inbox is the data authority’s; ask for role=consumer or role=provider'));
    // by default what waits for the authority; asked for the overdue, every department's overdue requests whoever they wait for
    if (!query.state && query.overdue !== true) q.whereIn('s.state', ['submitted', 'disputed']);
  } else {
    whereInScope(q, scoping, { department: partyColumns('s', query.role) });
  }
  if (query.state) q.whereIn('s.state', query.state);
  if (query.overdue === true) q.where('s.due_at', '<=', at);
  if (query.overdue === false) q.where((w) => w.whereNull('s.due_at').orWhere('s.due_at', '>', at));
  if (query.resource) q.where('s.resource_id', query.resource);
  if (query.demand) q.where('s.demand_id', query.demand);
  if (query.cursor) q.where('s.id', '<', decodeCursor(query.cursor, ['number'])[0] as number);
  return pageById(await q, query.limit, (r: Record<string, any>) => presentRequest(r, at));
}

/** Grants with their resource's code and name. */
export function grantQuery(knex: Knex) {
  return knex('odx.grants as g').join('odx.resources as r', 'r.id', 'g.resource_id').select('g.*', 'r.code as resource_code', 'r.name as resource_name');
}

export async function grantRow(knex: Knex, id: number) {
  const row = await grantQuery(knex).where('g.id', id).first();
  if (!row) throw notFound(text(`授权 ${id}`, `grant ${id}`));
  return row;
}

/** Grants the caller's departments hold or gave, newest first; `expired` is a live status past its end. */
export async function listGrants(knex: Knex, query: GrantListQuery, scoping: Scoping) {
  const at = now();
  const q = whereInScope(grantQuery(knex).orderBy('g.id', 'desc').limit(query.limit + 1), scoping, { department: partyColumns('g', query.role) });
  if (query.status) {
    const statuses = query.status;
    q.where((w) => {
      for (const s of statuses) {
        if (s === 'expired') w.orWhere((x) => x.whereIn('g.status', ['active', 'suspended']).where('g.ends_at', '<=', at));
        else if (s === 'active' || s === 'suspended') w.orWhere((x) => x.where('g.status', s).where((y) => y.whereNull('g.ends_at').orWhere('g.ends_at', '>', at)));
        else w.orWhere('g.status', s);
      }
    });
  }
  if (query.resource) q.where('g.resource_id', query.resource);
  if (query.mode) q.where('g.mode', query.mode);
  if (query.cursor) q.where('g.id', '<', decodeCursor(query.cursor, ['number'])[0] as number);
  return pageById(await q, query.limit, (g: any) => presentGrant(g, at));
}

/** Consumer credentials of the caller's departments, with the systems they are bound to. */
export async function listCredentials(knex: Knex, scoping: Scoping) {
  const rows = await whereInScope(credentialQuery(knex).orderBy('p.id'), scoping, { department: 'p.department_id' });
  return { items: rows.map(presentCredential) };
}
