import type { CommandContext } from '../../audit/command.ts';
import { alreadyExists, badRequest, forbidden, notFound, text } from '../../http/errors.ts';
import { acceptPassword, issuedPassword, passwordSetter } from '../passwords.ts';
import type { Principal, Role } from '../roles.ts';
import { sessionsEnder } from '../sessions/store.ts';
import { presentPrincipal } from './presenter.ts';
import type { PrincipalCreate, PrincipalUpdate } from './schema.ts';

/**
 * Roles an officer may hand out inside their department; the rest only an admin grants. The
 * consumer role nobody grants: consumer credentials (sharing/credentials.ts) hold it.
 */
const OFFICER_GRANTABLE: Role[] = ['officer', 'registrar'];

/** Stops role escalation: a caller who is not an admin can grant only department roles. */
export function assertMayGrant(caller: Principal | null, roles: Role[]): void {
  if (!caller || caller.roles.includes('admin')) return;
  const denied = roles.filter((r) => !OFFICER_GRANTABLE.includes(r));
  if (denied.length) throw forbidden(text(`只有管理员可以授予角色 ${denied.join('、')}`, `only an admin may grant the roles ${denied.join(', ')}`), { roles: denied });
}

export async function principalCreator(ctx: CommandContext, input: PrincipalCreate) {
  // told at the field (the unique index alone would answer with its constraint's name)
  if (await ctx.trx('odx.principals').where({ login: input.login }).first('id')) {
    const said = text(`登录名 ${input.login} 已被使用`, `an account with the login ${input.login} already exists`);
    throw alreadyExists(said, [{ in: 'body', path: '/login', message: said }]);
  }
  const [row] = await ctx.trx('odx.principals')
    .insert({
      login: input.login,
      display_name: input.displayName,
      department_id: input.departmentId,
      roles: input.roles,
      kind: input.kind,
      email: input.email,
      phone: input.phone,
    })
    .returning('*');
  ctx.audit({
    action: 'principal.create',
    departmentId: row.department_id,
    targetType: 'principal',
    targetId: row.id,
    detail: { login: row.login, roles: row.roles, kind: row.kind },
  });
  return presentPrincipal(row);
}

export async function principalUpdater(ctx: CommandContext, id: number, input: PrincipalUpdate) {
  const before = await ctx.trx('odx.principals').where({ id }).forUpdate().first();
  if (!before) throw notFound(text(`账号 ${id}`, `principal ${id}`));
  const change: Record<string, unknown> = {};
  if (input.displayName !== undefined) change.display_name = input.displayName;
  if (input.roles !== undefined) change.roles = input.roles;
  if (input.disabled !== undefined) change.disabled_at = input.disabled ? ctx.trx.fn.now() : null;
  const [row] = await ctx.trx('odx.principals').where({ id }).update(change).returning('*');
  // a disabled account's sessions are refused already; ending them keeps them from coming back when it is enabled again
  if (input.disabled && before.disabled_at === null) await sessionsEnder(ctx, id, { all: true }, 'session.end');
  ctx.audit({
    action: 'principal.update',
    departmentId: row.department_id,
    targetType: 'principal',
    targetId: id,
    detail: { login: row.login, before: { roles: before.roles, disabled: before.disabled_at !== null }, change: input },
  });
  return presentPrincipal(row);
}

/**
 * Gives a person's account a new password, generated here and returned once for the administrator
 * to hand over; every session of the account ends (the caller's own stays when it is their account).
 * The audit event names who did it, never the password.
 */
export async function passwordIssuer(ctx: CommandContext, id: number, keepSession: number | null) {
  const account = await ctx.trx('odx.principals').where({ id }).first('id', 'login', 'email', 'kind');
  if (!account) throw notFound(text(`账号 ${id}`, `principal ${id}`));
  if (account.kind !== 'user') {
    throw badRequest(text(`${account.login} 是系统凭证，用令牌认证，没有密码`, `${account.login} is a system credential: it authenticates with tokens, not a password`));
  }
  const password = issuedPassword();
  const sessionsEnded = await passwordSetter(ctx, id, await acceptPassword(password, account), keepSession);
  return { principalId: id, login: account.login as string, password, sessionsEnded };
}
