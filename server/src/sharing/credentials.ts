/**
 * Consumer credentials: a principal of kind `system` with the `consumer` role, bound to one of
 * its department's systems (系统清单), and its read-only token. It carries its department's
 * grants; every read it makes is audited with the system it is bound to.
 */
import type { Knex } from 'knex';
import type { z } from 'zod';
import type { CredentialRecord } from './schema.ts';
import type { CommandContext } from '../audit/command.ts';
import { principalCreator } from '../auth/accounts/commands.ts';
import { tokenCreator } from '../auth/tokens.ts';
import { presentToken } from '../auth/accounts/presenter.ts';
import { alreadyExists, notFound, stateConflict, text } from '../http/errors.ts';

export async function credentialCreator(ctx: CommandContext, input: { systemId: number; login: string; displayName?: string; expiresAt: Date | null }) {
  const sys = await ctx.trx('odx.systems').where({ id: input.systemId }).first('id', 'department_id', 'name', 'status');
  if (!sys) throw notFound(text(`业务系统 ${input.systemId}`, `system ${input.systemId}`));
  if (sys.status !== 'active') throw stateConflict(text(`业务系统 ${sys.id}（${sys.name}）的状态为 ${sys.status}，接口凭证只能绑定在用的系统`, `system ${sys.id} (${sys.name}) is ${sys.status}; credentials are bound to active systems`));
  if (await ctx.trx('odx.principals').where({ login: input.login }).first('id')) throw alreadyExists(text(`登录名 ${input.login} 已被占用`, `the login ${input.login} is taken`));
  const principal = await principalCreator(ctx, {
    login: input.login,
    displayName: input.displayName ?? `${sys.name}（接口凭证）`,
    departmentId: sys.department_id,
    roles: ['consumer'],
    kind: 'system',
  });
  await ctx.trx('odx.principals').where({ id: principal.id }).update({ system_id: sys.id });
  const token = await tokenCreator(ctx, { principalId: principal.id, name: `consumer credential of system ${sys.id}`, scopes: ['read'], expiresAt: input.expiresAt });
  ctx.audit({
    action: 'consumer_credential.create',
    departmentId: sys.department_id,
    targetType: 'principal',
    targetId: principal.id,
    detail: { login: input.login, system: sys.id, systemName: sys.name, token: token.id, expiresAt: input.expiresAt?.toISOString() ?? null },
  });
  return { ...presentCredential({ ...principal, system_id: sys.id, system_name: sys.name } as Record<string, any>), token: { ...presentToken(token), secret: token.secret } };
}

export function credentialQuery(knex: Knex) {
  return knex('odx.principals as p')
    .join('odx.systems as s', 's.id', 'p.system_id')
    .select('p.*', 's.name as system_name');
}

export function presentCredential(r: Record<string, any>): z.output<typeof CredentialRecord> {
  return {
    id: r.id,
    login: r.login,
    displayName: r.display_name ?? r.displayName,
    departmentId: r.department_id ?? r.departmentId,
    system: { id: r.system_id, name: r.system_name },
    roles: r.roles,
    createdAt: r.created_at ?? r.createdAt,
    disabledAt: r.disabled_at ?? r.disabledAt ?? null,
  };
}

const systems = new Map<number, number | null>();

/**
 * The system a principal is bound to (null for people). A binding is set when the credential is
 * made and never changes, so it is remembered (bounded) to spare every read a query.
 */
export async function boundSystem(knex: Knex, principalId: number): Promise<number | null> {
  const known = systems.get(principalId);
  if (known !== undefined) return known;
  const row = await knex('odx.principals').where({ id: principalId }).first('system_id');
  const system = (row?.system_id as number | null | undefined) ?? null;
  if (systems.size >= 10_000) systems.clear();
  systems.set(principalId, system);
  return system;
}
