import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson } from '../lib/canonical-json.ts';

export interface SignedHead {
  seq: number;
  hash: string;
  signedAt: string;
  /** The exact bytes that were signed: canonical JSON of { seq, hash, signedAt }. */
  message: string;
  signature: string;
  algorithm: 'Ed25519';
  publicKey: string;
}

const keyFile = (homeDir: string) => path.join(homeDir, 'audit-ed25519.pem');

/** The Ed25519 key that signs the audit chain head, kept in $ODX_HOME (mode 0600) and made on first use. */
export class HeadSigner {
  private constructor(private readonly key: KeyObject, readonly publicKeyPem: string) {}

  /** The installation's public key, if it has a key yet (none is made). */
  static async publicKeyIn(homeDir: string): Promise<string | undefined> {
    const pem = await fs.readFile(keyFile(homeDir), 'utf8').catch(() => undefined);
    return pem && createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'pem' }).toString();
  }

  static async load(homeDir: string): Promise<HeadSigner> {
    const file = keyFile(homeDir);
    let pem: string;
    try {
      pem = await fs.readFile(file, 'utf8');
    } catch {
      await fs.mkdir(homeDir, { recursive: true });
      pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await fs.writeFile(file, pem, { mode: 0o600, flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
        pem = await fs.readFile(file, 'utf8'); // another process made it first
      });
    }
    const key = createPrivateKey(pem);
    return new HeadSigner(key, createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString());
  }

  sign(head: { seq: number; hash: Buffer }): SignedHead {
    const body = { seq: head.seq, hash: head.hash.toString('hex'), signedAt: new Date().toISOString() };
    const message = canonicalJson(body);
    return {
      ...body,
      message,
      signature: sign(null, Buffer.from(message), this.key).toString('base64'),
      algorithm: 'Ed25519',
      publicKey: this.publicKeyPem,
    };
  }
}

/** Whether the signature holds and the head's fields are the ones signed (a copy may have been edited beside its message). */
export function verifySignedHead(head: SignedHead): boolean {
  try {
    const signed = JSON.parse(head.message) as { seq: unknown; hash: unknown; signedAt: unknown };
    if (signed.seq !== head.seq || signed.hash !== head.hash || signed.signedAt !== head.signedAt) return false;
    return verify(null, Buffer.from(head.message), createPublicKey(head.publicKey), Buffer.from(head.signature, 'base64'));
  } catch {
    return false;
  }
}
