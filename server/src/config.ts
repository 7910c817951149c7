import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SUITE_NAMES } from './lib/crypto-suite.ts';

/** The officer's limit for approving a submitted catalogue entry when ODX_RESOURCE_APPROVAL_DAYS is unset (DOMAIN.md: a provider's answer, 5 working days). */
export const RESOURCE_APPROVAL_DAYS = 5;

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** A proxy Express may trust: one of its names, an address, or a CIDR range (address/prefix). */
function proxyEntry(e: string): boolean {
  if (PROXY_NAMES.includes(e)) return true;
  const [addr, prefix, ...rest] = e.split('/');
  if (rest.length || !isIP(addr)) return false;
  if (prefix === undefined) return true;
  const max = isIP(addr) === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= max;
}

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
  /**
   * The connection budget of one process (docs/operations.md, "Connections"): the general pool,
   * the pool that streams downloads and exports, and the connections that pipeline hot prepared
   * statements. A process also holds one for the change feed and one for the audit chainer.
   */
  /** Server processes `odx serve` runs on this host (--workers). */
  workers: z.coerce.number().int().min(1).max(256).default(1),
  dbPool: z.coerce.number().int().min(1).max(1000).default(10),
  dbStreamPool: z.coerce.number().int().min(1).max(1000).default(10),
  dbPrepared: z.coerce.number().int().min(1).max(100).default(3),
  /**
   * Read replicas (docs/operations.md, "Read replicas"): streaming standbys that serve open and
   * shared data reads; one skipped while its replay lags more than `replicaMaxLag` seconds behind
   * the primary or it cannot be reached, and checked every `replicaCheckMs`.
   */
  replicaUrls: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .refine((l) => l.every((u) => URL.canParse(u) && /^postgres(ql)?:$/.test(new URL(u).protocol)), { message: 'a comma-separated list of postgres:// URLs' })
    .default([]),
  replicaMaxLag: z.coerce.number().positive().max(3600).default(5),
  replicaCheckMs: z.coerce.number().int().min(50).max(60_000).default(1000),
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
  /** Working days the department's officer has to approve (or return) a submitted catalogue entry (docs/guide/officer.md). */
  resourceApprovalDays: z.coerce.number().int().min(1).max(60).default(RESOURCE_APPROVAL_DAYS),
  /** Working days the providing department has to answer an application for conditionally open data (有条件开放). */
  openApplicationDays: z.coerce.number().int().min(1).max(60).default(10),
  /** Whether the compliance check of a share request passes automatically (no authority step). */
  shareAutoCompliance: z.enum(['true', 'false', '1', '0', 'on', 'off']).transform((v) => ['true', '1', 'on'].includes(v)).default(true),
  /** Four eyes: whoever wrote or submitted a catalogue entry's version may not approve it. */
  fourEyes: z.enum(['true', 'false', '1', '0', 'on', 'off']).transform((v) => ['true', '1', 'on'].includes(v)).default(true),
  /** Working days the providing department's officer has to answer an error report (校核纠错, docs/error-reports.md). */
  errorReportDays: z.coerce.number().int().min(0).max(60).default(5),
  /** Alerts (docs/alerts.md): the webhook they are posted to (none when unset) and the HMAC-SHA256 key of its signature. */
  alertWebhookUrl: z.string().url().optional(),
  alertWebhookSecret: z.string().min(16).optional(),
  /** Attempts at a webhook delivery, and the wait before the second (each further wait is four times the last). */
  alertWebhookAttempts: z.coerce.number().int().min(1).max(20).default(6),
  alertWebhookBackoffMs: z.coerce.number().int().min(1).max(3_600_000).default(30_000),
  /** How often the alert checks run. */
  alertIntervalMs: z.coerce.number().int().min(1_000).max(86_400_000).default(900_000),
  /** Leak watch: a grant or developer key whose reads in a day exceed this multiple of its daily mean over the last 28 days, and at least `leakWatchMinReads`. */
  leakWatchMultiple: z.coerce.number().positive().max(1_000).default(5),
  leakWatchMinReads: z.coerce.number().int().min(1).default(200),
  /** Calls per minute a grant allows when the request gave no expected rate. */
  shareDefaultRate: z.coerce.number().int().min(1).max(100_000).default(60),
  /** Open data API requests per rate-limit window: anonymous callers (per IP address), key holders (per account); 0 turns the limit off. */
  rateLimitAnonymous: z.coerce.number().int().min(0).default(60),
  rateLimitKey: z.coerce.number().int().min(0).default(1200),
  rateLimitWindowSeconds: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Developer sign-ups per IP address per hour. */
  rateLimitSignup: z.coerce.number().int().min(0).default(10),
  /** Sessions of people signed in (docs/accounts.md): ended after this long without a request, and this long after sign-in whatever happens. */
  sessionIdleMinutes: z.coerce.number().positive().max(7 * 24 * 60).default(30),
  sessionMaxHours: z.coerce.number().positive().max(30 * 24).default(12),
  /** Guessing: failed sign-ins of one login that lock it, for how long (also the window failures are counted in), and failures from one address in that window before it is refused. */
  signInMaxFailures: z.coerce.number().int().min(1).default(5),
  signInLockMinutes: z.coerce.number().positive().max(24 * 60).default(15),
  signInAddressFailures: z.coerce.number().int().min(1).default(20),
  /** Single sign-on by OpenID Connect (the government's 统一身份认证): on when an issuer is set; the claim that holds the ODX login. */
  oidcIssuer: z.string().url().optional(),
  oidcClientId: z.string().min(1).optional(),
  oidcClientSecret: z.string().min(1).optional(),
  oidcLoginClaim: z.string().min(1).default('preferred_username'),
  /**
   * The proxies whose X-Forwarded-For is believed (comma-separated addresses, CIDR ranges, or
   * loopback / linklocal / uniquelocal; `none`: no one's): the caller's address — and with it the
   * anonymous and sign-up rate limits — comes from the header only when the request arrives from one.
   */
  trustProxy: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .refine((l) => (l.length === 1 && l[0] === 'none') || (l.length > 0 && l.every(proxyEntry)), {
      message: 'a comma-separated list of addresses, CIDR ranges (10.0.0.0/8) or loopback, linklocal, uniquelocal; or none',
    })
    .default(['loopback']),
  /** Licence of the open catalogue: SPDX id, URL and title. */
  openLicenceId: z.string().regex(/^[-A-Za-z0-9.+]+$/).default('CC-BY-4.0'),
  openLicenceUrl: z.string().url().default('https://creativecommons.org/licenses/by/4.0/'),
  openLicenceTitle: z.string().min(1).default('知识共享署名 4.0 国际许可协议（CC BY 4.0）'),
  /** 统一社会信用代码 of the department publishing the open catalogue; default: the department of the first authority account. */
  catalogPublisher: z.string().optional(),
  /** Mask rules by name (JSON), laid over the defaults of server/src/data/masking.ts. */
  maskRules: z.string().optional(),
  /** Secret salt of the `hash` mask rule. */
  maskSalt: z.string().optional(),
  /**
   * The cryptographic suite (docs/security.md, "国密 option"): `intl` (SHA-256, Ed25519) or `gm` (SM3, SM2).
   * Chosen when the installation is created and recorded there; a server refuses to start under another.
   */
  crypto: z.enum(SUITE_NAMES).default('intl'),
  /** The Chromium that prints reports to PDF (the evaluation report, docs/indicators.md); without it the PDF answers 503. */
  chromium: z.string().default('/usr/bin/chromium'),
  /** The built web app (docs/web.md); default web/dist of this checkout. */
  webDir: z.string().default(fileURLToPath(new URL('../../web/dist', import.meta.url))),
});

