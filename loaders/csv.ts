/**
 * The CSV/TSV fast path. A byte-level scanner finds records and fields in UTF-8 buffers (quotes,
 * embedded newlines, CRLF/LF/CR) without building strings; only values that have a rule to check are
 * decoded. Records whose values are already in PostgreSQL's input form are copied to COPY byte for byte;
 * the others are rewritten field by field (dates, booleans, thousands separators, ...); rejected records
 * are left out.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { Fail } from './coerce.ts';
import { compileAcceptor, LAST_NUMBER, type ByteAcceptor } from './byte-acceptors.ts';
import { CsvProfiler, K_BOOL, K_DATE, K_FLOAT, K_NONE, K_NUM, K_TEXT } from './profile.ts';
import { binaryEncoder, type BinaryEncoder } from './binary.ts';
import { Sink, type FileColumn, type SinkOptions } from './sink.ts';
import { LoadError } from './types.ts';

const QUOTE = 34;
const LF = 10;
const CR = 13;

export const F_QUOTED = 1;
export const F_ESCAPED = 2;
export const F_HIGH = 4;
export const F_BAREQUOTE = 8;
export const F_NUL = 16;
export const F_GARBAGE = 32;
export const F_BACKSLASH = 64;

/** Picks the delimiter among , \t ; | that splits the first records most consistently. */
export function sniffDelimiter(sample: string, preferTab = false): string {
  const candidates = preferTab ? ['\t', ',', ';', '|'] : [',', '\t', ';', '|'];
  let best = candidates[0];
  let bestScore = -1;
  for (const d of candidates) {
    const counts = fieldCounts(sample, d, 50);
    if (counts.length === 0) continue;
    const first = counts[0];
    if (first <= 1) continue;
    const consistent = counts.filter((c) => c === first).length / counts.length;
    const score = consistent * 1000 + Math.min(first, 999);
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}

/** Field counts of the first complete records of a text sample (the last, possibly cut, record is dropped). */
function fieldCounts(text: string, d: string, max: number): number[] {
  const out: number[] = [];
  let inQ = false;
  let n = 1;
  let empty = true;
  for (let i = 0; i < text.length && out.length < max; i++) {
    const c = text[i];
    if (inQ) {
      if (c === '"') {
        if (text[i + 1] === '"') i++;
        else inQ = false;
      }
      continue;
    }
    if (c === '"') {
      inQ = true;
      empty = false;
    } else if (c === d) {
      n++;
      empty = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      if (!empty) out.push(n);
      n = 1;
      empty = true;
    } else empty = false;
  }
  return out;
}

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    /** 0-based field index. */
    readonly field: number,
  ) {
    super(message);
  }
}

/** Where a record's fields are: what the sink reads of a scanner (the CSV scanner, or the NDJSON one). */
export interface FieldSlots {
  readonly delimiter: number;
  fs: Int32Array;
  fe: Int32Array;
  fl: Uint8Array;
}

export interface CsvRecordHandler {
  record(b: Buffer, start: number, end: number, termEnd: number, nf: number, line: number): void;
}

/** Splits UTF-8 buffers into records. Call scan() per buffer; it returns how many bytes it consumed. */
export class CsvScanner {
  /** Byte classes: 0 = ordinary; 1 = ends an unquoted field (delimiter, CR, LF); else the flag the byte sets. */
  private readonly cls = new Uint8Array(256);
  fs = new Int32Array(64);
  fe = new Int32Array(64);
  fl = new Uint8Array(64);
  /** Physical line where the next record starts (1-based). */
  line = 1;
  handler!: CsvRecordHandler;
  /** Set by a handler to stop scanning after the current record. */
  stop = false;

  constructor(readonly delimiter: number) {
    const cls = this.cls;
    cls[delimiter] = 1;
    cls[LF] = 1;
    cls[CR] = 1;
    cls[QUOTE] = F_BAREQUOTE;
    cls[0] = F_NUL;
    cls[92] = F_BACKSLASH;
    for (let i = 128; i < 256; i++) cls[i] = F_HIGH;
  }

