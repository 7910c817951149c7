/** The account lists — accounts and API tokens — each narrowed to the caller's scoping by policies/access.ts. */
import type { Knex } from 'knex';
import type { Scoping } from '../../http/route.ts';
import { whereInScope } from '../../policies/access.ts';
import { tokenQuery, toRecord } from '../tokens.ts';
import { presentPrincipal, presentToken } from './presenter.ts';

export async function listPrincipals(knex: Knex, scoping: Scoping) {
  const rows = await whereInScope(knex('odx.principals').orderBy('id'), scoping, { department: 'department_id' });
  return { items: rows.map(presentPrincipal) };
}

/** API tokens (never their secrets), optionally of one account. */
export async function listTokens(knex: Knex, scoping: Scoping, filter: { principalId?: number } = {}) {
  const q = whereInScope(tokenQuery(knex).orderBy('t.id'), scoping, { department: 'p.department_id', principal: 't.principal_id' });
  if (filter.principalId) q.where('t.principal_id', filter.principalId);
  return { items: (await q).map((r: Record<string, any>) => presentToken(toRecord(r))) };
}
