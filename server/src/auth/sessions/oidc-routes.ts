import { runCommand } from '../../audit/command.ts';
import { badRequest, forbidden, HttpError, text, unauthorized } from '../../http/errors.ts';
import { route, written } from '../../http/route.ts';
import { sessionCookie } from './cookie.ts';
import { clearedFlowCookie, finishFlow, flowCookie, flowOf, notConfigured, oidcEnabled, startFlow } from './oidc.ts';
import { callerOf, TAGS } from './routes.ts';
import { OidcCallback, OidcStart, SignInMethods } from './schema.ts';
import { accountForSignIn, sessionOpener } from './sign-in.ts';

/** Single sign-on (统一身份认证, OpenID Connect): docs/accounts.md. */
export const oidcRoutes = [
  route({
    method: 'get',
    path: '/api/v1/auth/methods',
    operationId: 'getSignInMethods',
    summary: 'How people can sign in here: password, and single sign-on when configured',
    tags: TAGS,
    access: 'public',
    response: SignInMethods,
    handler: async ({ services }) => ({ body: { password: true, oidc: oidcEnabled(services.config) } }),
  }),
  route({
    method: 'get',
    path: '/api/v1/auth/oidc/start',
    operationId: 'startSingleSignOn',
    summary: 'Single sign-on (统一身份认证): redirects the browser to the OpenID provider (404 when not configured)',
    tags: TAGS,
    access: 'public',
    response: written(),
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
    operationId: 'finishSingleSignOn',
    summary: 'Where the OpenID provider sends the browser back: opens a session for the account the provider names and redirects to the page the sign-in started from',
    tags: TAGS,
    access: 'public',
    response: written(),
    query: OidcCallback,
    responds: { status: 303, description: 'redirect into ODX with the session cookie set' },
    handler: async ({ query, services, actor, requestId, req, res }) => {
      const { config, knex } = services;
      if (!oidcEnabled(config)) throw notConfigured();
      const flow = flowOf(req.headers.cookie);
      res.append('Set-Cookie', clearedFlowCookie(config));
      if (!flow) throw badRequest(text('统一身份认证登录未从本站发起或已超过 10 分钟，请重新登录', 'this sign-in was not started here or took more than 10 minutes: start again'));
      const caller = callerOf(req);
      const refuse = (reason: string, err: HttpError, login: string | null = null) =>
        runCommand(knex, { actor, requestId }, async (ctx) => {
          ctx.audit({ action: 'session.sign-in-failed', detail: { login, reason, method: 'oidc', address: caller.address ?? null } });
        }).then(() => {
          throw err;
        });
      if (query.error) return refuse('oidc-refused', unauthorized(text(`统一身份认证未通过：${query.error}`, `the identity provider refused the sign-in: ${query.error}`)));
      let login: string;
      try {
        login = await finishFlow(config, new URL(req.originalUrl, config.publicBaseUrl), flow);
      } catch (err) {
        if (err instanceof HttpError) return refuse('oidc-no-login', err);
        services.log.warn({ err }, 'OpenID Connect sign-in failed');
        return refuse('oidc-error', unauthorized(text(`统一身份认证失败，请重新登录：${(err as Error).message}`, `the sign-in with the identity provider failed: ${(err as Error).message}`)));
      }
      const account = await accountForSignIn(knex, login);
      if (!account) {
        return refuse('unknown-login', forbidden(text(`统一身份认证的账号 ${login} 在 ODX 中没有对应账号，请联系管理员`, `no ODX account has the login ${login} that the identity provider gave`)), login);
      }
      const { secret } = await sessionOpener(knex, config, account, 'oidc', caller, { actor, requestId });
      res.append('Set-Cookie', sessionCookie(secret, config));
      res.redirect(303, flow.returnTo);
    },
  }),
];
