import type { Knex } from 'knex';
import { SUITES, type CryptoSuite, type SuiteName } from '../lib/crypto-suite.ts';
import { createKnex, type Database } from './connect.ts';

/**
 * The installation's cryptographic suite, as recorded in odx.crypto_suite (migration 014): one
 * row, written once by the schema's owner when the installation is first started or migrated,
 * never changed (a trigger refuses it; the application role may only read it). An installation
 * without the row was made before suites were recorded, or is not yet started: it is `intl`, the
 * only suite ODX had before.
 */
export class CryptoSuiteMismatchError extends Error {}

async function recordedName(db: Knex | Knex.Transaction): Promise<SuiteName | undefined> {
  return (await db('odx.crypto_suite').first('suite'))?.suite;
}

/** The suite recorded in the database, read now. */
export async function recordedSuite(db: Knex | Knex.Transaction): Promise<CryptoSuite> {
  return SUITES[(await recordedName(db)) ?? 'intl'];
}

const known = new WeakMap<Knex, Promise<CryptoSuite>>();

/** The suite of the installation a pool connects to, read once: it cannot change. For the paths every request takes. */
export function suiteOf(knex: Knex): Promise<CryptoSuite> {
  let suite = known.get(knex);
  if (!suite) {
    suite = recordedSuite(knex);
    known.set(knex, suite);
    suite.catch(() => known.delete(knex));
  }
  return suite;
}

function mismatch(recorded: SuiteName, configured: SuiteName, before = false): CryptoSuiteMismatchError {
  const [r, c] = [SUITES[recorded], SUITES[configured]];
  return new CryptoSuiteMismatchError(
    `本系统${before ? '在记录算法套件之前已用' : '创建时选定'}${r.zh}，而 ODX_CRYPTO 为 ${configured}：算法套件在创建时确定、不能更换，否则审计链和令牌将无法验证。` +
      `请设置 ODX_CRYPTO=${recorded}，或用${c.zh}新建一个系统。 / ` +
      `This installation ${before ? 'was used with' : 'was created with'} ${r.en}${before ? ' before suites were recorded' : ''}, but ODX_CRYPTO is ${configured}: ` +
      `a suite is fixed when an installation is created and never switched, or its audit chain and tokens would no longer verify. ` +
      `Set ODX_CRYPTO=${recorded}, or create a new installation for ${c.en}.`,
  );
}

/**
 * Makes sure the configured suite is the installation's, as a server starts and `odx migrate`
 * runs: an installation that has none recorded gets it now (as the schema's owner) — the
 * configured one while nothing has been hashed or signed yet, else `intl`, which made what is
 * there — and any difference is refused (CryptoSuiteMismatchError) before anything is hashed.
 */
export async function settleCryptoSuite(db: Pick<Database, 'knex' | 'url' | 'ownerUrl'>, configured: SuiteName): Promise<CryptoSuite> {
  let recorded = await recordedName(db.knex);
  if (!recorded) {
    const owner = db.ownerUrl === db.url ? db.knex : createKnex(db.ownerUrl, { min: 0, max: 1 });
    try {
      const used = await owner.raw(`select (select seq from odx.audit_head) > 0 or exists (select from odx.audit_pending) or exists (select from odx.tokens)
        or exists (select from odx.sessions) or exists (select from odx.audit_checkpoints) as used`);
      const made = used.rows[0].used ? 'intl' : configured;
      // two processes starting a new installation at once: the first one's row stands, and the other compares with it
      await owner.raw(`insert into odx.crypto_suite (suite) values (?) on conflict do nothing`, [made]);
      recorded = (await recordedName(owner))!;
      if (used.rows[0].used && recorded !== configured) throw mismatch(recorded, configured, true);
    } finally {
      if (owner !== db.knex) await owner.destroy();
    }
  }
  if (recorded !== configured) throw mismatch(recorded, configured);
  known.set(db.knex, Promise.resolve(SUITES[recorded]));
  return SUITES[recorded];
}

/** For one-off commands, which may not record a suite: the configured one must be the installation's. */
export async function checkCryptoSuite(knex: Knex, configured: SuiteName): Promise<CryptoSuite> {
  const recorded = (await recordedName(knex)) ?? 'intl';
  if (recorded !== configured) throw mismatch(recorded, configured);
  return SUITES[recorded];
}