  private grow(): void {
    const n = this.fs.length * 2;
    const fs = new Int32Array(n);
    fs.set(this.fs);
    const fe = new Int32Array(n);
    fe.set(this.fe);
    const fl = new Uint8Array(n);
    fl.set(this.fl);
    this.fs = fs;
    this.fe = fe;
    this.fl = fl;
  }

  scan(b: Buffer, final: boolean): number {
    const n = b.length;
    const D = this.delimiter;
    const cls = this.cls;
    let fs = this.fs;
    let fe = this.fe;
    let fl = this.fl;
    let i = 0;
    while (i < n) {
      const rs = i;
      let nf = 0;
      let nl = 0;
      let end: number;
      let term: number;
      for (;;) {
        if (nf === fs.length) {
          this.grow();
          fs = this.fs;
          fe = this.fe;
          fl = this.fl;
        }
        let flags = 0;
        if (i < n && b[i] === QUOTE) {
          flags = F_QUOTED;
          const s0 = i + 1;
          let j = s0;
          for (;;) {
            const q = b.indexOf(QUOTE, j);
            if (q < 0) {
              if (!final) return rs;
              throw new CsvSyntaxError(`unterminated quoted field (the record starts at line ${this.line}, field ${nf + 1})`, this.line, nf);
            }
            for (let k = j; k < q; k++) {
              const x = b[k];
              if (x >= 128) flags |= F_HIGH;
              else if (x === LF) nl++;
              else if (x === 0) flags |= F_NUL;
              else if (x === 92) flags |= F_BACKSLASH;
            }
            if (q + 1 >= n) {
              if (!final) return rs;
              fs[nf] = s0;
              fe[nf] = q;
              i = q + 1;
              break;
            }
            if (b[q + 1] === QUOTE) {
              flags |= F_ESCAPED;
              j = q + 2;
              continue;
            }
            fs[nf] = s0;
            fe[nf] = q;
            i = q + 1;
            break;
          }
          if (i < n) {
            let c = b[i];
            if (c !== D && c !== LF && c !== CR) {
              flags |= F_GARBAGE;
              while (i < n) {
                c = b[i];
                if (c === D || c === LF || c === CR) break;
                i++;
              }
              fe[nf] = i;
            }
          }
        } else {
          fs[nf] = i;
          for (; i < n; i++) {
            const k = cls[b[i]];
            if (k === 0) continue;
            if (k === 1) break;
            flags |= k;
          }
          fe[nf] = i;
        }
        fl[nf] = flags;
        nf++;
        if (i >= n) {
          if (!final) return rs;
          end = n;
          term = n;
          break;
        }
        const c = b[i];
        if (c === D) {
          i++;
          continue;
        }
        end = i;
        if (c === CR) {
          if (i + 1 < n) term = b[i + 1] === LF ? i + 2 : i + 1;
          else {
            if (!final) return rs;
            term = i + 1;
          }
        } else term = i + 1;
        break;
      }
      this.handler.record(b, rs, end, term, nf, this.line);
      this.line += 1 + nl;
      i = term;
      if (this.stop) {
        this.stop = false;
        return i;
      }
    }
    return n;
  }
}

interface FastSlices {
  latin1Slice(s: number, e: number): string;
  utf8Slice(s: number, e: number): string;
}

/** The encoding of the bytes the scanner reads and COPY receives. */
export type RawEncoding = 'utf8' | 'gb18030';

/** Decodes a field's text (UTF-8). */
export function fieldText(b: Buffer, s: number, e: number, flags: number): string {
  const f = b as unknown as FastSlices;
  let v = flags & F_HIGH ? f.utf8Slice(s, e) : f.latin1Slice(s, e);
  if (flags & F_ESCAPED) v = v.replace(/""/g, '"');
  return v;
}

/** Decodes a JSON string's text (its bytes between the quotes; F_ESCAPED: it has backslash escapes, already checked valid). */
function jsonFieldText(b: Buffer, s: number, e: number, flags: number): string {
  const f = b as unknown as FastSlices;
  const v = flags & F_HIGH ? f.utf8Slice(s, e) : f.latin1Slice(s, e);
  return flags & F_ESCAPED ? (JSON.parse('"' + v + '"') as string) : v;
}

