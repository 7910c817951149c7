import * as oidc from 'openid-client';
import type { Config } from '../../config.ts';
import { HttpError, text, unauthorized } from '../../http/errors.ts';
import { cookieValue } from './cookie.ts';

/**
 * Single sign-on through OpenID Connect (the government's unified identity platform, 统一身份认证):
 * the authorisation code flow with PKCE, a state and a nonce. The flow's secrets wait for the
 * return in a short-lived cookie of their own, scoped to the callback's path; it is SameSite=Lax
 * because the identity provider sends the browser back by a top-level navigation from its own
 * site, on which a Strict cookie would not be sent.
 */
export const FLOW_COOKIE = 'odx_oidc';
const FLOW_PATH = '/api/v1/auth/oidc';
const FLOW_SECONDS = 600;

export interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  /** The page of ODX to go back to once signed in. */
  returnTo: string;
}

const discovered = new Map<string, Promise<oidc.Configuration>>();

export const oidcEnabled = (config: Config): boolean => Boolean(config.oidcIssuer && config.oidcClientId);

export function notConfigured(): HttpError {
  return new HttpError(404, 'not_found', text('未配置统一身份认证（须设置 ODX_OIDC_ISSUER 和 ODX_OIDC_CLIENT_ID）', 'single sign-on (OpenID Connect) is not configured: set ODX_OIDC_ISSUER and ODX_OIDC_CLIENT_ID'));
}

/** The provider's metadata, fetched once per issuer (again after a failure). */
function provider(config: Config): Promise<oidc.Configuration> {
  const key = `${config.oidcIssuer} ${config.oidcClientId}`;
  let found = discovered.get(key);
  if (!found) {
    const issuer = new URL(config.oidcIssuer!);
    // plain http only to a provider on this machine (development, tests)
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
    found = oidc.discovery(issuer, config.oidcClientId!, config.oidcClientSecret, undefined, loopback ? { execute: [oidc.allowInsecureRequests] } : undefined);
    found.catch(() => discovered.delete(key));
    discovered.set(key, found);
  }
  return found;
}

export const redirectUri = (config: Config): string => `${config.publicBaseUrl}${FLOW_PATH}/callback`;

/** Where to send the browser to sign in, and the flow's secrets for the cookie. */
export async function startFlow(config: Config, returnTo: string): Promise<{ url: string; flow: Flow }> {
  const flow: Flow = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier(), returnTo };
  const url = oidc.buildAuthorizationUrl(await provider(config), {
    redirect_uri: redirectUri(config),
    scope: 'openid profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: 'S256',
    state: flow.state,
    nonce: flow.nonce,
  });
  return { url: url.href, flow };
}

/**
 * Completes the flow: exchanges the code (checking state, nonce and PKCE) and returns the ODX
 * login the provider vouches for, from the configured claim of the ID token (or of userinfo).
 */
export async function finishFlow(config: Config, callbackUrl: URL, flow: Flow): Promise<string> {
  const tokens = await oidc.authorizationCodeGrant(await provider(config), callbackUrl, {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  let login = claims?.[config.oidcLoginClaim];
  // providers that keep the ID token lean give profile claims at the userinfo endpoint only
  if (login === undefined && claims) {
    login = (await oidc.fetchUserInfo(await provider(config), tokens.access_token, claims.sub))[config.oidcLoginClaim];
  }
  if (typeof login !== 'string' || !login) {
    throw unauthorized(text(`统一身份认证未提供登录名（${config.oidcLoginClaim}）`, `the identity provider did not give the claim ${config.oidcLoginClaim}`));
  }
  return login.trim().toLowerCase();
}

const attributes = (config: Config) => `Path=${FLOW_PATH}; HttpOnly; SameSite=Lax${config.publicBaseUrl.startsWith('https:') ? '; Secure' : ''}`;

export const flowCookie = (flow: Flow, config: Config): string =>
  `${FLOW_COOKIE}=${Buffer.from(JSON.stringify(flow)).toString('base64url')}; Max-Age=${FLOW_SECONDS}; ${attributes(config)}`;

export const clearedFlowCookie = (config: Config): string => `${FLOW_COOKIE}=; Max-Age=0; ${attributes(config)}`;

/** The flow's secrets from the Cookie header, or null when the flow was not started here (or took more than ten minutes). */
export function flowOf(cookieHeader: string | undefined): Flow | null {
  const value = cookieValue(cookieHeader, FLOW_COOKIE);
  if (!value) return null;
  try {
    const flow = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    const fits = typeof flow?.state === 'string' && typeof flow.nonce === 'string' && typeof flow.verifier === 'string' && typeof flow.returnTo === 'string';
    return fits ? flow : null;
  } catch {
    return null;
  }
}
