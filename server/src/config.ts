import path from 'node:path';
import { z } from 'zod';

/**
 * The one typed configuration object. Every setting comes from the environment
 * (ODX_* and DATABASE_URL) with a default; docs/configuration.md lists them.
 */
const schema = z.object({
  home: z.string().default('.odx'),
  host: z.string().default('0.0.0.0'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  databaseUrl: z.string().url().optional(),
  /** The schema owner's URL for migrations when DATABASE_URL is the application role (docs/operations.md). */
  migrateUrl: z.string().url().optional(),
  embeddedPgPort: z.coerce.number().int().min(1024).max(65535).default(54329),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  bodyLimit: z.string().default('1mb'),
  publicUrl: z.string().optional(),
  shutdownTimeoutMs: z.coerce.number().int().positive().default(10_000),
  tokenDefaultDays: z.coerce.number().int().positive().default(365),
  uploadLimitBytes: z.coerce.number().int().positive().default(8 * 2 ** 30),
  versionRetention: z.coerce.number().int().min(1).default(3),
  /** Sharing time limits in working days (docs/sharing.md): compliance check, provider answer (more when no data is loaded yet), dispute decision. */
  shareComplianceDays: z.coerce.number().int().min(0).max(60).default(2),
  shareProviderDays: z.coerce.number().int().min(0).max(60).default(5),
  shareProviderDaysNoData: z.coerce.number().int().min(0).max(60).default(10),
  shareDisputeDays: z.coerce.number().int().min(0).max(60).default(5),
  /** Whether the compliance check of a share request passes automatically (no authority step). */
  shareAutoCompliance: z.enum(['true', 'false', '1', '0', 'on', 'off']).transform((v) => ['true', '1', 'on'].includes(v)).default(true),
  /** Four eyes: whoever wrote or submitted a catalogue entry's version may not approve it. */
  fourEyes: z.enum(['true', 'false', '1', '0', 'on', 'off']).transform((v) => ['true', '1', 'on'].includes(v)).default(true),
  /** Calls per minute a grant allows when the request gave no expected rate. */
  shareDefaultRate: z.coerce.number().int().min(1).max(100_000).default(60),
  /** Open data API requests per rate-limit window: anonymous callers (per IP address), key holders (per account); 0 turns the limit off. */
  rateLimitAnonymous: z.coerce.number().int().min(0).default(60),
  rateLimitKey: z.coerce.number().int().min(0).default(1200),
  rateLimitWindowSeconds: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Developer sign-ups per IP address per hour. */
  rateLimitSignup: z.coerce.number().int().min(0).default(10),
  /** Licence of the open catalogue: SPDX id, URL and title. */
  openLicenceId: z.string().regex(/^[-A-Za-z0-9.+]+$/).default('CC-BY-4.0'),
  openLicenceUrl: z.string().url().default('https://creativecommons.org/licenses/by/4.0/'),
  openLicenceTitle: z.string().min(1).default('知识共享署名 4.0 国际许可协议（CC BY 4.0）'),
  /** 统一社会信用代码 of the department publishing the open catalogue; default: the department of the first authority account. */
  catalogPublisher: z.string().optional(),
  /** Mask rules by name (JSON), laid over the defaults of server/src/open/masking.ts. */
  maskRules: z.string().optional(),
  /** Secret salt of the `hash` mask rule. */
  maskSalt: z.string().optional(),
});

export type Config = z.infer<typeof schema> & { homeDir: string; publicBaseUrl: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<z.input<typeof schema>> = {}): Config {
  const parsed = schema.safeParse({
    home: env.ODX_HOME,
    host: env.ODX_HOST,
    port: env.ODX_PORT ?? env.PORT,
    databaseUrl: env.DATABASE_URL || undefined,
    migrateUrl: env.ODX_MIGRATE_URL || undefined,
    embeddedPgPort: env.ODX_PG_PORT,
    logLevel: env.ODX_LOG_LEVEL,
    bodyLimit: env.ODX_BODY_LIMIT,
    publicUrl: env.ODX_PUBLIC_URL,
    shutdownTimeoutMs: env.ODX_SHUTDOWN_TIMEOUT_MS,
    tokenDefaultDays: env.ODX_TOKEN_DEFAULT_DAYS,
    uploadLimitBytes: env.ODX_UPLOAD_LIMIT_BYTES,
    versionRetention: env.ODX_VERSION_RETENTION,
    shareComplianceDays: env.ODX_SHARE_COMPLIANCE_DAYS,
    shareProviderDays: env.ODX_SHARE_PROVIDER_DAYS,
    shareProviderDaysNoData: env.ODX_SHARE_PROVIDER_DAYS_NO_DATA,
    shareDisputeDays: env.ODX_SHARE_DISPUTE_DAYS,
    shareAutoCompliance: env.ODX_SHARE_AUTO_COMPLIANCE,
    shareDefaultRate: env.ODX_SHARE_DEFAULT_RATE,
    fourEyes: env.ODX_FOUR_EYES,
    rateLimitAnonymous: env.ODX_RATE_LIMIT_ANONYMOUS,
    rateLimitKey: env.ODX_RATE_LIMIT_KEY,
    rateLimitWindowSeconds: env.ODX_RATE_LIMIT_WINDOW,
    rateLimitSignup: env.ODX_RATE_LIMIT_SIGNUP,
    openLicenceId: env.ODX_OPEN_LICENCE,
    openLicenceUrl: env.ODX_OPEN_LICENCE_URL,
    openLicenceTitle: env.ODX_OPEN_LICENCE_TITLE,
    catalogPublisher: env.ODX_CATALOG_PUBLISHER,
    maskRules: env.ODX_MASK_RULES,
    maskSalt: env.ODX_MASK_SALT,
    ...overrides,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  const homeDir = path.resolve(c.home);
  const publicBaseUrl = (c.publicUrl ?? `http://localhost:${c.port}`).replace(/\/$/, '');
  return { ...c, homeDir, publicBaseUrl };
}