/** Decodes a field's text (GB18030: ASCII is ASCII, any other character has a lead byte >= 0x81). */
export function fieldTextGb(b: Buffer, s: number, e: number, flags: number): string {
  let v = flags & F_HIGH ? iconv.decode(b.subarray(s, e), 'gb18030') : (b as unknown as FastSlices).latin1Slice(s, e);
  if (flags & F_ESCAPED) v = v.replace(/""/g, '"');
  return v;
}

export function textDecoder(raw: RawEncoding): typeof fieldText {
  return raw === 'utf8' ? fieldText : fieldTextGb;
}

/** Reads the header record. */
export class HeaderCapture implements CsvRecordHandler {
  header: string[] | null = null;
  line = 0;
  constructor(
    private readonly scanner: CsvScanner,
    private readonly raw: RawEncoding = 'utf8',
  ) {}
  record(b: Buffer, start: number, end: number, _termEnd: number, nf: number, line: number): void {
    if (this.header) return;
    const sc = this.scanner;
    if (nf === 1 && sc.fe[0] === sc.fs[0] && !(sc.fl[0] & F_QUOTED)) return; // blank line before the header
    if (this.raw === 'utf8' && !isUtf8(b.subarray(start, end)))
      throw new LoadError('encoding', `the header (line ${line}) is not valid text in the detected encoding`, { line });
    const text = textDecoder(this.raw);
    const h: string[] = [];
    for (let k = 0; k < nf; k++) {
      let f = sc.fl[k];
      let s = sc.fs[k];
      let e = sc.fe[k];
      if (f & F_GARBAGE) {
        s -= 1;
        f &= ~F_ESCAPED;
      }
      const v = text(b, s, e, f | F_HIGH);
      if (this.raw !== 'utf8' && v.indexOf('\ufffd') >= 0)
        throw new LoadError('encoding', `the header (line ${line}) is not valid ${this.raw.toUpperCase()} text`, { line });
      if (v.indexOf('\0') >= 0)
        throw new LoadError('encoding', `the header (line ${line}, column ${k + 1}) contains a NUL byte: is the file UTF-32 or not text at all? Save it as UTF-8`, { line, column: String(k + 1) });
      h.push(v);
    }
    this.header = h;
    this.line = line;
    sc.stop = true;
  }
}

const M_SKIP = 0;
const M_MAPPED = 1;
const M_REQUIRED = 2;
const M_CHECK = 4;
const SLOW_OK = 0;
const SLOW_BAD = 1;
const SLOW_REWRITE = 2;

export interface CsvSinkOptions extends SinkOptions {
  /** Values were transcoded to UTF-8 (GB18030/UTF-16 input): every value is decoded and checked for U+FFFD. */
  transcoded: boolean;
  /** Encoding of the bytes scanned and sent to COPY. */
  raw: RawEncoding;
  /** Send COPY BINARY tuples (UTF-8 input only) instead of CSV records. */
  binary: boolean;
  /** Send COPY text-format records (UTF-8 input only; DELIMITER as the file's, NULL ''). */
  copyText?: boolean;
  /**
   * The fields are JSON values (the NDJSON scanner): strings' bytes between their quotes (F_QUOTED;
   * F_ESCAPED when they have backslash escapes), numbers and true/false as they are. Every record is
   * written anew (nothing passes through), escaped strings decoded.
   */
  json?: boolean;
}

