/**
 * NDJSON and JSON arrays, streamed. Records are objects (fields named by keys) or, for a JSON array
 * whose first element is an array of strings, positional rows after that header row. Numbers keep
 * their source text (no float rounding); nested objects/arrays keep their JSON text.
 */
import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import type { FormatReader } from './format-reader.ts';
import { JsonNumber, RawJson } from './coerce.ts';
import { CsvSink } from './csv.ts';
import { NdjsonScanner } from './ndjson.ts';
import { fileColumn, type ColumnResolver } from './plan.ts';
import { Sink, type FileColumn, type SinkOptions } from './sink.ts';
import { detectEncoding, utf8Chunks, type ByteSource } from './source.ts';
import { LoadError, type LoadOptions } from './types.ts';


export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const NUM_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** An object record: keys and values in source order. */
export interface JsonRecord {
  keys: string[];
  vals: unknown[];
}

/** Parses one JSON value from s[i..end), numbers exact, the top-level object as a JsonRecord. */
export class ExactJson {
  private i = 0;
  constructor(private readonly s: string) {}

  parseRecord(): unknown {
    this.ws();
    const c = this.s.charCodeAt(this.i);
    let v: unknown;
    if (c === 123) v = this.object(true);
    else if (c === 91) v = this.array(true);
    else v = this.value();
    this.ws();
    if (this.i < this.s.length) throw new JsonSyntaxError(`unexpected ${JSON.stringify(this.s[this.i])}`, this.i);
    return v;
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.i++;
      else break;
    }
  }

  private value(): unknown {
    this.ws();
    const s = this.s;
    const c = s.charCodeAt(this.i);
    if (c === 34) return this.string();
    if (c === 123 || c === 91) {
      const start = this.i;
      if (c === 123) this.object(false);
      else this.array(false);
      return new RawJson(s.slice(start, this.i));
    }
    if (s.startsWith('true', this.i)) {
      this.i += 4;
      return true;
    }
    if (s.startsWith('false', this.i)) {
      this.i += 5;
      return false;
    }
    if (s.startsWith('null', this.i)) {
      this.i += 4;
      return null;
    }
    NUM_RE.lastIndex = this.i;
    const m = NUM_RE.exec(s);
    if (!m) throw new JsonSyntaxError(this.i >= s.length ? 'unexpected end' : `unexpected ${JSON.stringify(s[this.i])}`, this.i);
    this.i += m[0].length;
    return new JsonNumber(m[0]);
  }

  private string(): string {
    const s = this.s;
    const start = this.i;
    let j = start + 1;
    let esc = false;
    for (;;) {
      const q = s.indexOf('"', j);
      if (q < 0) throw new JsonSyntaxError('unterminated string', start);
      let k = q - 1;
      let bs = 0;
      while (k > start && s.charCodeAt(k) === 92) {
        bs++;
        k--;
      }
      if (bs % 2 === 1) {
        esc = true;
        j = q + 1;
        continue;
      }
      this.i = q + 1;
      const raw = s.slice(start + 1, q);
      if (!esc && raw.indexOf('\\') < 0) {
        for (let x = 0; x < raw.length; x++) if (raw.charCodeAt(x) < 32) throw new JsonSyntaxError('control character in string', start + 1 + x);
        return raw;
      }
      try {
        return JSON.parse(s.slice(start, q + 1)) as string;
      } catch {
        throw new JsonSyntaxError('bad string escape', start);
      }
    }
  }

  private object(top: boolean): JsonRecord | null {
    const s = this.s;
    this.i++; // {
    const keys: string[] = [];
    const vals: unknown[] = [];
    this.ws();
    if (s.charCodeAt(this.i) === 125) {
      this.i++;
      return top ? { keys, vals } : null;
    }
    for (;;) {
      this.ws();
      if (s.charCodeAt(this.i) !== 34) throw new JsonSyntaxError('expected a key', this.i);
      const k = this.string();
      this.ws();
      if (s.charCodeAt(this.i) !== 58) throw new JsonSyntaxError('expected ":"', this.i);
      this.i++;
      const v = this.value();
      if (top) {
        keys.push(k);
        vals.push(v);
      }
      this.ws();
      const c = s.charCodeAt(this.i);
      this.i++;
      if (c === 44) continue;
      if (c === 125) break;
      throw new JsonSyntaxError('expected "," or "}"', this.i - 1);
    }
    return top ? { keys, vals } : null;
  }

  private array(top: boolean): unknown[] | null {
    const s = this.s;
    this.i++; // [
    const out: unknown[] = [];
    this.ws();
    if (s.charCodeAt(this.i) === 93) {
      this.i++;
      return top ? out : null;
    }
    for (;;) {
      const v = this.value();
      if (top) out.push(v);
      this.ws();
      const c = s.charCodeAt(this.i);
      this.i++;
      if (c === 44) continue;
      if (c === 93) break;
      throw new JsonSyntaxError('expected "," or "]"', this.i - 1);
    }
    return top ? out : null;
  }
}

