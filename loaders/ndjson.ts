/**
 * The NDJSON fast path: a byte scanner that finds, in one line of UTF-8, the value of each key of a flat
 * JSON object, and records where it is (the same field slots the CSV scanner fills), so that the CSV
 * sink checks the values from their bytes and writes the record to COPY without building a string or
 * an object for it. It reads only what it is sure of — an object of known keys, each once, whose values
 * are strings, numbers, true, false or null — and answers `false` for anything else (nested values,
 * unknown or repeated keys, escaped keys, bad syntax, an object of nulls only), which the reader then
 * parses as before, so errors and their messages are the exact parser's.
 */
import { F_ESCAPED, F_HIGH, F_QUOTED, type FieldSlots } from './csv.ts';

const QUOTE = 34;
const BACKSLASH = 92;

function isWs(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

/** 1 for the bytes that may follow a backslash in a JSON string ('u' is handled apart). */
const ESCAPES = new Uint8Array(256);
for (const c of '"\\/bfnrt') ESCAPES[c.charCodeAt(0)] = 1;

/** Bytes inside a JSON string: 0 ordinary; the quote that ends it; a backslash; a control byte (invalid JSON). */
const S_QUOTE = 1;
const S_BACKSLASH = 2; // the rest of the loop
const S_CONTROL = 3;
const STRING_CLASS = new Uint8Array(256);
for (let c = 0; c < 32; c++) STRING_CLASS[c] = S_CONTROL;
STRING_CLASS[QUOTE] = S_QUOTE;
STRING_CLASS[BACKSLASH] = S_BACKSLASH;

function isDigit(x: number): boolean {
  return x >= 48 && x <= 57;
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');

/** b[i..) starts with `word`. */
function startsWith(b: Buffer, i: number, e: number, word: Buffer): boolean {
  if (i + word.length > e) return false;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return false;
  return true;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

export class NdjsonScanner implements FieldSlots {
  readonly delimiter = 44;
  fs: Int32Array;
  fe: Int32Array;
  fl: Uint8Array;
  /** The UTF-8 bytes of each slot's key (null: no key feeds the slot yet). */
  private readonly keys: (Buffer | null)[];
  /** 1 where the slot's key has no byte JSON writes escaped (quote, backslash, control): its bytes in a line are the key's. */
  private readonly plain: Uint8Array;
  /** Record stamp of the slot last filled, to find a key given twice. */
  private readonly seen: Int32Array;
  private stamp = 0;

  constructor(slots: number) {
    this.fs = new Int32Array(slots);
    this.fe = new Int32Array(slots);
    this.fl = new Uint8Array(slots);
    this.keys = new Array(slots).fill(null);
    this.plain = new Uint8Array(slots);
    this.seen = new Int32Array(slots);
  }

  /** Slot `slot` holds the values of `key`. */
  setKey(slot: number, key: string): void {
    const bytes = Buffer.from(key, 'utf8');
    this.keys[slot] = bytes;
    this.plain[slot] = bytes.every((c) => STRING_CLASS[c] === 0) ? 1 : 0;
  }

  /** The slot of the key in b[s..e), guessing first the slot that follows the previous key's. */
  private slotOf(b: Buffer, s: number, e: number, guess: number): number {
    const keys = this.keys;
    const n = e - s;
    for (let t = 0; t < keys.length; t++) {
      let k = guess + t;
      if (k >= keys.length) k -= keys.length;
      const key = keys[k];
      if (key === null || key.length !== n) continue;
      let i = 0;
      while (i < n && key[i] === b[s + i]) i++;
      if (i === n) return k;
    }
    return -1;
  }

  /**
   * Reads the line b[s..e) (without its line feed). Returns 1 when the slots hold a record, 0 for a
   * blank line, -1 when the line must go to the exact parser.
   */
  line(b: Buffer, s: number, e: number): number {
    const fs = this.fs;
    const fe = this.fe;
    const fl = this.fl;
    let i = s;
    while (i < e && isWs(b[i])) i++;
    if (i === e) return 0;
    if (b[i] !== 123) return -1; // {
    i++;
    const stamp = ++this.stamp;
    const seen = this.seen;
    const keys = this.keys;
    let any = false;
    let guess = 0;
    for (;;) {
      while (i < e && isWs(b[i])) i++;
      if (i >= e || b[i] !== QUOTE) return -1;
      const ks = i + 1;
      // the keys mostly come in the order of the first record: the key after the previous one is read
      // against the line's bytes in the same pass that finds its end (its bytes are plain: no quote,
      // backslash or control byte, so a match is the key as JSON means it)
      let k = -1;
      let j = ks;
      const g = guess < keys.length ? keys[guess] : null;
      if (g !== null && this.plain[guess]) {
        const n = g.length;
        let t = 0;
        while (t < n && j < e && b[j] === g[t]) {
          j++;
          t++;
        }
        if (t === n && j < e && b[j] === QUOTE) k = guess;
        else j = ks;
      }
      if (k < 0) {
        while (j < e && b[j] !== QUOTE && b[j] !== BACKSLASH) j++;
        if (j >= e || b[j] !== QUOTE) return -1;
        k = this.slotOf(b, ks, j, guess);
      }
      if (k < 0 || seen[k] === stamp) return -1;
      seen[k] = stamp;
      guess = k + 1;
      i = j + 1;
      while (i < e && isWs(b[i])) i++;
      if (i >= e || b[i] !== 58) return -1; // :
      i++;
      while (i < e && isWs(b[i])) i++;
      if (i >= e) return -1;
      const c = b[i];
      if (c === QUOTE) {
        // F_HIGH for every string: it only picks the decoder of a value the sink decodes (UTF-8 reads ASCII
        // too), and sparing the test of each byte for it makes the common string one memchr and one pass.
        let flags = F_QUOTED | F_HIGH;
        let x = i + 1;
        for (;;) {
          if (x >= e) return -1;
          const t = STRING_CLASS[b[x]];
          if (t === 0) {
            x++;
            continue;
          }
          if (t === S_QUOTE) break;
          if (t === S_CONTROL) return -1;
          const z = b[x + 1];
          if (z === 117) {
            // \uXXXX
            if (x + 5 >= e || !isHex(b[x + 2]) || !isHex(b[x + 3]) || !isHex(b[x + 4]) || !isHex(b[x + 5])) return -1;
            x += 6;
          } else if (x + 1 < e && ESCAPES[z]) x += 2;
          else return -1;
          flags |= F_ESCAPED;
        }
        fs[k] = i + 1;
        fe[k] = x;
        fl[k] = flags;
        any = true;
        i = x + 1;
      } else if (c === 110) {
        // null: the slot is empty
        if (i + 4 > e || b[i + 1] !== 117 || b[i + 2] !== 108 || b[i + 3] !== 108) return -1;
        fs[k] = 0;
        fe[k] = 0;
        fl[k] = 0;
        i += 4;
      } else if (c === 116 || c === 102) {
        const word = c === 116 ? TRUE : FALSE;
        const n = word.length;
        if (!startsWith(b, i, e, word)) return -1;
        fs[k] = i;
        fe[k] = i + n;
        fl[k] = 0;
        any = true;
        i += n;
      } else {
        const end = numberEnd(b, i, e);
        if (end < 0) return -1;
        fs[k] = i;
        fe[k] = end;
        fl[k] = 0;
        any = true;
        i = end;
      }
      while (i < e && isWs(b[i])) i++;
      if (i >= e) return -1;
      if (b[i] === 44) {
        i++;
        continue;
      }
      if (b[i] !== 125) return -1; // }
      i++;
      break;
    }
    while (i < e && isWs(b[i])) i++;
    if (i !== e || !any) return -1;
    // a key the line leaves out is an empty slot
    for (let k = 0; k < keys.length; k++) {
      if (seen[k] !== stamp) {
        fs[k] = 0;
        fe[k] = 0;
        fl[k] = 0;
      }
    }
    return 1;
  }
}

/** End of the JSON number starting at i (-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?), or -1. */
function numberEnd(b: Buffer, i: number, e: number): number {
  if (b[i] === 45) i++;
  if (i >= e) return -1;
  if (b[i] === 48) i++;
  else if (b[i] >= 49 && b[i] <= 57) while (i < e && isDigit(b[i])) i++;
  else return -1;
  if (i < e && b[i] === 46) {
    i++;
    if (i >= e || !isDigit(b[i])) return -1;
    while (i < e && isDigit(b[i])) i++;
  }
  if (i < e && (b[i] === 101 || b[i] === 69)) {
    i++;
    if (i < e && (b[i] === 43 || b[i] === 45)) i++;
    if (i >= e || !isDigit(b[i])) return -1;
    while (i < e && isDigit(b[i])) i++;
  }
  return i;
}