/** Validates CSV records in place and writes them to COPY, passing canonical records through. */
export class CsvSink extends Sink implements CsvRecordHandler {
  private readonly scanner: FieldSlots;
  private readonly nCols: number;
  /** A column is skipped: every record must be rewritten. */
  private readonly rewriteAll: boolean;
  private readonly transcoded: boolean;
  private readonly raw: RawEncoding;
  private readonly text: typeof fieldText;
  /** Start of the current run of pass-through bytes in the current buffer. */
  private runStart = 0;
  private buf: Buffer | null = null;
  /** The line terminator of COPY data (from the first data record). */
  private eol: Buffer | null = null;
  private readonly rewritten: (string | null | undefined)[];
  private readonly D: number;
  private readonly acceptors: (ByteAcceptor | null)[];
  private readonly mode: Uint8Array;
  /** Field flags that force the string path. */
  private slowMask: number;
  /** Nulls, min and max of the records sent to COPY. */
  readonly profiler: CsvProfiler;
  /** Approximate value of each numeric field of the current record, as its acceptor read it (NaN: not read). */
  private readonly xs: Float64Array;
  private readonly binary: boolean;
  private readonly copyText: boolean;
  /** Field flags that make a record need rewriting for COPY even when its values pass through. */
  private readonly fixMask: number;
  private readonly encoders: (BinaryEncoder | null)[];
  private readonly nCopy: number;
  private readonly json: boolean;
  /** The profiler saw every record sent to COPY (records the NDJSON reader hands to values() it does not). */
  profiled = true;
  /** A quoted field with `""` in it, unescaped: what its acceptor and the profile read. */
  private scratch = Buffer.allocUnsafe(256);

  constructor(scanner: FieldSlots, o: CsvSinkOptions) {
    super(o);
    this.scanner = scanner;
    this.nCols = o.columns.length;
    this.json = !!o.json;
    this.rewriteAll = this.json || o.columns.some((c) => c.item === null);
    this.transcoded = o.transcoded;
    this.raw = o.raw;
    this.text = this.json ? jsonFieldText : textDecoder(o.raw);
    this.rewritten = new Array(this.nCols).fill(undefined);
    this.D = scanner.delimiter;
    this.acceptors = o.columns.map((c) => (c.item && c.check ? compileAcceptor(c.item, o.raw) : null));
    this.mode = Uint8Array.from(o.columns, (c) =>
      c.item === null ? M_SKIP : (c.required ? M_REQUIRED : 0) | (c.check ? M_CHECK : 0) | M_MAPPED,
    );
    this.slowMask = F_ESCAPED | F_BAREQUOTE | F_NUL | F_GARBAGE;
    this.profiler = new CsvProfiler(o.columns, o.raw);
    this.xs = new Float64Array(o.columns.length);
    this.binary = o.binary;
    this.copyText = !!o.copyText;
    if (this.copyText && o.raw !== 'utf8') throw new Error('COPY text format needs UTF-8 text');
    // CSV: a quote inside an unquoted field must be quoted for the server. Text format: quoted fields are
    // unquoted and backslashes escaped; a bare quote is plain data.
    this.fixMask = this.copyText ? F_QUOTED | F_BACKSLASH : F_BAREQUOTE;
    if (this.copyText) this.slowMask &= ~F_BAREQUOTE;
    if (o.binary && o.raw !== 'utf8') throw new Error('binary COPY needs UTF-8 text');
    this.encoders = o.columns.map((c) => (c.item ? binaryEncoder(c.item) : null));
    this.nCopy = o.copyItems.length;
  }

  /** One COPY BINARY tuple for an accepted record. */
  private tuple(b: Buffer, nf: number): void {
    const out = this.out;
    const sc = this.scanner;
    const fs = sc.fs;
    const fe = sc.fe;
    const fl = sc.fl;
    const rw = this.rewritten;
    const enc = this.encoders;
    let rewritten = false;
    out.i16(this.nCopy);
    for (let k = 0; k < nf; k++) {
      const en = enc[k];
      if (en === null) continue;
      const s = fs[k];
      const e = fe[k];
      const r = rw[k];
      if (s === e || r === null) {
        out.i32(-1);
        continue;
      }
      if (r !== undefined) {
        rewritten = true;
        en.str(out, r);
      } else if (fl[k] & F_ESCAPED) en.str(out, this.text(b, s, e, fl[k]));
      else en.bytes(out, b, s, e);
    }
    if (rewritten) rw.fill(undefined);
  }

