/** Byte helpers shared by the hot paths. */

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, s: number, e: number): string }).latin1Slice;

/** The bytes b[s..e) as a Latin-1 (here: ASCII) string, without making a Buffer view. */
export function latin1(b: Uint8Array, s: number, e: number): string {
  return latin1Slice.call(b, s, e);
}
