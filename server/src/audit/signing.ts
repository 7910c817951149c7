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

/** The Ed25519 key that signs the audit chain head, kept in $ODX_HOME (mode 0600) and made on first use. */
export class HeadSigner {
  private constructor(private readonly key: KeyObject, readonly publicKeyPem: string) {}

  static async load(homeDir: string): Promise<HeadSigner> {
    const file = path.join(homeDir, 'audit-ed25519.pem');
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

export function verifySignedHead(head: SignedHead): boolean {
  return verify(null, Buffer.from(head.message), createPublicKey(head.publicKey), Buffer.from(head.signature, 'base64'));
}
