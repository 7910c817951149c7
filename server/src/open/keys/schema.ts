import { z } from 'zod';

export const DeveloperSignup = z.object({
  email: z.string().trim().toLowerCase().max(254).email(),
  /** How the account is shown; the e-mail's local part by default. */
  name: z.string().trim().min(1).max(100).optional(),
  /** What the account is for (an app, a study): recorded, not checked. */
  purpose: z.string().max(500).optional(),
  /** A password to sign in to the portal with (by the e-mail address); without one the account works by its tokens alone. */
  password: z.string().min(1).max(1000).optional(),
});
export type DeveloperSignup = z.infer<typeof DeveloperSignup>;

export const KeyCreate = z.object({ name: z.string().trim().min(1).max(100) }).default({ name: 'api key' });
