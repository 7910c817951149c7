import type { Request, Response } from 'express';
import { runCommand } from '../../audit/command.ts';
import { HttpError, badRequest, forbidden, notFound } from '../../http/errors.ts';
import { route } from '../../http/route.ts';
import { idParams } from '../../lib/zod-fields.ts';
import { acceptPassword, passwordSetter } from '../passwords.ts';
import { assertSameOrigin, clearedSessionCookie, sessionCookie } from './cookie.ts';
import { presentSession } from './presenter.ts';
import { clearedFlowCookie, finishFlow, flowCookie, flowOf, notConfigured, oidcEnabled, startFlow } from './oidc.ts';
import { OidcCallback, OidcStart, PasswordChange, SignIn } from './schema.ts';
import { accountForSignIn, checkCredentials, signIn, type Caller } from './sign-in.ts';
import { OPEN_SESSION, sessionCreator, sessionsEnder } from './store.ts';

const TAGS = ['sign-in'];

const callerOf = (req: Request): Caller => ({ address: req.ip, userAgent: req.get('user-agent') });

/** A refusal that says when to try again carries Retry-After. */
function withRetryAfter(res: Response) {
  return (err: unknown): never => {
    const retryAfter = err instanceof HttpError ? (err.details as { retryAfter?: number } | undefined)?.retryAfter : undefined;
    if (retryAfter) res.set('Retry-After', String(retryAfter));
    throw err;
  };
}