/** End offset of the JSON value starting at `from` (a non-space character), or -1 if `text` ends first. */
function valueEnd(text: string, from: number, eof: boolean): number {
  const c = text.charCodeAt(from);
  if (c === 123 || c === 91) {
    let depth = 0;
    for (let i = from; i < text.length; i++) {
      const x = text.charCodeAt(i);
      if (x === 34) {
        i = stringEnd(text, i);
        if (i < 0) return -1;
      } else if (x === 123 || x === 91) depth++;
      else if (x === 125 || x === 93) {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }
  if (c === 34) {
    const e = stringEnd(text, from);
    return e < 0 ? -1 : e + 1;
  }
  let i = from;
  while (i < text.length) {
    const x = text.charCodeAt(i);
    if (x === 44 || x === 93 || x === 125 || x === 32 || x === 10 || x === 13 || x === 9) return i;
    i++;
  }
  return eof ? i : -1;
}

/** Index of the closing quote of the string starting at `from`, or -1. */
function stringEnd(text: string, from: number): number {
  let i = from + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) return -1;
    let k = q - 1;
    let bs = 0;
    while (k > from && text.charCodeAt(k) === 92) {
      bs++;
      k--;
    }
    if (bs % 2 === 0) return q;
    i = q + 1;
  }
}

function countLines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

interface Rec {
  v: unknown;
  line: number;
}

const HEADER_SAMPLE = 1000;

export class JsonReader implements FormatReader {
  encoding = 'utf8';
  readonly allItems = true;
  private text = '';
  private pos = 0;
  private line = 1;
  private eof = false;
  private started = false;
  private chunks!: AsyncGenerator<Buffer>;
  private dec = new StringDecoder('utf8');
  private invalidText = false;
  private sample: Rec[] = [];
  /** Array rows: the header came from the first row. */
  private positional = false;
  private header: string[] = [];
  private sink!: Sink;
  private keyIndex = new Map<string, number>();
  private resolver!: ColumnResolver;
  private done = false;
  /**
   * UTF-8 NDJSON: the header sample is read from the peeked head, and every record from the bytes by
   * the NDJSON scanner into a CSV sink whose columns are the COPY columns (then any skipped keys).
   */
  private fast = false;
  private scanner: NdjsonScanner | null = null;
  private csvSink: CsvSink | null = null;
  /** Fast path: COPY columns a key already fills. */
  private claimed: boolean[] = [];

  constructor(
    private readonly src: ByteSource,
    private readonly opts: LoadOptions,
    private readonly nd: boolean,
  ) {}

  private async more(): Promise<boolean> {
    if (this.eof) return false;
    const r = await this.chunks.next();
    if (r.done) {
      this.eof = true;
      const tail = this.dec.end();
      if (tail) this.text += tail;
      return tail.length > 0;
    }
    const s = this.dec.write(r.value);
    if (s.indexOf('\ufffd') >= 0 && (this.encoding !== 'utf8' || r.value.indexOf(REPLACEMENT) < 0)) this.invalidText = true;
    // Drop what was read before appending: the next search flattens the whole string, so a long
    // consumed head would be copied again for every chunk.
    this.text = this.pos > 0 ? this.text.slice(this.pos) + s : this.text + s;
    this.pos = 0;
    return true;
  }

  /** The next record, or null at the end. */
  private async next(): Promise<Rec | null> {
    if (this.done) return null;
    return this.nd ? this.nextLine() : this.nextElement();
  }

