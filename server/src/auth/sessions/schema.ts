import { z } from 'zod';

export const SignIn = z.object({
  /** The login; a developer account signs in with its e-mail address. */
  login: z.string().trim().min(1).max(254),
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
