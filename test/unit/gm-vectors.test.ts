import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { sm2 } from 'sm-crypto-v2';
import { chainHash } from '../../server/src/audit/chain.ts';
import { secretHash, SUITES } from '../../server/src/lib/crypto-suite.ts';
import { SM2_DEFAULT_ID, sm2KeyFromPem, sm2KeyPair, sm2PrivateKeyPem, sm2PublicKeyPem, sm2SignatureDer, sm2Sign, sm2Verify } from '../../server/src/lib/sm2.ts';

/**
 * The 国密 suite against the standards' published examples, not against itself.
 * SM3: GB/T 32905-2016, Appendix A (examples 1 and 2).
 * SM2: the digital signature example on the recommended curve sm2p256v1 (GB/T 32918.5-2017 /
 * GM/T 0003.5-2012, Appendix A): user ID 1234567812345678, message "message digest".
 */
const SM3_ABC = '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0';
const SM3_ABCD16 = 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732';

const EXAMPLE = {
  d: '3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8',
  x: '09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020',
  y: 'CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13',
  k: '59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21',
  r: 'F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3',
  s: 'B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA',
  message: Buffer.from('message digest'),
};
const N = BigInt('0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');
const big = (hex: string) => BigInt('0x' + hex);
const examplePem = () => sm2PublicKeyPem(`04${EXAMPLE.x}${EXAMPLE.y}`.toLowerCase());
const exampleSignature = () => sm2SignatureDer(big(EXAMPLE.r), big(EXAMPLE.s));

describe('国密 suite: the standards’ test vectors', () => {
  describe('SM3 (GB/T 32905)', () => {
    it('hashes "abc" and "abcd"×16 to the published digests, as OpenSSL gives them to the suite', () => {
      expect(createHash('sm3').update('abc').digest('hex')).to.equal(SM3_ABC);
      expect(createHash('sm3').update('abcd'.repeat(16)).digest('hex')).to.equal(SM3_ABCD16);
      expect(secretHash('abc', SUITES.gm).toString('hex')).to.equal(SM3_ABC);
      expect(secretHash('abcd'.repeat(16), SUITES.gm).toString('hex')).to.equal(SM3_ABCD16);
    });

    it('chains an event as SM3(previous hash ‖ content) in the gm suite and SHA-256 in intl', () => {
      // the message "abcd"×16 split across the two inputs: the chain hash is the plain hash of their concatenation
      const prev = Buffer.from('abcd'.repeat(8));
      expect(chainHash(prev, 'abcd'.repeat(8), SUITES.gm).toString('hex')).to.equal(SM3_ABCD16);
      expect(chainHash(prev, 'abcd'.repeat(8), SUITES.intl).toString('hex')).to.equal(createHash('sha256').update('abcd'.repeat(16)).digest('hex'));
    });
  });

  describe('SM2 signature (GB/T 32918)', () => {
    it('derives the example’s public key from its private key', () => {
      expect(sm2KeyPair(EXAMPLE.d).publicKey).to.equal(`04${EXAMPLE.x}${EXAMPLE.y}`.toLowerCase());
    });

    it('verifies the published signature (r, s) with the published public key and user ID', () => {
      expect(sm2Verify(EXAMPLE.message, exampleSignature(), examplePem())).to.equal(true);
      expect(sm2Verify(EXAMPLE.message, exampleSignature(), examplePem(), SM2_DEFAULT_ID)).to.equal(true);
    });

    it('refuses the published signature on another message, under another user ID, with s + n, or r and s swapped', () => {
      expect(sm2Verify(Buffer.from('message digesT'), exampleSignature(), examplePem())).to.equal(false);
      expect(sm2Verify(EXAMPLE.message, exampleSignature(), examplePem(), 'ALICE123@YAHOO.COM')).to.equal(false);
      // s + n passes the library's arithmetic; the standard's step B2 (s in [1, n-1]) refuses it
      expect(sm2Verify(EXAMPLE.message, sm2SignatureDer(big(EXAMPLE.r), big(EXAMPLE.s) + N), examplePem())).to.equal(false);
      expect(sm2Verify(EXAMPLE.message, sm2SignatureDer(big(EXAMPLE.s), big(EXAMPLE.r)), examplePem())).to.equal(false);
      expect(sm2Verify(EXAMPLE.message, Buffer.from(`${EXAMPLE.r}${EXAMPLE.s}`, 'hex'), examplePem()), 'raw r‖s is not DER').to.equal(false);
    });

    it('the library reproduces the published signature from the published random k', () => {
      // x1 is the x coordinate of [k]G, that is of the "public key" of k
      const kG = sm2.getPublicKeyFromPrivateKey(EXAMPLE.k.toLowerCase());
      const rs = sm2.doSignature(EXAMPLE.message, EXAMPLE.d.toLowerCase(), {
        hash: true,
        userId: SM2_DEFAULT_ID,
        pointPool: [{ k: big(EXAMPLE.k), x1: big(kG.slice(2, 66)) }],
      });
      expect(rs.toUpperCase()).to.equal(EXAMPLE.r + EXAMPLE.s);
    });

    it('signs with the example key so that the signature verifies, and only for the message signed', () => {
      const key = sm2KeyPair(EXAMPLE.d);
      const signature = sm2Sign(EXAMPLE.message, key);
      expect(signature[0], 'DER SEQUENCE').to.equal(0x30);
      expect(sm2Verify(EXAMPLE.message, signature, examplePem())).to.equal(true);
      expect(sm2Verify(Buffer.from('message digest!'), signature, examplePem())).to.equal(false);
      // k is random: a second signature differs and verifies too
      const again = sm2Sign(EXAMPLE.message, key);
      expect(again.equals(signature)).to.equal(false);
      expect(sm2Verify(EXAMPLE.message, again, examplePem())).to.equal(true);
    });

    it('writes keys as PKCS#8 and SubjectPublicKeyInfo on the SM2 curve as OpenSSL does, and reads OpenSSL’s', () => {
      const key = sm2KeyPair(EXAMPLE.d);
      const privatePem = sm2PrivateKeyPem(key);
      expect(sm2KeyFromPem(privatePem)).to.deep.equal(key);
      // OpenSSL (through Node) reads the private key and derives the same public key, in the same SubjectPublicKeyInfo
      expect(createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'pem' })).to.equal(examplePem());
      // and a key OpenSSL made on the SM2 curve reads back with its public point
      const made = generateKeyPairSync('ec', { namedCurve: 'SM2' });
      const read = sm2KeyFromPem(made.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      expect(sm2PublicKeyPem(read.publicKey)).to.equal(made.publicKey.export({ type: 'spki', format: 'pem' }));
      // a damaged file (its public point no longer its private key's) is refused
      const der = Buffer.from(privatePem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
      der[der.length - 1] ^= 1;
      expect(() => sm2KeyFromPem(`-----BEGIN PRIVATE KEY-----\n${der.toString('base64')}\n-----END PRIVATE KEY-----\n`)).to.throw(/damaged/);
      expect(() => sm2KeyFromPem(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).to.throw(/not an SM2 private key/);
    });
  });
});