  private profileRecord(b: Buffer, nf: number): void {
    const p = this.profiler;
    const kind = p.kind;
    const sc = this.scanner;
    const fs = sc.fs;
    const fe = sc.fe;
    const fl = sc.fl;
    const rw = this.rewritten;
    const mode = this.mode;
    for (let k = 0; k < nf; k++) {
      if (mode[k] === M_SKIP) continue;
      const s = fs[k];
      const e = fe[k];
      const r = rw[k];
      if (s === e || r === null) {
        p.nulls[k]++;
        continue;
      }
      const kd = kind[k];
      if (kd === K_NONE) continue;
      if (r !== undefined) p.value(k, r);
      else if (kd === K_NUM || kd === K_FLOAT) p.numberBytes(k, this.xs[k], b, s, e);
      else if (fl[k] & F_ESCAPED) {
        if (this.json || kd !== K_TEXT) p.value(k, this.text(b, s, e, fl[k]));
        else p.bytes(k, this.scratch, 0, this.unescape(b, s, e));
      }
      else if (kd === K_TEXT || kd === K_DATE) p.bytes(k, b, s, e);
      else if (kd === K_BOOL) p.boolBytes(k, b, s, e);
    }
  }

  /** Copies a quoted field's bytes to `scratch` with each `""` made one `"`; returns the length. */
  private unescape(b: Buffer, s: number, e: number): number {
    if (this.scratch.length < e - s) this.scratch = Buffer.allocUnsafe(Math.max(e - s, this.scratch.length * 2));
    const out = this.scratch;
    let n = 0;
    for (let i = s; i < e; i++) {
      const c = b[i];
      out[n++] = c;
      if (c === QUOTE) i++;
    }
    return n;
  }

  /**
   * The decoder replaced undecodable input with U+FFFD somewhere ahead: from now on every value with
   * non-ASCII text is decoded and checked, so the bad spot is reported with its line and column.
   */
  lookCloser(): void {
    if (!this.transcoded) return;
    this.slowMask |= F_HIGH;
    for (let k = 0; k < this.columns.length; k++) {
      if (this.columns[k].item) {
        this.columns[k].check = true;
        this.mode[k] |= M_CHECK;
      }
    }
  }

  /** Starts a buffer: pass-through runs refer to it. */
  begin(b: Buffer): void {
    this.buf = b;
    this.runStart = 0;
  }

  /** Flushes the pending pass-through run up to `upto` (the bytes scanned). */
  end(upto: number): void {
    if (!this.binary && !this.json && this.buf && upto > this.runStart) this.out.shared(this.buf, this.runStart, upto);
    this.buf = null;
    this.runStart = 0;
  }

