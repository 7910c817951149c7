/**
 * Reading `COPY ... TO STDOUT (FORMAT binary)` as it arrives: each row's fields are handed
 * over as positions in the chunk they arrived in, so encoders copy bytes straight from the
 * database's output into theirs — no per-row objects, no text parsing, no escaping to undo.
 *
 * The format (PostgreSQL docs, "COPY — Binary Format"): an 11-byte signature, a 32-bit flags
 * field and a header extension (32-bit length, then that many bytes); then per row a 16-bit
 * field count (-1 ends the data) and per field a 32-bit length (-1 is NULL) and its bytes,
 * each in the type's binary send format. All integers are big-endian.
 */

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * One row: field `i` is `buf[pos[i] .. pos[i] + len[i])`, or NULL when `len[i]` is -1. `view` is a
 * DataView of `buf` (same offsets), for reading several bytes at once.
 */
export type RowHandler = (buf: Buffer, pos: Int32Array, len: Int32Array, view: DataView) => void;

export class CopyBinaryReader {
  /** The start of an unfinished row (or of the header) in pieces, and how many bytes it needs at least before it can go on. */
  private rest: Buffer[] = [];
  private restBytes = 0;
  private need = 0;
  private header = true;
  private ended = false;
  readonly pos: Int32Array;
  readonly len: Int32Array;
  rows = 0;

  constructor(
    readonly columns: number,
    private readonly onRow: RowHandler,
  ) {
    this.pos = new Int32Array(columns);
    this.len = new Int32Array(columns);
  }

  /** Feeds a chunk; calls the handler for every row it completes. */
  push(chunk: Buffer): void {
    let p = 0;
    if (this.rest.length) {
      const restBytes = this.restBytes;
      if (restBytes + chunk.length < this.need) {
        // a long row: gather chunks until all of it is here, then join them once
        this.rest.push(chunk);
        this.restBytes += chunk.length;
        return;
      }
      const rest = this.rest.length === 1 ? this.rest[0] : Buffer.concat(this.rest, restBytes);
      // a row cut between chunks: join its start with just enough of this chunk to finish it
      // (growing the piece taken until it does); the rows after it are read from the chunk itself
      let take = Math.min(chunk.length, Math.max(this.need - restBytes, 64));
      for (;;) {
        const joined = Buffer.concat([rest, chunk.subarray(0, take)]);
        this.rest = [];
        this.restBytes = 0;
        const stop = this.parse(joined, 0);
        if (stop >= restBytes) {
          p = stop - restBytes;
          this.rest = [];
          this.restBytes = 0;
          break;
        }
        if (take === chunk.length) return; // still unfinished: parse kept the joined bytes
        take = Math.min(chunk.length, Math.max(this.need - restBytes, take * 2));
      }
    }
    this.parse(chunk, p);
  }

  /**
   * Reads the header, rows and end marker of `buf` from `p` on; returns where it stopped. When it
   * stops inside an unfinished unit it keeps the bytes from that unit's start and what it needs.
   */
  private parse(buf: Buffer, p: number): number {
    const n = buf.length;
    if (this.header) {
      if (n - p >= 11 && buf.compare(SIGNATURE, 0, SIGNATURE.length, p, p + SIGNATURE.length) !== 0) throw new Error('not a binary COPY stream');
      const need = n - p < 19 ? 19 : 19 + buf.readInt32BE(p + 15);
      if (n - p < need) return this.keep(buf, p, need);
      p += need;
      this.header = false;
    }
    const { pos, len, columns, onRow } = this;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    while (p < n) {
      if (this.ended) throw new Error('binary COPY: data after the end marker');
      if (p + 2 > n) return this.keep(buf, p, 2);
      const fields = (buf[p] << 8) | buf[p + 1];
      if (fields === 0xffff) {
        this.ended = true;
        p += 2;
        continue;
      }
      if (fields !== columns) throw new Error(`binary COPY: a row of ${fields} fields, expected ${columns}`);
      let q = p + 2;
      for (let i = 0; i < columns; i++) {
        // an unfinished row needs at least its next length word, or all of the field it announced
        if (q + 4 > n) return this.keep(buf, p, q + 4 - p);
        const l = (buf[q] << 24) | (buf[q + 1] << 16) | (buf[q + 2] << 8) | buf[q + 3];
        q += 4;
        if (l > 0 && q + l > n) return this.keep(buf, p, q + l - p);
        pos[i] = q;
        len[i] = l;
        if (l > 0) q += l;
      }
      onRow(buf, pos, len, view);
      this.rows++;
      p = q;
    }
    return p;
  }

  private keep(buf: Buffer, from: number, need: number): number {
    this.rest = [buf.subarray(from)];
    this.restBytes = buf.length - from;
    this.need = need;
    return from;
  }

  /** The stream ended: it must have ended after a whole row, with the end marker. */
  end(): void {
    if (this.rest.length || !this.ended) throw new Error('binary COPY: the data ended early');
  }
}
