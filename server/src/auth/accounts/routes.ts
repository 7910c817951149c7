import type { Knex } from 'knex';
import { runCommand } from '../../audit/command.ts';
import { notFound, text } from '../../http/errors.ts';
import { route, type Owner } from '../../http/route.ts';
import { idParams } from '../../lib/zod-fields.ts';
import { tokenCreator, tokenExpiry, tokenQuery, tokenRevoker, toRecord } from '../tokens.ts';
import { assertMayGrant, principalCreator, principalUpdater } from './commands.ts';
import { presentToken } from './presenter.ts';
import { listPrincipals, listTokens } from './queries.ts';
import { PrincipalCreate, PrincipalList, PrincipalRecord, PrincipalUpdate, TokenCreate, TokenList, TokenListQuery, TokenRevoked, TokenWithSecret } from './schema.ts';

async function principalOwner(knex: Knex, id: number): Promise<Owner | undefined> {
  const row = await knex('odx.principals').where({ id }).first('id', 'department_id');
  return row ? { departmentId: row.department_id, principalId: row.id } : undefined;
}

export const accountRoutes = [
  route({
    method: 'get',
    path: '/api/v1/principals',
    operationId: 'listPrincipals',
    summary: 'List accounts (officers see their own department)',
    tags: ['accounts'],
    access: { admin: 'any', authority: 'any', officer: 'own' },
    scoped: true,
    response: PrincipalList,
    handler: async ({ services, scoping }) => ({ body: await listPrincipals(services.knex, scoping) }),
  }),
  route({
    method: 'post',
    path: '/api/v1/principals',
    operationId: 'createPrincipal',
    summary: 'Create an account in a department',
    tags: ['accounts'],
    access: { admin: 'any', officer: 'own' },
    body: PrincipalCreate,
    response: PrincipalRecord,
    owner: async ({ body }) => ({ departmentId: body.departmentId }),
    responds: { status: 201, description: 'the new account' },
    handler: async ({ body, principal, services, actor, requestId }) => {
      assertMayGrant(principal, body.roles);
      return { status: 201, body: await runCommand(services.knex, { actor, requestId }, (ctx) => principalCreator(ctx, body)) };
    },
  }),
  route({
    method: 'patch',
    path: '/api/v1/principals/:id',
    operationId: 'updatePrincipal',
    summary: 'Change an account: name, roles, disabled',
    tags: ['accounts'],
    access: { admin: 'any', officer: 'own' },
    params: idParams,
    body: PrincipalUpdate,
    response: PrincipalRecord,
    owner: async ({ params }, knex) => principalOwner(knex, params.id),
    handler: async ({ params, body, principal, services, actor, requestId }) => {
      if (body.roles) assertMayGrant(principal, body.roles);
      return { body: await runCommand(services.knex, { actor, requestId }, (ctx) => principalUpdater(ctx, params.id, body)) };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/tokens',
    operationId: 'listTokens',
    summary: 'List API tokens (your own; officers see their department, admins all)',
    tags: ['accounts'],
    access: { admin: 'any', officer: 'own', authority: 'self', registrar: 'self', consumer: 'self', developer: 'self' },
    query: TokenListQuery,
    response: TokenList,
    scoped: true,
    handler: async ({ query, services, scoping }) => ({ body: await listTokens(services.knex, scoping, query) }),
  }),
  route({
    method: 'post',
    path: '/api/v1/tokens',
    operationId: 'createToken',
    summary: 'Create an API token (for yourself; admins for anyone); the secret is in this response only',
    tags: ['accounts'],
    // a token for someone else lets its maker act as them: only admins mint those; consumer credentials are read-only
    access: { admin: 'any', officer: 'self', authority: 'self', registrar: 'self', developer: 'self' },
    body: TokenCreate,
    response: TokenWithSecret,
    owner: async ({ body }, knex, caller) => principalOwner(knex, body.principalId ?? caller.id),
    responds: { status: 201, description: 'the token with its secret, shown once' },
    handler: async ({ body, principal, services, actor, requestId }) => {
      const expiresAt = tokenExpiry(body.expiresInDays, { admin: principal!.roles.includes('admin'), defaultDays: services.config.tokenDefaultDays });
      const principalId = body.principalId ?? principal!.id;
      const created = await runCommand(services.knex, { actor, requestId }, (ctx) => tokenCreator(ctx, { principalId, name: body.name, scopes: body.scopes, expiresAt }));
      return { status: 201, body: { ...presentToken(created), secret: created.secret } };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/tokens/:id/revoke',
    operationId: 'revokeToken',
    summary: 'Revoke an API token at once',
    tags: ['accounts'],
    // a consumer credential's token is revoked by its department's officer
    access: { admin: 'any', officer: 'own', authority: 'self', registrar: 'self', developer: 'self' },
    params: idParams,
    response: TokenRevoked,
    responds: { status: 200, description: 'the revoked token (revoking it again changes nothing)' },
    owner: async ({ params }, knex) => {
      const row = await tokenQuery(knex).where('t.id', params.id).first();
      return row ? { departmentId: row.department_id, principalId: row.principal_id } : undefined;
    },
    handler: async ({ params, services, actor, requestId }) => {
      const exists = await services.knex('odx.tokens').where({ id: params.id }).first('id', 'revoked_at');
      if (!exists) throw notFound(text(`令牌 ${params.id}`, `token ${params.id}`));
      if (exists.revoked_at) return { body: { id: params.id, revokedAt: exists.revoked_at } };
      const revoked = await runCommand(services.knex, { actor, requestId }, async (ctx) => {
        const r = await tokenRevoker(ctx, params.id);
        if (!r) throw notFound(text(`令牌 ${params.id}`, `token ${params.id}`));
        return r;
      });
      return { body: presentToken(revoked) };
    },
  }),
];
