import type { Request, Response } from 'express';
import { runCommand } from '../../audit/command.ts';
import { forbidden, HttpError, notFound, text } from '../../http/errors.ts';
import { route, written } from '../../http/route.ts';
import { Me } from '../accounts/schema.ts';
import { idParams } from '../../lib/zod-fields.ts';
import { acceptPassword, passwordSetter } from '../passwords.ts';
import { assertSameOrigin, clearedSessionCookie, sessionCookie } from './cookie.ts';
import { presentSession } from './presenter.ts';
import { PasswordChange, SessionList, SessionsEnded, SignIn } from './schema.ts';
import { checkCredentials, signIn, type Caller } from './sign-in.ts';
import { OPEN_SESSION, sessionsEnder } from './store.ts';

export const TAGS = ['sign-in'];

export const callerOf = (req: Request): Caller => ({ address: req.ip, userAgent: req.get('user-agent') });

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
    operationId: 'signIn',
    summary: 'Sign in with a login (or a developer\'s e-mail) and password: the account as GET /api/v1/me gives it, and the session cookie',
    tags: TAGS,
    access: 'public',
    response: Me,
    body: SignIn,
    responds: { status: 200, description: 'the signed-in account; Set-Cookie: odx_session (HttpOnly, SameSite=Strict)' },
    handler: async ({ body, services, actor, req, res, requestId }) => {
      // a page of another site must not sign its visitor in to an account of its choosing
      if (req.get('origin')) assertSameOrigin(req, services.config);
      const { principal, secret } = await signIn(services.knex, services.config, body, callerOf(req), { actor, requestId }).catch(withRetryAfter(res));
      res.append('Set-Cookie', sessionCookie(secret, services.config));
      return { body: principal };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/auth/sign-out',
    operationId: 'signOut',
    summary: 'Sign out: ends the session of the cookie sent (if it is still open) and clears the cookie',
    tags: TAGS,
    access: 'public',
    response: written(),
    responds: { status: 204, description: 'signed out; the cookie is cleared' },
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
    operationId: 'signOutEverywhere',
    summary: 'End every session of your account, this one included',
    tags: TAGS,
    access: 'authenticated',
    response: SessionsEnded,
    responds: { status: 200, description: 'how many sessions ended' },
    handler: async ({ principal, services, actor, requestId, res }) => {
      const ended = await runCommand(services.knex, { actor, requestId }, (ctx) => sessionsEnder(ctx, principal!.id, { all: true }, 'session.sign-out-everywhere'));
      if (principal!.sessionId) res.append('Set-Cookie', clearedSessionCookie(services.config));
      return { body: { ended } };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/auth/sessions',
    operationId: 'listSessions',
    summary: 'Your open sessions: when made and last seen, from which address and browser, which is this one',
    tags: TAGS,
    access: 'authenticated',
    response: SessionList,
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
    operationId: 'endSession',
    summary: 'End one session (your own; officers their department\'s, admins any)',
    tags: TAGS,
    access: { admin: 'any', officer: 'own', authority: 'self', registrar: 'self', consumer: 'self', developer: 'self' },
    response: written(),
    responds: { status: 204, description: 'the session is ended' },
    params: idParams,
    owner: async ({ params }, knex) => {
      const row = await knex('odx.sessions as s').join('odx.principals as p', 'p.id', 's.principal_id').where('s.id', params.id).first('s.principal_id', 'p.department_id');
      return row ? { departmentId: row.department_id, principalId: row.principal_id } : undefined;
    },
    handler: async ({ params, principal, services, actor, requestId, res }) => {
      const row = await services.knex('odx.sessions').where({ id: params.id }).first('principal_id', 'ended_at');
      if (!row) throw notFound(text(`登录会话 ${params.id}`, `session ${params.id}`));
      if (!row.ended_at) await runCommand(services.knex, { actor, requestId }, (ctx) => sessionsEnder(ctx, row.principal_id, { only: params.id }, 'session.end'));
      if (principal!.sessionId === params.id) res.append('Set-Cookie', clearedSessionCookie(services.config));
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/auth/password',
    operationId: 'changePassword',
    summary: 'Change your password (the current one is asked); your other sessions end',
    tags: TAGS,
    access: 'authenticated',
    response: written(),
    responds: { status: 204, description: 'the password is changed; your other sessions end' },
    body: PasswordChange,
    handler: async ({ body, principal, services, actor, requestId, req, res }) => {
      const me = principal!;
      await checkCredentials(services.knex, services.config, { login: me.login, password: body.current }, callerOf(req), { actor, requestId }).catch((err: unknown) => {
        if (err instanceof HttpError && err.status === 401) {
          throw forbidden(text('当前密码错误', 'the current password is wrong'), [{ in: 'body', path: '/current', message: text('当前密码错误', 'the current password is wrong') }]);
        }
        return withRetryAfter(res)(err);
      });
      const email = (await services.knex('odx.principals').where({ id: me.id }).first('email')).email;
      const accepted = await acceptPassword(body.new, { login: me.login, email });
      await runCommand(services.knex, { actor, requestId }, (ctx) => passwordSetter(ctx, me.id, accepted, me.sessionId));
    },
  }),
];
