/**
 * The OpenSSL 3 commands that check a saved signed head outside ODX (docs/security.md), for the
 * head's own algorithm: the page shows them, test/integration/authority-console.test.ts runs them.
 */
export function opensslCommands(head: { algorithm: 'Ed25519' | 'SM2' }): string {
  const sm2 = head.algorithm === 'SM2' ? ' \\\n  -digest sm3 -pkeyopt distid:1234567812345678' : '';
  return [
    'jq -j .message head.json > message.txt',
    'jq -r .signature head.json | base64 -d > signature.der',
    'jq -r .publicKey head.json > odx-key.pem',
    '# 密钥标识 key id:',
    'openssl pkey -pubin -in odx-key.pem -outform DER | openssl dgst -sha256',
    `openssl pkeyutl -verify -pubin -inkey odx-key.pem -rawin -in message.txt -sigfile signature.der${sm2}`,
  ].join('\n');
}
