import { sm2 } from 'sm-crypto-v2';

/**
 * SM2 signatures (GB/T 32918.2) for the 国密 suite (crypto-suite.ts). Node's OpenSSL knows the SM2
 * curve but signs with ECDSA on it, not with SM2, so the arithmetic is sm-crypto-v2's (built on
 * @noble/curves). What is ours: the signer's identity digest always goes in (ZA, with the user ID
 * of GB/T 35276), signatures are DER as GB/T 35276 and OpenSSL write them and are parsed strictly,
 * r and s are range-checked as the standard's verification steps B1–B2 require (the library does
 * not: s + n would pass), and keys are PKCS#8 / SubjectPublicKeyInfo PEM with the curve's OID, as
 * OpenSSL and GmSSL read and write them.
 */

/** The default user ID (ID_A) of GB/T 35276 and GM/T 0009, used by OpenSSL and GmSSL alike. */
export const SM2_DEFAULT_ID = '1234567812345678';

/** The order n of the recommended curve sm2p256v1 (GB/T 32918.5). */
const N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');

// id-ecPublicKey with the named curve sm2p256v1 (1.2.156.10197.1.301), as OpenSSL lays the keys out
const SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d03420004', 'hex');
const PKCS8_PREFIX = Buffer.from('308187020100301306072a8648ce3d020106082a811ccf5501822d046d306b0201010420', 'hex');
const PKCS8_PUBLIC = Buffer.from('a14403420004', 'hex');

export interface Sm2KeyPair {
  /** d, 32 bytes as 64 hex digits. */
  privateKey: string;
  /** The point, uncompressed: 04 ‖ x ‖ y as 130 hex digits. */
  publicKey: string;
}

export function generateSm2KeyPair(): Sm2KeyPair {
  const { privateKey, publicKey } = sm2.generateKeyPairHex();
  return { privateKey, publicKey };
}

/** The key pair of a private key (d in hex). */
export function sm2KeyPair(privateKey: string): Sm2KeyPair {
  const d = privateKey.toLowerCase().padStart(64, '0');
  return { privateKey: d, publicKey: sm2.getPublicKeyFromPrivateKey(d) };
}

const pem = (label: string, der: Buffer) => `-----BEGIN ${label}-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;

function unPem(label: string, text: string): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(text);
  if (!m) throw new Error(`not a PEM ${label}`);
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

/** PKCS#8 PEM (`BEGIN PRIVATE KEY`) of an SM2 key pair. */
export function sm2PrivateKeyPem(key: Sm2KeyPair): string {
  return pem('PRIVATE KEY', Buffer.concat([PKCS8_PREFIX, Buffer.from(key.privateKey, 'hex'), PKCS8_PUBLIC, Buffer.from(key.publicKey.slice(2), 'hex')]));
}

/** The key pair in a PKCS#8 PEM of an SM2 key; refuses any other key, or one whose public point is not its private key's. */
export function sm2KeyFromPem(text: string): Sm2KeyPair {
  const der = unPem('PRIVATE KEY', text);
  const at = PKCS8_PREFIX.length;
  if (der.length !== at + 32 + PKCS8_PUBLIC.length + 64 || !der.subarray(0, at).equals(PKCS8_PREFIX) || !der.subarray(at + 32, at + 32 + PKCS8_PUBLIC.length).equals(PKCS8_PUBLIC)) {
    throw new Error('not an SM2 private key (PKCS#8 on the curve sm2p256v1)');
  }
  const key = sm2KeyPair(der.subarray(at, at + 32).toString('hex'));
  if (key.publicKey !== '04' + der.subarray(at + 32 + PKCS8_PUBLIC.length).toString('hex')) throw new Error('the SM2 key file is damaged: its public key is not its private key’s');
  return key;
}

/** SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`) of an SM2 public key. */
export function sm2PublicKeyPem(publicKey: string): string {
  return pem('PUBLIC KEY', Buffer.concat([SPKI_PREFIX, Buffer.from(publicKey.slice(2), 'hex')]));
}

function sm2PublicKeyFromPem(text: string): string {
  const der = unPem('PUBLIC KEY', text);
  if (der.length !== SPKI_PREFIX.length + 64 || !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) throw new Error('not an SM2 public key');
  return '04' + der.subarray(SPKI_PREFIX.length).toString('hex');
}

function derInteger(n: bigint): Buffer {
  let b = Buffer.from(n.toString(16).padStart(64, '0'), 'hex');
  while (b.length > 1 && b[0] === 0 && !(b[1] & 0x80)) b = b.subarray(1);
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return Buffer.concat([Buffer.from([0x02, b.length]), b]);
}

/** The DER signature SEQUENCE { r INTEGER, s INTEGER } of GB/T 35276. */
export function sm2SignatureDer(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** r and s of a DER signature in minimal encoding, or undefined for anything else. */
function parseSignatureDer(der: Buffer): { r: bigint; s: bigint } | undefined {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  const ints: bigint[] = [];
  let at = 2;
  for (let i = 0; i < 2; i++) {
    const len = der[at + 1];
    if (der[at] !== 0x02 || !(len >= 1 && len <= 33) || at + 2 + len > der.length) return undefined;
    const v = der.subarray(at + 2, at + 2 + len);
    if (v[0] & 0x80 || (len > 1 && v[0] === 0 && !(v[1] & 0x80))) return undefined;
    ints.push(BigInt('0x' + v.toString('hex')));
    at += 2 + len;
  }
  return at === der.length ? { r: ints[0], s: ints[1] } : undefined;
}

/** Signs a message: e = SM3(ZA ‖ M), ZA of the key's public point and the user ID. Returns the DER signature. */
export function sm2Sign(message: Uint8Array, key: Sm2KeyPair, id = SM2_DEFAULT_ID): Buffer {
  const rs = sm2.doSignature(message, key.privateKey, { hash: true, publicKey: key.publicKey, userId: id });
  return sm2SignatureDer(BigInt('0x' + rs.slice(0, 64)), BigInt('0x' + rs.slice(64)));
}

type PublicPoint = ReturnType<typeof sm2.precomputePublicKey>;
const keysInUse = new Map<string, { uses: number; point?: PublicPoint }>();

/**
 * A public key to verify with: its precomputed multiples once it has verified a few signatures. A
 * list of checkpoints is one key's: precomputing costs about five verifications and makes each
 * one three to four times faster.
 */
function verifyingKey(publicKey: string): string | PublicPoint {
  if (keysInUse.size > 16) keysInUse.clear();
  const known = keysInUse.get(publicKey) ?? { uses: 0 };
  keysInUse.set(publicKey, known);
  if (++known.uses === 3) known.point = sm2.precomputePublicKey(publicKey);
  return known.point ?? publicKey;
}

/** Whether a DER signature of a message holds under an SM2 public key (PEM) and user ID. Never throws. */
export function sm2Verify(message: Uint8Array, signature: Buffer, publicKeyPem: string, id = SM2_DEFAULT_ID): boolean {
  try {
    const rs = parseSignatureDer(signature);
    if (!rs || rs.r < 1n || rs.r >= N || rs.s < 1n || rs.s >= N) return false;
    const hex = rs.r.toString(16).padStart(64, '0') + rs.s.toString(16).padStart(64, '0');
    return sm2.doVerifySignature(message, hex, verifyingKey(sm2PublicKeyFromPem(publicKeyPem)), { hash: true, userId: id });
  } catch {
    return false;
  }
}