  private async nextLine(): Promise<Rec | null> {
    for (;;) {
      let nl = this.text.indexOf('\n', this.pos);
      while (nl < 0 && !this.eof) {
        await this.more();
        nl = this.text.indexOf('\n', this.pos);
      }
      const end = nl < 0 ? this.text.length : nl;
      const lineText = this.text.slice(this.pos, end);
      const line = this.line;
      this.pos = nl < 0 ? this.text.length : nl + 1;
      this.line++;
      if (lineText.trim() === '') {
        if (nl < 0) {
          this.done = true;
          return null;
        }
        continue;
      }
      return { v: this.parse(lineText, line), line };
    }
  }

  private parse(t: string, line: number): unknown {
    try {
      return new ExactJson(t).parseRecord();
    } catch (e) {
      if (e instanceof JsonSyntaxError) {
        const l = line + countLines(t, 0, e.offset);
        const col = e.offset - (t.lastIndexOf('\n', e.offset - 1) + 1) + 1;
        throw new LoadError('parse', `JSON syntax error at line ${l}, column ${col}: ${e.message}`, { line: l });
      }
      throw e;
    }
  }

  private skipWs(): void {
    const t = this.text;
    let i = this.pos;
    while (i < t.length) {
      const c = t.charCodeAt(i);
      if (c === 10) this.line++;
      else if (c !== 32 && c !== 13 && c !== 9 && c !== 0xfeff) break;
      i++;
    }
    this.pos = i;
  }

  private async nextElement(): Promise<Rec | null> {
    if (!this.started) {
      this.started = true;
      for (;;) {
        this.skipWs();
        if (this.pos < this.text.length || !(await this.more())) break;
      }
      if (this.text[this.pos] !== '[') throw new LoadError('parse', `a JSON array was expected at line ${this.line}`, { line: this.line });
      this.pos++;
      for (;;) {
        this.skipWs();
        if (this.pos < this.text.length || !(await this.more())) break;
      }
      if (this.text[this.pos] === ']') {
        this.pos++;
        this.done = true;
        return null;
      }
    } else {
      for (;;) {
        this.skipWs();
        if (this.pos < this.text.length || !(await this.more())) break;
      }
      const c = this.text[this.pos];
      if (c === ']') {
        this.pos++;
        for (;;) {
          this.skipWs();
          if (this.pos < this.text.length || !(await this.more())) break;
        }
        if (this.pos < this.text.length) throw new LoadError('parse', `unexpected text after the JSON array at line ${this.line}`, { line: this.line });
        this.done = true;
        return null;
      }
      if (c !== ',') throw new LoadError('parse', `"," or "]" expected at line ${this.line}`, { line: this.line });
      this.pos++;
      for (;;) {
        this.skipWs();
        if (this.pos < this.text.length || !(await this.more())) break;
      }
    }
    if (this.pos >= this.text.length) throw new LoadError('parse', `the JSON array is not closed (line ${this.line})`, { line: this.line });
    let end = valueEnd(this.text, this.pos, this.eof);
    while (end < 0) {
      if (!(await this.more())) throw new LoadError('parse', `the JSON value at line ${this.line} is not closed`, { line: this.line });
      end = valueEnd(this.text, this.pos, this.eof);
    }
    const line = this.line;
    const t = this.text.slice(this.pos, end);
    this.line += countLines(this.text, this.pos, end);
    this.pos = end;
    return { v: this.parse(t, line), line };
  }

  /** The first HEADER_SAMPLE records (at most 64 MB) of the head, without consuming it. */
  private async peekSample(): Promise<void> {
    let head = await this.src.peek(1 << 20);
    for (;;) {
      let lines = 0;
      for (let i = head.indexOf(10); i >= 0 && lines <= HEADER_SAMPLE; i = head.indexOf(10, i + 1)) lines++;
      if (lines > HEADER_SAMPLE || this.src.exhausted || head.length >= 1 << 26) break;
      head = await this.src.peek(head.length * 2);
    }
    const complete = this.src.exhausted ? head.length : head.lastIndexOf(10) + 1;
    this.text = head.toString('utf8', head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0, complete);
    this.eof = true;
  }

