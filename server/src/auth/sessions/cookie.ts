import type { Request, Response } from 'express';
import type { Config } from '../../config.ts';
import { forbidden, text, unauthorized } from '../../http/errors.ts';
import type { Principal } from '../roles.ts';
import { authenticateSession } from './store.ts';

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends
 * it), Path=/, Secure when the public URL is https. No Max-Age: the browser forgets it when it
 * closes; the server ends the session on its own clock anyway.
 */
export const SESSION_COOKIE = 'odx_session';

function attributes(config: Config): string {
  return `Path=/; HttpOnly; SameSite=Strict${config.publicBaseUrl.startsWith('https:') ? '; Secure' : ''}`;
}

export const sessionCookie = (secret: string, config: Config): string => `${SESSION_COOKIE}=${secret}; ${attributes(config)}`;

export const clearedSessionCookie = (config: Config): string => `${SESSION_COOKIE}=; Max-Age=0; ${attributes(config)}`;

/** A cookie's value from a Cookie header, if it is there and not empty. */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A browser sends the cookie with any request to this server, so a write carried by the cookie
 * must say it comes from ODX's own pages: its Origin is the public URL's origin, or names the
 * host the request was sent to. (SameSite=Strict already keeps other sites' requests from
 * carrying the cookie; this holds where a browser or a proxy does not honour it.)
 */
export function assertSameOrigin(req: Request, config: Config): void {
  if (SAFE_METHODS.has(req.method)) return;
  const origin = req.get('origin');
  if (!origin) throw forbidden(
      text(
        '以登录会话 Cookie 进行的写操作须带 Origin 请求头（浏览器会自动发送；脚本请使用访问令牌）',
        'a write signed in by the session cookie must carry an Origin header (a browser sends it; scripts use a bearer token)',
      ),
    );
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw forbidden(text(`Origin ${origin} 不是有效的网址`, `the Origin ${origin} is not a URL`));
  }
  if (origin === new URL(config.publicBaseUrl).origin || host === req.get('host')) return;
  const home = new URL(config.publicBaseUrl).origin;
  throw forbidden(text(`以登录会话 Cookie 进行的写操作须来自 ${home}，而不是 ${origin}`, `a write signed in by the session cookie must come from ${home}, not ${origin}`));
}

/**
 * The person behind the request's session cookie, or null. A cookie that no longer opens a
 * session is cleared; on a route that needs a principal that is a 401 saying to sign in again.
 */
export async function cookiePrincipal(req: Request, res: Response, knex: Parameters<typeof authenticateSession>[0], config: Config, required: boolean): Promise<Principal | null> {
  const secret = cookieValue(req.headers.cookie, SESSION_COOKIE);
  if (!secret) return null;
  const principal = await authenticateSession(knex, secret, config);
  if (!principal) {
    res.append('Set-Cookie', clearedSessionCookie(config));
    if (required) throw unauthorized(
        text('登录会话已结束（已退出、长时间未操作或超过最长有效期），请重新登录', 'the session has ended (signed out, idle too long or past its longest life): sign in again'),
      );
    return null;
  }
  assertSameOrigin(req, config);
  return principal;
}
