import { z } from 'zod';
import { timestamp } from '../../lib/zod-fields.ts';

export const SignIn = z.object({
  login: z.string().trim().min(1).max(254).describe('the login; a developer account signs in with its e-mail address'),
  password: z.string().min(1).max(1000),
});
export type SignIn = z.infer<typeof SignIn>;

export const PasswordChange = z.object({
  current: z.string().min(1).max(1000),
  new: z.string().min(1).max(1000),
});
export type PasswordChange = z.infer<typeof PasswordChange>;

export const OidcStart = z.object({
  /** A page of ODX to come back to once signed in: a path on this server, never another site. */
  returnTo: z.string().max(500).regex(/^\/(?![/\\])[^\s\\]*$/, 'a path on this server, starting with one /').default('/'),
});

export const OidcCallback = z.object({ code: z.string().optional(), state: z.string().optional(), error: z.string().optional() }).passthrough();

export const SessionRecord = z
  .object({
    id: z.number().int(),
    method: z.string().describe('how it was opened: password or oidc'),
    createdAt: timestamp,
    lastSeenAt: timestamp,
    idleExpiresAt: timestamp.describe('when it ends if no request comes before'),
    expiresAt: timestamp.describe('when it ends at the latest'),
    address: z.string().nullable(),
    userAgent: z.string().nullable(),
    current: z.boolean().describe('the session this request was made with'),
  })
  .meta({ id: 'Session', description: 'A signed-in session of your account (never its secret)' });

export const SessionList = z.object({ items: z.array(SessionRecord) }).meta({ id: 'SessionList' });

export const SessionsEnded = z.object({ ended: z.number().int().describe('sessions ended') }).meta({ id: 'SessionsEnded' });

export const SignInMethods = z
  .object({ password: z.boolean(), oidc: z.boolean().describe('single sign-on (统一身份认证) is configured') })
  .meta({ id: 'SignInMethods', description: 'How people can sign in here' });