export const sessionRoutes = [
  route({
    method: 'post',
    path: '/api/v1/auth/sign-in',
    summary: 'Sign in with a login (or a developer\'s e-mail) and password: the account as GET /api/v1/me gives it, and the session cookie',
    tags: TAGS,
    access: 'public',
    body: SignIn,
    responds: { status: 200, description: 'the signed-in account; Set-Cookie: odx_session (HttpOnly, SameSite=Strict)' },
    handler: async ({ body, services, req, res, requestId }) => {
      // a page of another site must not sign its visitor in to an account of its choosing
      if (req.get('origin')) assertSameOrigin(req, services.config);
      const { principal, secret } = await signIn(services.knex, services.config, body, callerOf(req), { actor: { kind: 'anonymous', label: 'anonymous' }, requestId }).catch(
        withRetryAfter(res),
      );
      res.append('Set-Cookie', sessionCookie(secret, services.config));
      return { body: principal };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/auth/sign-out',
    summary: 'Sign out: ends the session of the cookie sent (if it is still open) and clears the cookie',
    tags: TAGS,
    access: 'public',
    handler: async ({ principal, services, actor, requestId, res }) => {
      if (principal?.sessionId) {
        const sessionId = principal.sessionId;
        await runCommand(services.knex, { actor, requestId }, (ctx) => sessionsEnder(ctx, principal.id, { only: sessionId }, 'session.sign-out'));
      }
      res.append('Set-Cookie', clearedSessionCookie(services.config));
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/auth/sign-out-everywhere',
    summary: 'End every session of your account, this one included',
    tags: TAGS,
    access: 'authenticated',
    handler: async ({ principal, services, actor, requestId, res }) => {
      const ended = await runCommand(services.knex, { actor, requestId }, (ctx) => sessionsEnder(ctx, principal!.id, { all: true }, 'session.sign-out-everywhere'));
      if (principal!.sessionId) res.append('Set-Cookie', clearedSessionCookie(services.config));
      return { body: { ended } };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/auth/sessions',
    summary: 'Your open sessions: when made and last seen, from which address and browser, which is this one',
    tags: TAGS,
    access: 'authenticated',
    handler: async ({ principal, services }) => {
      const rows = await services.knex('odx.sessions as s')
        .where('s.principal_id', principal!.id)
        .whereRaw(OPEN_SESSION, [services.config.sessionIdleMinutes * 60])
        .orderBy('s.id', 'desc')
        .select('s.*');
      return { body: { items: rows.map((r: Record<string, any>) => presentSession(r, principal!.sessionId, services.config)) } };
    },
  }),
  route({
    method: 'delete',
    path: '/api/v1/auth/sessions/:id',
    summary: 'End one session (your own; officers their department\'s, admins any)',
    tags: TAGS,
    access: { admin: 'any', officer: 'own', authority: 'self', registrar: 'self', consumer: 'self', developer: 'self' },
    params: idParams,
    owner: async ({ params }, knex) => {
      const row = await knex('odx.sessions as s').join('odx.principals as p', 'p.id', 's.principal_id').where('s.id', params.id).first('s.principal_id', 'p.department_id');
      return row ? { departmentId: row.department_id, principalId: row.principal_id } : undefined;
    },
    handler: async ({ params, principal, services, actor, requestId, res }) => {
      const row = await services.knex('odx.sessions').where({ id: params.id }).first('principal_id', 'ended_at');
      if (!row) throw notFound(`session ${params.id}`);
      if (!row.ended_at) await runCommand(services.knex, { actor, requestId }, (ctx) => sessionsEnder(ctx, row.principal_id, { only: params.id }, 'session.end'));
      if (principal!.sessionId === params.id) res.append('Set-Cookie', clearedSessionCookie(services.config));
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/auth/password',
    summary: 'Change your password (the current one is asked); your other sessions end',
    tags: TAGS,
    access: 'authenticated',
    body: PasswordChange,
    handler: async ({ body, principal, services, actor, requestId, req, res }) => {
      const me = principal!;
      await checkCredentials(services.knex, services.config, { login: me.login, password: body.current }, callerOf(req), { actor, requestId }).catch((err: unknown) => {
        if (err instanceof HttpError && err.code === 'sign_in_failed') {
          throw forbidden('当前密码错误 / the current password is wrong', [{ in: 'body', path: '/current', message: 'the current password is wrong', messageZh: '当前密码错误' }]);
        }
        return withRetryAfter(res)(err);
      });
      const email = (await services.knex('odx.principals').where({ id: me.id }).first('email')).email;
      const accepted = await acceptPassword(body.new, { login: me.login, email });
      await runCommand(services.knex, { actor, requestId }, (ctx) => passwordSetter(ctx, me.id, accepted, me.sessionId));
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/auth/methods',
    summary: 'How people can sign in here: password, and single sign-on when configured',
    tags: TAGS,
    access: 'public',
    handler: async ({ services }) => ({ body: { password: true, oidc: oidcEnabled(services.config) } }),
  }),
  route({
    method: 'get',
    path: '/api/v1/auth/oidc/start',
    summary: 'Single sign-on (统一身份认证): redirects the browser to the OpenID provider (404 when not configured)',
    tags: TAGS,
    access: 'public',
    query: OidcStart,
    responds: { status: 303, description: 'redirect to the provider\'s authorisation endpoint' },
    handler: async ({ query, services, res }) => {
      if (!oidcEnabled(services.config)) throw notConfigured();
      const { url, flow } = await startFlow(services.config, query.returnTo);
      res.append('Set-Cookie', flowCookie(flow, services.config));
      res.redirect(303, url);
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/auth/oidc/callback',
    summary: 'Where the OpenID provider sends the browser back: opens a session for the account the provider names and redirects to the page the sign-in started from',
    tags: TAGS,
    access: 'public',
    query: OidcCallback,
    responds: { status: 303, description: 'redirect into ODX with the session cookie set' },
    handler: async ({ query, services, actor, requestId, req, res }) => {
      const { config, knex } = services;
      if (!oidcEnabled(config)) throw notConfigured();
      const flow = flowOf(req.headers.cookie);
      res.append('Set-Cookie', clearedFlowCookie(config));
      if (!flow) throw badRequest('统一身份认证登录未从本站发起或已超过 10 分钟，请重新登录 / this sign-in was not started here or took more than 10 minutes: start again');
      const caller = callerOf(req);
      const refuse = (reason: string, err: HttpError, login: string | null = null) =>
        runCommand(knex, { actor, requestId }, async (ctx) => {
          ctx.audit({ action: 'session.sign-in-failed', detail: { login, reason, method: 'oidc', address: caller.address ?? null } });
        }).then(() => {
          throw err;
        });
      if (query.error) return refuse('oidc-refused', new HttpError(401, 'sign_in_failed', `统一身份认证未通过 / the identity provider refused the sign-in: ${query.error}`));
      let login: string;
      try {
        login = await finishFlow(config, new URL(req.originalUrl, config.publicBaseUrl), flow);
      } catch (err) {
        if (err instanceof HttpError) return refuse('oidc-no-login', err);
        services.log.warn({ err }, 'OpenID Connect sign-in failed');
        return refuse('oidc-error', new HttpError(401, 'sign_in_failed', `统一身份认证失败，请重新登录 / the sign-in with the identity provider failed: ${(err as Error).message}`));
      }
      const account = await accountForSignIn(knex, login);
      if (!account) {
        return refuse('unknown-login', forbidden(`统一身份认证的账号 ${login} 在 ODX 中没有对应账号，请联系管理员 / no ODX account has the login ${login} that the identity provider gave`), login);
      }
      const session = await runCommand(knex, { actor, requestId }, (ctx) =>
        sessionCreator(ctx, { principalId: account.id, login: account.login, departmentId: account.department_id, method: 'oidc', ...caller }, config),
      );
      res.append('Set-Cookie', sessionCookie(session.secret, config));
      res.redirect(303, flow.returnTo);
    },
  }),
];