  record(b: Buffer, start: number, end: number, termEnd: number, nf: number, line: number): void {
    const sc = this.scanner;
    const fs = sc.fs;
    const fe = sc.fe;
    const fl = sc.fl;
    // Blank lines and records of empty fields only (spreadsheet artefacts) are skipped.
    let blank = true;
    for (let k = 0; k < nf; k++) {
      if (fe[k] !== fs[k] || fl[k] !== 0) {
        blank = false;
        break;
      }
    }
    if (blank) {
      this.cut(start, termEnd);
      return;
    }
    const rec = ++this.records;
    this.lines.add(rec, line);
    if (nf !== this.nCols) {
      this.addReject(rec, line, null, this.text(b, start, Math.min(end, start + 200), F_HIGH), 'format', `${nf} fields, the header has ${this.nCols}`);
      this.rowRejected(rec);
      this.cut(start, termEnd);
      return;
    }
    const cols = this.columns;
    const rw = this.rewritten;
    const acc = this.acceptors;
    const mode = this.mode;
    const slowMask = this.slowMask;
    const xs = this.xs;
    let bad = false;
    let rewrite = this.rewriteAll;
    let rewrote = false;
    let recFlags = 0;
    for (let k = 0; k < nf; k++) {
      const m = mode[k];
      if (m === M_SKIP) continue;
      const s = fs[k];
      const e = fe[k];
      const f = fl[k];
      recFlags |= f;
      if (s === e) {
        if (m & M_REQUIRED) {
          this.addReject(rec, line, cols[k], this.json && f & F_QUOTED ? '' : null, 'required', 'a value is required');
          bad = true;
        }
        continue;
      }
      const sf = f & slowMask;
      if (sf === 0) {
        if ((m & M_CHECK) === 0) continue;
        const a = acc[k];
        if (a !== null && a(b, s, e)) {
          xs[k] = LAST_NUMBER[0];
          continue;
        }
      } else if (sf === F_ESCAPED && !this.json) {
        // A quoted field with doubled quotes ("" -> "), as CSV writers quote text: valid CSV for COPY as it
        // is, so it is checked on its unescaped bytes instead of being decoded (invalid UTF-8 in an unchecked
        // column is left to COPY, as for any other field).
        if ((m & M_CHECK) === 0) continue;
        const a = acc[k];
        if (a !== null) {
          const n = this.unescape(b, s, e);
          if (a(this.scratch, 0, n)) {
            xs[k] = LAST_NUMBER[0];
            continue;
          }
        }
      }
      xs[k] = NaN;
      const r = this.slow(b, k, s, e, f, rec, line);
      if (r === SLOW_BAD) bad = true;
      else if (r === SLOW_REWRITE) rewrite = rewrote = true;
    }
    if (bad) {
      rw.fill(undefined);
      this.rowRejected(rec);
      this.cut(start, termEnd);
      return;
    }
    this.emitted++;
    this.profileRecord(b, nf);
    if (this.binary) {
      this.tuple(b, nf);
      return;
    }
    if (recFlags & this.fixMask) rewrite = true;
    // The line terminator of COPY data must stay the same throughout.
    let eol = this.eol;
    if (eol === null) eol = this.eol = termEnd > end ? Buffer.from(b.subarray(end, termEnd)) : Buffer.from('\n');
    const termOk = termEnd === end || (termEnd - end === eol.length && (eol.length === 1 ? b[end] === eol[0] : b[end] === CR));
    if (!rewrite && termOk && !(nf === 1 && end - start === 2 && b[start] === 92 && b[start + 1] === 46)) return;
    // Rewrite this record.
    this.cut(start, termEnd);
    if (this.json && !rewrote) {
      this.jsonPlain(b, nf);
      return;
    }
    if (this.copyText) this.rewriteText(b, nf);
    else this.rewriteCsv(b, nf);
    this.out.raw(eol, 0, eol.length);
    rw.fill(undefined);
  }

  /**
   * An NDJSON record none of whose values was rewritten, as a CSV record: strings (no escapes, or they
   * would have been rewritten) with their quotes, numbers and booleans as they are, nulls empty; the
   * bytes copied in one loop.
   */
  private jsonPlain(b: Buffer, nf: number): void {
    const cols = this.columns;
    const sc = this.scanner;
    const fs = sc.fs;
    const fe = sc.fe;
    const fl = sc.fl;
    let need = nf + 1;
    for (let k = 0; k < nf; k++) need += fe[k] - fs[k] + 2;
    const out = this.out;
    const buf = out.room(need);
    let p = out.at;
    const D = this.D;
    let first = true;
    for (let k = 0; k < nf; k++) {
      if (cols[k].item === null) continue;
      if (!first) buf[p++] = D;
      first = false;
      let s = fs[k];
      let e = fe[k];
      if (fl[k] & F_QUOTED) {
        s--;
        e++;
      }
      // a loop: short values cost less than a call into Buffer.copy
      for (let i = s; i < e; i++) buf[p++] = b[i];
    }
    buf[p++] = LF;
    out.advance(p);
  }

  private rewriteCsv(b: Buffer, nf: number): void {
    const cols = this.columns;
    const sc = this.scanner;
    const fs = sc.fs;
    const fe = sc.fe;
    const fl = sc.fl;
    const rw = this.rewritten;
    const out = this.out;
    let first = true;
    for (let k = 0; k < nf; k++) {
      const col = cols[k];
      if (col.item === null) continue;
      if (!first) out.byte(this.D);
      first = false;
      const r = rw[k];
      if (r === null) continue;
      if (r !== undefined) {
        if (col.text || fl[k] & F_BAREQUOTE) {
          const q = quoteCsv(r, this.D);
          if (this.raw === 'utf8') out.str(q);
          else {
            const enc = iconv.encode(q, this.raw);
            out.raw(enc, 0, enc.length);
          }
        } else out.str(r);
        continue;
      }
      const s = fs[k];
      const e = fe[k];
      if (fl[k] & F_QUOTED) out.raw(b, s - 1, e + 1);
      else if (nf === 1 && e - s === 2 && b[s] === 92 && b[s + 1] === 46) out.str('"\\."');
      else out.raw(b, s, e);
    }
  }