  async open(): Promise<string[]> {
    const enc = await detectEncoding(this.src, this.opts.encoding);
    this.encoding = enc;
    this.fast = this.nd && enc === 'utf8';
    if (this.fast) await this.peekSample();
    else this.chunks = utf8Chunks(this.src, enc);
    const keys: string[] = [];
    const seen = new Set<string>();
    for (let n = 0; n < HEADER_SAMPLE; n++) {
      const r = await this.next();
      if (!r) break;
      if (n === 0 && !this.nd && Array.isArray(r.v)) {
        this.positional = true;
        for (const h of r.v) {
          if (typeof h !== 'string') throw new LoadError('parse', 'the header row of a JSON array of arrays must be strings');
          keys.push(h);
        }
        break;
      }
      this.sample.push(r);
      const rec = r.v as JsonRecord;
      if (rec && Array.isArray((rec as JsonRecord).keys))
        for (const k of rec.keys)
          if (!seen.has(k)) {
            seen.add(k);
            keys.push(k);
          }
    }
    this.header = keys;
    if (keys.length === 0) throw new LoadError('parse', 'no records with fields were found');
    if (this.fast) {
      // The records are read again, from the first, by run().
      this.sample = [];
      this.text = '';
      this.pos = 0;
      this.line = 1;
      this.eof = false;
      this.done = false;
    }
    return keys;
  }

  makeSink(o: SinkOptions, resolver: ColumnResolver): Sink {
    this.resolver = resolver;
    if (this.fast) return this.makeFastSink(o);
    this.sink = new Sink(o);
    this.header.forEach((h, i) => this.keyIndex.set(h, i));
    return this.sink;
  }

  /**
   * A CSV sink over one column per COPY column, in COPY order (every item: JSON records need not name them
   * all), then one per skipped key; the scanner puts each key's value in its column.
   */
  private makeFastSink(o: SinkOptions): Sink {
    const cols: FileColumn[] = o.copyItems.map((it, i) => {
      const c = o.columns.find((x) => x.item === it);
      return c ? { ...c, index: i, copyIndex: i } : fileColumn(i, it.name, it, i);
    });
    this.claimed = o.copyItems.map(() => false);
    const slotOf: number[] = [];
    o.columns.forEach((c) => {
      if (c.item) {
        slotOf.push(o.copyItems.indexOf(c.item));
        this.claimed[o.copyItems.indexOf(c.item)] = true;
      } else {
        slotOf.push(cols.length);
        cols.push({ ...c, index: cols.length, copyIndex: -1 });
      }
    });
    const sc = (this.scanner = new NdjsonScanner(cols.length));
    this.header.forEach((h, i) => {
      this.keyIndex.set(h, slotOf[i]);
      sc.setKey(slotOf[i], h);
    });
    this.csvSink = new CsvSink(sc, { ...o, columns: cols, transcoded: false, raw: 'utf8', binary: false, json: true });
    this.sink = this.csvSink;
    return this.sink;
  }

  /** A key seen for the first time after the header sample. */
  private addKey(k: string, line: number): number {
    const it = this.resolver.resolve(k);
    if (this.fast && it) {
      const slot = this.sink.copyItems.indexOf(it);
      if (this.claimed[slot]) throw new LoadError('duplicate-columns', `${JSON.stringify(k)} maps to ${it.name}, which another key already fills`);
      this.claimed[slot] = true;
      this.keyIndex.set(k, slot);
      this.scanner!.setKey(slot, k);
      this.sink.columns[slot].header = k;
      return slot;
    }
    if (it === undefined)
      throw new LoadError('unknown-columns', `unknown column ${JSON.stringify(k)} (first seen at line ${line})`, {
        columns: [k],
        unknownColumns: [k],
        missingColumns: [],
        line,
      });
    const cols = this.sink.columns;
    if (it && cols.some((c) => c.item === it)) throw new LoadError('duplicate-columns', `${JSON.stringify(k)} maps to ${it.name}, which another key already fills`);
    const idx = cols.length;
    cols.push(fileColumn(idx, k, it, it ? this.sink.copyItems.indexOf(it) : -1));
    this.keyIndex.set(k, idx);
    return idx;
  }

  private feed(r: Rec): void {
    const sink = this.sink;
    const v = r.v;
    if (this.invalidText && containsReplacement(v)) throw new LoadError('encoding', `invalid byte sequence in the record at line ${r.line}`, { line: r.line });
    if (this.positional) {
      if (!Array.isArray(v)) {
        sink.badRecord(r.line, JSON.stringify(v)?.slice(0, 200) ?? null, 'a row of the JSON array is not an array');
        return;
      }
      if (v.length !== this.header.length) {
        sink.badRecord(r.line, JSON.stringify(v).slice(0, 200), `${v.length} values, the header has ${this.header.length}`);
        return;
      }
      sink.values(v, r.line);
      return;
    }
    const rec = v as JsonRecord;
    if (!rec || typeof rec !== 'object' || !Array.isArray(rec.keys)) {
      sink.badRecord(r.line, v instanceof RawJson ? v.text : JSON.stringify(v)?.slice(0, 200) ?? null, 'the record is not a JSON object');
      return;
    }
    const vals: unknown[] = new Array(sink.columns.length);
    for (let k = 0; k < rec.keys.length; k++) {
      let idx = this.keyIndex.get(rec.keys[k]);
      if (idx === undefined) {
        idx = this.addKey(rec.keys[k], r.line);
        vals.length = sink.columns.length;
      }
      vals[idx] = rec.vals[k];
    }
    sink.values(vals, r.line);
  }

