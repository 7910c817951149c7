import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson } from '../lib/canonical-json.ts';
import { SUITES, type CryptoSuite } from '../lib/crypto-suite.ts';
import { generateSm2KeyPair, sm2KeyFromPem, sm2PrivateKeyPem, sm2PublicKeyPem, sm2Sign, sm2Verify } from '../lib/sm2.ts';

export interface SignedHead {
  seq: number;
  hash: string;
  signedAt: string;
  /** The exact bytes that were signed: canonical JSON of { seq, hash, signedAt }. */
  message: string;
  signature: string;
  algorithm: CryptoSuite['signatureAlgorithm'];
  /** The hash of the chain (not signed: it follows from the signature's algorithm, the suites being pairs). */
  hashAlgorithm: CryptoSuite['hashAlgorithm'];
  publicKey: string;
  /** Names the key: SHA-256 (hex) of the public key's DER (SubjectPublicKeyInfo) — what `openssl pkey -pubin -outform DER | openssl dgst -sha256` prints. */
  keyId: string;
}

/** The key id of a PEM public key (see SignedHead.keyId): not signed, it follows from publicKey. */
export function keyIdOf(publicKeyPem: string): string {
  const der = Buffer.from(publicKeyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return createHash('sha256').update(der).digest('hex');
}

/** The chain's hash in a suite whose signature is `algorithm`. */
export const hashAlgorithmOf = (algorithm: string): CryptoSuite['hashAlgorithm'] => (algorithm === SUITES.gm.signatureAlgorithm ? SUITES.gm : SUITES.intl).hashAlgorithm;

/** The key of each suite: its file in $ODX_HOME, how one is made, and how it signs. */
const KEYS = {
  intl: {
    file: 'audit-ed25519.pem',
    make: () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    open(pem: string) {
      const key = createPrivateKey(pem);
      return { publicKeyPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(), sign: (m: Buffer) => sign(null, m, key) };
    },
  },
  gm: {
    file: 'audit-sm2.pem',
    make: () => sm2PrivateKeyPem(generateSm2KeyPair()),
    open(pem: string) {
      const key = sm2KeyFromPem(pem);
      return { publicKeyPem: sm2PublicKeyPem(key.publicKey), sign: (m: Buffer) => sm2Sign(m, key) };
    },
  },
} satisfies Record<CryptoSuite['name'], unknown>;

/**
 * The key that signs the audit chain head, kept in $ODX_HOME (mode 0600) and made on first use:
 * Ed25519, or SM2 in the 国密 suite. `suite` defaults to `intl`, the suite of installations made
 * without ODX_CRYPTO; a server passes its installation's.
 */
export class HeadSigner {
  private constructor(
    private readonly signBytes: (message: Buffer) => Buffer,
    readonly publicKeyPem: string,
    readonly suite: CryptoSuite,
  ) {}

  /** The key's file name in $ODX_HOME: what a backup must carry. */
  get keyFile(): string {
    return KEYS[this.suite.name].file;
  }

  /** The installation's public key, if it has a key yet (none is made). */
  static async publicKeyIn(homeDir: string, suite: CryptoSuite = SUITES.intl): Promise<string | undefined> {
    const pem = await fs.readFile(path.join(homeDir, KEYS[suite.name].file), 'utf8').catch(() => undefined);
    return pem && KEYS[suite.name].open(pem).publicKeyPem;
  }

  static async load(homeDir: string, suite: CryptoSuite = SUITES.intl): Promise<HeadSigner> {
    const kind = KEYS[suite.name];
    const file = path.join(homeDir, kind.file);
    let pem: string;
    try {
      pem = await fs.readFile(file, 'utf8');
    } catch {
      await fs.mkdir(homeDir, { recursive: true });
      pem = kind.make();
      await fs.writeFile(file, pem, { mode: 0o600, flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
        pem = await fs.readFile(file, 'utf8'); // another process made it first
      });
    }
    const key = kind.open(pem);
    return new HeadSigner(key.sign, key.publicKeyPem, suite);
  }

  sign(head: { seq: number; hash: Buffer }): SignedHead {
    const body = { seq: head.seq, hash: head.hash.toString('hex'), signedAt: new Date().toISOString() };
    const message = canonicalJson(body);
    return {
      ...body,
      message,
      signature: this.signBytes(Buffer.from(message)).toString('base64'),
      algorithm: this.suite.signatureAlgorithm,
      hashAlgorithm: this.suite.hashAlgorithm,
      publicKey: this.publicKeyPem,
      keyId: keyIdOf(this.publicKeyPem),
    };
  }
}

/**
 * Whether the signature holds and the head's fields are the ones signed (a copy may have been
 * edited beside its message). SM2 when the head says so (user ID 1234567812345678), else Ed25519:
 * heads kept before suites existed name no algorithm.
 */
export function verifySignedHead(head: Omit<SignedHead, 'algorithm' | 'hashAlgorithm' | 'keyId'> & { algorithm?: string }): boolean {
  try {
    const signed = JSON.parse(head.message) as { seq: unknown; hash: unknown; signedAt: unknown };
    if (signed.seq !== head.seq || signed.hash !== head.hash || signed.signedAt !== head.signedAt) return false;
    const signature = Buffer.from(head.signature, 'base64');
    if (head.algorithm === SUITES.gm.signatureAlgorithm) return sm2Verify(Buffer.from(head.message), signature, head.publicKey);
    return verify(null, Buffer.from(head.message), createPublicKey(head.publicKey), signature);
  } catch {
    return false;
  }
}
