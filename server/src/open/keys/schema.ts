import { z } from 'zod';
import { PrincipalRecord, TokenWithSecret } from '../../auth/accounts/schema.ts';

export const DeveloperSignup = z.object({
  email: z.string().trim().toLowerCase().max(254).email(),
  name: z.string().trim().min(1).max(100).optional().describe('how the account is shown; the e-mail’s local part by default'),
  purpose: z.string().max(500).optional().describe('what the account is for (an app, a study): recorded, not checked'),
  password: z.string().min(1).max(1000).optional().describe('a password to sign in to the portal with (by the e-mail address); without one the account works by its tokens alone'),
});
export type DeveloperSignup = z.infer<typeof DeveloperSignup>;

export const KeyCreate = z.object({ name: z.string().trim().min(1).max(100) }).default({ name: 'api key' });

export const DeveloperSignedUp = z
  .object({
    account: PrincipalRecord,
    token: TokenWithSecret.describe('the account token: manages keys'),
    key: TokenWithSecret.describe('a first read-only API key'),
  })
  .meta({ id: 'DeveloperSignedUp', description: 'A new developer account with its account token and first key, secrets shown once' });
