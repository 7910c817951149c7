import { createHash } from 'node:crypto';

/**
 * The cryptographic suites an installation may use (docs/security.md, "国密 option"): the hash of
 * the audit chain and of token and session secrets, and the signature of the chain's head and its
 * checkpoints. `intl` is SHA-256 and Ed25519; `gm` (ODX_CRYPTO=gm, commercial cryptography as
 * GB/T 39786 asks) is SM3 (GB/T 32905) and SM2 (GB/T 32918). An installation's suite is chosen
 * when it is created and recorded in odx.crypto_suite (server/src/db/crypto-suite.ts): hashes
 * already stored cannot be recomputed in another algorithm, so a suite is never switched.
 */
export const SUITE_NAMES = ['intl', 'gm'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

export interface CryptoSuite {
  name: SuiteName;
  /** Node's (OpenSSL's) name of the hash. */
  hash: 'sha256' | 'sm3';
  /** The names shown to people and written beside signatures. */
  hashAlgorithm: 'SHA-256' | 'SM3';
  signatureAlgorithm: 'Ed25519' | 'SM2';
  /** How messages name the suite. */
  zh: string;
  en: string;
}

export const SUITES: Record<SuiteName, CryptoSuite> = {
  intl: { name: 'intl', hash: 'sha256', hashAlgorithm: 'SHA-256', signatureAlgorithm: 'Ed25519', zh: '国际算法（SHA-256、Ed25519）', en: 'the international algorithms (SHA-256, Ed25519)' },
  gm: { name: 'gm', hash: 'sm3', hashAlgorithm: 'SM3', signatureAlgorithm: 'SM2', zh: '国密算法（SM3、SM2）', en: 'the 国密 algorithms (SM3, SM2)' },
};

/** The suite's hash of a secret's UTF-8 bytes: how token and session secrets are stored. */
export function secretHash(secret: string, suite: CryptoSuite): Buffer {
  return createHash(suite.hash).update(secret, 'utf8').digest();
}
