import { runCommand } from '../../audit/command.ts';
import { presentToken } from '../../auth/accounts/presenter.ts';
import { listTokens } from '../../auth/accounts/queries.ts';
import { acceptPassword } from '../../auth/passwords.ts';
import { tokenQuery, tokenRevoker, toRecord } from '../../auth/tokens.ts';
import { notFound, text } from '../../http/errors.ts';
import { route } from '../../http/route.ts';
import { idParams } from '../../lib/zod-fields.ts';
import { developerKeyCreator, developerSignup } from './commands.ts';
import { TokenList, TokenRecord, TokenWithSecret } from '../../auth/accounts/schema.ts';
import { DeveloperSignedUp, DeveloperSignup, DeveloperUsage, KeyCreate, UsageQuery } from './schema.ts';
import { developerUsage } from './usage.ts';

const TAGS = ['developers'];

export const developerKeyRoutes = [
  route({
    method: 'post',
    path: '/api/v1/developer/accounts',
    operationId: 'signUpDeveloper',
    summary: 'Sign up as a developer (anonymous; limited per address): an account, its account token and a first read-only API key — secrets shown once; with a password, sign in by the e-mail address later',
    tags: TAGS,
    access: 'public',
    body: DeveloperSignup,
    response: DeveloperSignedUp,
    responds: { status: 201, description: 'the account, its account token (manages keys) and an API key, both with their secrets' },
    handler: async ({ body, services, actor, requestId }) => {
      const days = services.config.tokenDefaultDays;
      // a developer signs in by the e-mail address, so that is the name the password must not be
      const password = body.password === undefined ? undefined : await acceptPassword(body.password, { login: body.email, email: body.email }, '/password');
      const { account, token, key } = await runCommand(services.knex, { actor, requestId }, (ctx) => developerSignup(ctx, body, days, password));
      return {
        status: 201,
        body: {
          account,
          token: { ...presentToken(token), secret: token.secret },
          key: { ...presentToken(key), secret: key.secret },
        },
      };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/developer/keys',
    operationId: 'listDeveloperKeys',
    summary: 'Your developer keys (never their secrets)',
    tags: TAGS,
    access: { developer: 'self' },
    scoped: true,
    response: TokenList,
    handler: async ({ services, scoping }) => ({ body: await listTokens(services.knex, scoping) }),
  }),
  route({
    method: 'post',
    path: '/api/v1/developer/keys',
    operationId: 'createDeveloperKey',
    summary: 'Create a further read-only API key for your developer account; the secret is in this response only',
    tags: TAGS,
    access: { developer: 'any' },
    body: KeyCreate,
    response: TokenWithSecret,
    responds: { status: 201, description: 'the key with its secret, shown once' },
    handler: async ({ body, principal, services, actor, requestId }) => {
      const key = await runCommand(services.knex, { actor, requestId }, (ctx) => developerKeyCreator(ctx, principal!.id, body.name, services.config.tokenDefaultDays));
      return { status: 201, body: { ...presentToken(key), secret: key.secret } };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/developer/keys/:id/revoke',
    operationId: 'revokeDeveloperKey',
    summary: 'Revoke one of your developer keys at once',
    tags: TAGS,
    access: { developer: 'self' },
    params: idParams,
    response: TokenRecord,
    responds: { status: 200, description: 'the revoked key (revoking it again changes nothing)' },
    owner: async ({ params }, knex) => {
      const row = await tokenQuery(knex).where('t.id', params.id).first();
      return row ? { departmentId: row.department_id, principalId: row.principal_id } : undefined;
    },
    handler: async ({ params, services, actor, requestId }) => {
      const row = await tokenQuery(services.knex).where('t.id', params.id).first();
      if (!row) throw notFound(text(`密钥 ${params.id}`, `key ${params.id}`));
      if (row.revoked_at) return { body: presentToken(toRecord(row)) };
      const revoked = await runCommand(services.knex, { actor, requestId }, async (ctx) => {
        const r = await tokenRevoker(ctx, params.id);
        if (!r) throw notFound(text(`密钥 ${params.id}`, `key ${params.id}`));
        return r;
      });
      return { body: presentToken(revoked) };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/developer/usage',
    operationId: 'getDeveloperUsage',
    summary: 'Your own use of the open data API: calls with your keys by day and by dataset (from the audit trail), and your current rate-limit state',
    tags: TAGS,
    access: { developer: 'any' },
    query: UsageQuery,
    response: DeveloperUsage,
    handler: async ({ query, principal, services }) => ({ body: await developerUsage(services.knex, services.config, principal!.id, query.days) }),
  }),
];
