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

export const UsageQuery = z.object({ days: z.coerce.number().int().min(1).max(90).default(30).describe('days back from today (Asia/Shanghai), today included') });

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe('a day in Asia/Shanghai, YYYY-MM-DD');

export const DeveloperUsage = z
  .object({
    days: z.number().int(),
    from: day,
    to: day,
    total: z.number().int().describe('calls made with your keys in these days'),
    byDay: z.array(z.object({ day, calls: z.number().int(), rows: z.number().int().describe('rows answered') })).describe('every day of the range, oldest first, days without calls as 0'),
    byDataset: z
      .array(z.object({ code: z.string().nullable(), name: z.string().nullable().describe('the published name; null if the dataset is gone'), calls: z.number().int(), rows: z.number().int() }))
      .describe('datasets read, most calls first'),
    byKey: z.array(z.object({ id: z.number().int(), name: z.string().nullable(), prefix: z.string().nullable(), calls: z.number().int() })).describe('which of your keys made the calls'),
    rateLimit: z
      .object({
        policy: z.literal('key'),
        limit: z.number().int().describe('calls per window for your account (all its keys together); 0: no limit'),
        windowSeconds: z.number().int(),
        used: z.number().int().describe('calls counted in the current window (processes count in small batches, so this may run a little ahead)'),
        remaining: z.number().int(),
        resetSeconds: z.number().int().describe('seconds until the window starts again'),
      })
      .describe('where your account stands in the current rate-limit window'),
  })
  .meta({ id: 'DeveloperUsage', description: 'Your calls to the open data API with your keys (row reads, downloads, CKAN datastore searches) and your rate-limit state' });