export type Config = z.infer<typeof schema> & { homeDir: string; publicBaseUrl: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<z.input<typeof schema>> = {}): Config {
  const parsed = schema.safeParse({
    home: env.ODX_HOME,
    host: env.ODX_HOST,
    port: env.ODX_PORT ?? env.PORT,
    databaseUrl: env.DATABASE_URL || undefined,
    migrateUrl: env.ODX_MIGRATE_URL || undefined,
    workers: env.ODX_WORKERS,
    dbPool: env.ODX_DB_POOL,
    dbStreamPool: env.ODX_DB_STREAM_POOL,
    dbPrepared: env.ODX_DB_PREPARED,
    replicaUrls: env.ODX_REPLICA_URLS || undefined,
    replicaMaxLag: env.ODX_REPLICA_MAX_LAG,
    replicaCheckMs: env.ODX_REPLICA_CHECK_MS,
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
    resourceApprovalDays: env.ODX_RESOURCE_APPROVAL_DAYS,
    openApplicationDays: env.ODX_OPEN_APPLICATION_DAYS,
    shareAutoCompliance: env.ODX_SHARE_AUTO_COMPLIANCE,
    shareDefaultRate: env.ODX_SHARE_DEFAULT_RATE,
    errorReportDays: env.ODX_ERROR_REPORT_DAYS,
    alertWebhookUrl: env.ODX_ALERT_WEBHOOK_URL || undefined,
    alertWebhookSecret: env.ODX_ALERT_WEBHOOK_SECRET || undefined,
    alertWebhookAttempts: env.ODX_ALERT_WEBHOOK_ATTEMPTS,
    alertWebhookBackoffMs: env.ODX_ALERT_WEBHOOK_BACKOFF_MS,
    alertIntervalMs: env.ODX_ALERT_INTERVAL_MS,
    leakWatchMultiple: env.ODX_LEAK_WATCH_MULTIPLE,
    leakWatchMinReads: env.ODX_LEAK_WATCH_MIN_READS,
    fourEyes: env.ODX_FOUR_EYES,
    rateLimitAnonymous: env.ODX_RATE_LIMIT_ANONYMOUS,
    rateLimitKey: env.ODX_RATE_LIMIT_KEY,
    rateLimitWindowSeconds: env.ODX_RATE_LIMIT_WINDOW,
    rateLimitSignup: env.ODX_RATE_LIMIT_SIGNUP,
    sessionIdleMinutes: env.ODX_SESSION_IDLE_MINUTES,
    sessionMaxHours: env.ODX_SESSION_MAX_HOURS,
    signInMaxFailures: env.ODX_SIGNIN_MAX_FAILURES,
    signInLockMinutes: env.ODX_SIGNIN_LOCK_MINUTES,
    signInAddressFailures: env.ODX_SIGNIN_ADDRESS_FAILURES,
    oidcIssuer: env.ODX_OIDC_ISSUER || undefined,
    oidcClientId: env.ODX_OIDC_CLIENT_ID || undefined,
    oidcClientSecret: env.ODX_OIDC_CLIENT_SECRET || undefined,
    oidcLoginClaim: env.ODX_OIDC_LOGIN_CLAIM || undefined,
    trustProxy: env.ODX_TRUST_PROXY,
    openLicenceId: env.ODX_OPEN_LICENCE,
    openLicenceUrl: env.ODX_OPEN_LICENCE_URL,
    openLicenceTitle: env.ODX_OPEN_LICENCE_TITLE,
    catalogPublisher: env.ODX_CATALOG_PUBLISHER,
    maskRules: env.ODX_MASK_RULES,
    maskSalt: env.ODX_MASK_SALT,
    crypto: env.ODX_CRYPTO || undefined,
    webDir: env.ODX_WEB_DIR,
    chromium: env.ODX_CHROMIUM || undefined,
    ...overrides,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  if (c.oidcIssuer && !c.oidcClientId) throw new Error('invalid configuration: ODX_OIDC_ISSUER is set but ODX_OIDC_CLIENT_ID is not');
  if (c.alertWebhookUrl && !c.alertWebhookSecret) throw new Error('invalid configuration: ODX_ALERT_WEBHOOK_URL is set but ODX_ALERT_WEBHOOK_SECRET (at least 16 characters) is not: deliveries are always signed');
  const homeDir = path.resolve(c.home);
  const publicBaseUrl = (c.publicUrl ?? `http://localhost:${c.port}`).replace(/\/$/, '');
  return { ...c, homeDir, publicBaseUrl };
}