  /** A line the NDJSON scanner did not read: parsed exactly, as the other formats' records are. */
  private slowLine(b: Buffer, s: number, e: number, line: number): void {
    const t = b.toString('utf8', s, e);
    if (t.indexOf('\ufffd') >= 0 && !isUtf8(b.subarray(s, e))) throw new LoadError('encoding', `invalid byte sequence in the record at line ${line}`, { line });
    if (t.trim() === '') return;
    const emitted = this.sink.emitted;
    this.feed({ v: this.parse(t, line), line });
    if (this.sink.emitted !== emitted) this.csvSink!.profiled = false;
  }

  /** UTF-8 NDJSON, line by line from the bytes. */
  private async runFast(tick: () => Promise<void>): Promise<void> {
    const sc = this.scanner!;
    const sink = this.csvSink!;
    const n = sink.columns.length;
    let rest: Buffer = Buffer.alloc(0);
    // Chunks of a line longer than a read wait here, joined once the line ends (linear in its length).
    let held: Buffer[] = [];
    let line = 1;
    for await (const chunk of utf8Chunks(this.src, 'utf8')) {
      if (chunk.indexOf(10) < 0) {
        held.push(chunk);
        continue;
      }
      const b = chunk;
      let p = 0;
      if (rest.length || held.length) {
        // The line cut at the end of the last read, joined alone: the read itself is not copied.
        const nl = chunk.indexOf(10);
        const head = Buffer.concat([rest, ...held, chunk.subarray(0, nl + 1)]);
        held = [];
        const e = head.length - 1;
        const r = isUtf8(head.subarray(0, e)) ? sc.line(head, 0, e) : -1;
        if (r > 0) sink.record(head, 0, e, e, n, line);
        else if (r < 0) this.slowLine(head, 0, e, line);
        line++;
        p = nl + 1;
      }
      const last = b.lastIndexOf(10);
      // Lines with bytes that are not UTF-8 go to the exact parser, which reports them.
      const valid = isUtf8(b.subarray(p, last));
      while (p <= last) {
        const nl = b.indexOf(10, p);
        const r = valid || isUtf8(b.subarray(p, nl)) ? sc.line(b, p, nl) : -1;
        if (r > 0) {
          // The columns are fixed at this point; a key first seen later is read by the exact parser.
          sink.record(b, p, nl, nl, n, line);
        } else if (r < 0) this.slowLine(b, p, nl, line);
        line++;
        p = nl + 1;
      }
      rest = b.subarray(last + 1);
      await tick();
    }
    if (held.length) rest = Buffer.concat([rest, ...held]);
    if (rest.length) {
      const r = isUtf8(rest) ? sc.line(rest, 0, rest.length) : -1;
      if (r > 0) sink.record(rest, 0, rest.length, rest.length, n, line);
      else if (r < 0) this.slowLine(rest, 0, rest.length, line);
    }
  }

  async run(tick: () => Promise<void>): Promise<void> {
    if (this.fast) return this.runFast(tick);
    for (const r of this.sample) this.feed(r);
    this.sample = [];
    let n = 0;
    for (;;) {
      const r = await this.next();
      if (!r) break;
      this.feed(r);
      if (++n % 4096 === 0) await tick();
    }
  }
}

const REPLACEMENT = Buffer.from('\ufffd', 'utf8');

function containsReplacement(v: unknown): boolean {
  if (typeof v === 'string') return v.indexOf('\ufffd') >= 0;
  if (Array.isArray(v)) return v.some(containsReplacement);
  if (v && typeof v === 'object' && Array.isArray((v as JsonRecord).vals)) return (v as JsonRecord).vals.some(containsReplacement);
  if (v instanceof RawJson) return v.text.indexOf('\ufffd') >= 0;
  return false;
}