  /** A record in COPY text format: NULL is the empty field; backslash, delimiter, CR and LF escaped. */
  private rewriteText(b: Buffer, nf: number): void {
    const cols = this.columns;
    const sc = this.scanner;
    const fs = sc.fs;
    const fe = sc.fe;
    const fl = sc.fl;
    const rw = this.rewritten;
    const out = this.out;
    let first = true;
    for (let k = 0; k < nf; k++) {
      const col = cols[k];
      if (col.item === null) continue;
      if (!first) out.byte(this.D);
      first = false;
      const r = rw[k];
      if (r === null) continue;
      if (r !== undefined) {
        out.str(escapeText(r, this.D));
        continue;
      }
      const s = fs[k];
      const e = fe[k];
      if (s === e) continue;
      const f = fl[k];
      if (f & (F_QUOTED | F_BACKSLASH)) out.str(escapeText(this.text(b, s, e, f), this.D));
      else out.raw(b, s, e);
    }
  }

  /** The string path of a value: decode, coerce (rewrite or reject). */
  private slow(b: Buffer, k: number, s: number, e: number, f: number, rec: number, line: number): number {
    const col = this.columns[k];
    if (f & (F_GARBAGE | F_NUL)) {
      const v = this.text(b, f & F_GARBAGE ? s - 1 : s, e, (f | F_HIGH) & ~F_ESCAPED);
      this.addReject(rec, line, col, v, 'format', f & F_NUL ? 'contains a NUL byte' : 'text after the closing quote');
      return SLOW_BAD;
    }
    const v = this.text(b, s, e, f);
    if (f & F_HIGH && v.indexOf('\ufffd') >= 0 && (this.transcoded || this.raw !== 'utf8' || !isUtf8(b.subarray(s, e)))) {
      throw new LoadError('encoding', `invalid byte sequence at line ${line}, column ${col.header}`, { line, column: col.header });
    }
    // A JSON escape can spell a NUL, which only the coercer rejects for text without other rules.
    const r = col.check || (this.json && f & F_ESCAPED) ? col.coerce!(v) : v;
    if (typeof r !== 'string') {
      if (!col.text && v.trim() === '') {
        if (col.required) {
          this.addReject(rec, line, col, v, 'required', 'a value is required');
          return SLOW_BAD;
        }
        this.rewritten[k] = null;
        return SLOW_REWRITE;
      }
      this.addReject(rec, line, col, v, (r as Fail).rule, (r as Fail).message);
      return SLOW_BAD;
    }
    if (r !== v || (!this.copyText && f & F_BAREQUOTE) || (this.json && f & F_ESCAPED)) {
      this.rewritten[k] = r;
      return SLOW_REWRITE;
    }
    return SLOW_OK;
  }

  /** Ends the pass-through run before `start` and resumes it after `termEnd`. */
  private cut(start: number, termEnd: number): void {
    if (!this.binary && !this.json && start > this.runStart) this.out.shared(this.buf!, this.runStart, start);
    this.runStart = termEnd;
  }
}

const TEXT_SPECIAL = /[\\\r\n]/;

/** A value in COPY text format with `delimiter`. */
export function escapeText(v: string, delimiter: number): string {
  const d = String.fromCharCode(delimiter);
  if (!TEXT_SPECIAL.test(v) && v.indexOf(d) < 0) return v;
  let out = '';
  for (const ch of v) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === d) out += '\\' + d;
    else out += ch;
  }
  return out;
}

export function quoteCsv(v: string, delimiter: number): string {
  const d = String.fromCharCode(delimiter);
  if (v.indexOf('"') >= 0 || v.indexOf(d) >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0 || v === '\\.')
    return '"' + v.replace(/"/g, '""') + '"';
  return v;
}

export type { FileColumn };
