/**
 * Scanners for the two large parts of a workbook, a sheet and the shared strings. A generic SAX pass
 * (saxes) looked at every character as a string and built every tag's attributes: a third of a load's CPU.
 * These work on the inflated bytes: tags are found with `indexOf('<')`, only the elements a reader needs
 * are told apart (by their local name, so `x:c` is `c`), only the attributes it needs are read, from the
 * bytes, and only the text it keeps is decoded. A tag or text cut by a chunk's end is carried into the
 * next chunk, so memory is bounded by the longest tag or text, never by the part.
 *
 * They are not validating parsers: mismatched tags are not caught (an unclosed element at the end of the
 * part is), a lone `&` is kept as it is; an undefined entity is refused, as saxes refused it.
 */

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const COLON = 0x3a;
const AMP = 0x26;

/** Buffer's own UTF-8 decoder, without `toString`'s argument checks and encoding look-up (a tenth of a sheet's CPU went there). */
export type Utf8Slice = Buffer & { utf8Slice(start: number, end: number): string };

const isSpace = (k: number) => k === 0x20 || k === 0x0a || k === 0x09 || k === 0x0d;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCE = /&(#[xX][0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*);/g;

function reference(_: string, ref: string): string {
  if (ref.charCodeAt(0) === 0x23) {
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (!(code > 0 && code <= 0x10ffff)) throw new Error(`invalid character reference &${ref};`);
    return String.fromCodePoint(code);
  }
  const e = ENTITIES[ref];
  if (e === undefined) throw new Error(`undefined entity &${ref};`);
  return e;
}

/** Raw XML text to its value: line ends normalised as XML requires (before references, so `&#13;` stays), then references. */
export function xmlText(raw: string): string {
  if (raw.indexOf('\r') >= 0) raw = raw.replace(/\r\n?/g, '\n');
  return raw.indexOf('&') >= 0 ? raw.replace(REFERENCE, reference) : raw;
}

/** Start of a name's local part (after its prefix, if any). */
function localStart(b: Buffer, s: number, e: number): number {
  for (let i = s; i < e; i++) if (b[i] === COLON) return i + 1;
  return s;
}

/** Whether b[s, e) is the ASCII word w. */
function is(b: Buffer, s: number, e: number, w: string): boolean {
  if (e - s !== w.length) return false;
  for (let i = 0; i < w.length; i++) if (b[s + i] !== w.charCodeAt(i)) return false;
  return true;
}

/**
 * The tag and text loop shared by both scanners. A subclass is told of the elements opened and closed
 * (`name` and `end` delimit the local name; attributes are in [end, tagEnd)) and of text while `keep` is set.
 */
abstract class XmlScanner {
  /** Set while the text at this point is wanted (a cell's value, a string's text). */
  protected keep = false;
  /** The unfinished tag or text carried from the previous chunk is work[0, rest). */
  private work = Buffer.alloc(0);
  private rest = 0;
  private depth = 0;

  protected abstract open(b: Buffer, name: number, end: number, tagEnd: number): void;
  protected abstract close(b: Buffer, name: number, end: number): void;
  protected abstract text(s: string): void;

  protected scan(chunk: Buffer): void {
    let b = chunk;
    if (this.rest > 0) {
      const n = this.rest + chunk.length;
      if (this.work.length < n) this.work = Buffer.concat([this.work.subarray(0, this.rest)], n * 2);
      chunk.copy(this.work, this.rest);
      b = this.work.subarray(0, n);
    }
    const n = b.length;
    let pos = 0;
    while (pos < n) {
      const lt = b.indexOf(LT, pos);
      if (lt < 0) {
        if (!this.keep) pos = n;
        break;
      }
      if (lt > pos && this.keep) this.text(xmlText((b as Utf8Slice).utf8Slice(pos, lt)));
      pos = lt;
      const next = this.tag(b, lt, n);
      if (next < 0) break;
      pos = next;
    }
    this.rest = n - pos;
    if (this.rest === 0) return;
    if (this.work.length < this.rest) this.work = Buffer.allocUnsafe(this.rest * 2);
    b.copy(this.work, 0, pos, n);
  }

  /** Checks that the part ended between tags, with every element closed. */
  protected finish(): void {
    if (this.rest > 0 || this.depth !== 0) throw new Error('the XML part ends inside an element');
  }

  /** Reads the tag at b[lt]; returns the index after it, or -1 when it is cut by the chunk's end. */
  private tag(b: Buffer, lt: number, n: number): number {
    if (lt + 1 >= n) return -1;
    const k = b[lt + 1];
    if (k === SLASH) {
      const gt = b.indexOf(GT, lt + 2);
      if (gt < 0) return -1;
      let e = lt + 2;
      while (e < gt && !isSpace(b[e])) e++;
      this.depth--;
      this.close(b, localStart(b, lt + 2, e), e);
      return gt + 1;
    }
    if (k === BANG) return this.markup(b, lt, n);
    if (k === QUESTION) {
      const e = b.indexOf('?>', lt + 2);
      return e < 0 ? -1 : e + 2;
    }
    let e = lt + 1;
    while (e < n) {
      const c = b[e];
      if (c === GT || c === SLASH || isSpace(c)) break;
      e++;
    }
    // The tag's end: the first '>' outside quotes (an attribute value may hold one).
    let i = e;
    for (;;) {
      if (i >= n) return -1;
      const c = b[i];
      if (c === GT) break;
      if (c === DQUOTE || c === SQUOTE) {
        const q = b.indexOf(c, i + 1);
        if (q < 0) return -1;
        i = q + 1;
      } else i++;
    }
    const name = localStart(b, lt + 1, e);
    if (b[i - 1] === SLASH) {
      this.open(b, name, e, i - 1);
      this.close(b, name, e);
    } else {
      this.depth++;
      this.open(b, name, e, i);
    }
    return i + 1;
  }

  /** `<!--...-->`, `<![CDATA[...]]>` (text, when kept) or a declaration. */
  private markup(b: Buffer, lt: number, n: number): number {
    if (lt + 4 > n) return -1;
    if (b[lt + 2] === 0x2d && b[lt + 3] === 0x2d) {
      const e = b.indexOf('-->', lt + 4);
      return e < 0 ? -1 : e + 3;
    }
    if (b[lt + 2] === 0x5b /* [ */) {
      if (lt + 9 > n) return -1;
      if (!is(b, lt + 2, lt + 9, '[CDATA[')) throw new Error('a malformed CDATA section');
      const e = b.indexOf(']]>', lt + 9);
      if (e < 0) return -1;
      if (this.keep) {
        const raw = b.toString('utf8', lt + 9, e);
        this.text(raw.indexOf('\r') >= 0 ? raw.replace(/\r\n?/g, '\n') : raw);
      }
      return e + 3;
    }
    const e = b.indexOf(GT, lt + 2);
    return e < 0 ? -1 : e + 1;
  }
}

/** The attribute found by `attribute`: name [A[0], A[1]), value [A[2], A[3]). */
const A = new Int32Array(4);

/** Finds the first attribute in b[i, e) (a tag's attributes, quotes balanced) into A; returns the index after it, or -1. */
function attribute(b: Buffer, i: number, e: number): number {
  while (i < e && isSpace(b[i])) i++;
  if (i >= e) return -1;
  A[0] = i;
  while (i < e && b[i] !== 0x3d && !isSpace(b[i])) i++;
  A[1] = i;
  while (i < e && b[i] !== DQUOTE && b[i] !== SQUOTE) i++;
  if (i >= e) return -1;
  A[2] = i + 1;
  A[3] = b.indexOf(b[i], i + 1);
  return A[3] + 1;
}

/** An attribute value's text (references decoded); the slow path when its bytes hold a reference. */
const attrText = (b: Buffer, s: number, e: number) => xmlText(b.toString('utf8', s, e));

function hasAmp(b: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (b[i] === AMP) return true;
  return false;
}

/** An unsigned decimal attribute from its bytes, else `Number` of its text (as the SAX reader did). */
function numberAttr(b: Buffer, s: number, e: number): number {
  let n = 0;
  for (let i = s; i < e; i++) {
    const d = b[i] - 0x30;
    if (d < 0 || d > 9) return Number(attrText(b, s, e));
    n = n * 10 + d;
  }
  return n;
}

/** Column index (0-based) of a cell reference such as "AB12" in b[s, e): its leading letters; -1 without any. */
function column(b: Buffer, s: number, e: number): number {
  let c = 0;
  for (let i = s; i < e; i++) {
    const k = b[i];
    if (k >= 65 && k <= 90) c = c * 26 + (k - 64);
    else if (k >= 97 && k <= 122) c = c * 26 + (k - 96);
    else break;
  }
  return c - 1;
}

function columnAttr(b: Buffer, s: number, e: number): number {
  if (!hasAmp(b, s, e)) return column(b, s, e);
  const ref = Buffer.from(attrText(b, s, e));
  return column(ref, 0, ref.length);
}

const CELL_TYPES = ['s', 'n', 'b', 'e', 'd', 'str', 'inlineStr'];

/** A cell's `t`: one of Excel's types without a string made for it, else its text. */
function typeAttr(b: Buffer, s: number, e: number): string {
  for (const t of CELL_TYPES) if (is(b, s, e, t)) return t;
  return attrText(b, s, e);
}

export interface SheetRow {
  /** The sheet row number (1-based), as Excel shows it. */
  number: number;
  /** Cell values from column A; a missing cell is null. */
  cells: unknown[];
}

/** A cell's value from its type (`t`, default `n`), style index (`s`), `<v>` text and inline string. */
export type CellValue = (t: string, style: number, v: string | null, inline: string | null) => unknown;

const NONE = 0;
const INTO_V = 1;
const INTO_INLINE = 2;

/**
 * The rows of a SpreadsheetML sheet part: `<row r>` (numbered by order without `r`), `<c r t s>` (placed by
 * order without `r`), a cell's `<v>` (a formula's cached value; `<f>` is not read) or inline string
 * `<is>` (its `<t>`, or its rich-text runs' `<t>` joined, phonetic `<rPh>` runs left out).
 */
export class SheetScanner extends XmlScanner {
  private out: SheetRow[] = [];
  private row: SheetRow | null = null;
  private rowNumber = 0;
  private col = -1;
  private t = 'n';
  private style = 0;
  private v: string | null = null;
  private inline: string | null = null;
  private into = NONE;
  private rph = 0;

  constructor(private readonly value: CellValue) {
    super();
  }

  /** Scans the next chunk; returns the rows it finished. */
  push(chunk: Buffer): SheetRow[] {
    this.scan(chunk);
    const out = this.out;
    this.out = [];
    return out;
  }

  /** The end of the part. */
  end(): void {
    this.finish();
  }

  protected open(b: Buffer, name: number, end: number, tagEnd: number): void {
    switch (end - name) {
      case 1: {
        const k = b[name];
        if (k === 0x63 /* c */) this.openCell(b, end, tagEnd);
        else if (k === 0x76 /* v */) {
          this.into = INTO_V;
          this.keep = true;
          this.v = '';
        } else if (k === 0x74 /* t */ && this.inline !== null && this.rph === 0) {
          this.into = INTO_INLINE;
          this.keep = true;
        }
        return;
      }
      case 2:
        if (b[name] === 0x69 && b[name + 1] === 0x73 /* is */) this.inline = '';
        return;
      case 3:
        if (is(b, name, end, 'row')) this.openRow(b, end, tagEnd);
        else if (is(b, name, end, 'rPh')) this.rph++;
        return;
    }
  }

  private openRow(b: Buffer, s: number, e: number): void {
    let r: number | null = null;
    for (let i = attribute(b, s, e); i >= 0; i = attribute(b, i, e)) {
      if (A[1] - A[0] === 1 && b[A[0]] === 0x72 /* r */ && A[3] > A[2]) r = numberAttr(b, A[2], A[3]);
    }
    this.rowNumber = r ?? this.rowNumber + 1;
    this.row = { number: this.rowNumber, cells: [] };
    this.col = -1;
  }

  private openCell(b: Buffer, s: number, e: number): void {
    let col = -1;
    this.t = 'n';
    this.style = 0;
    for (let i = attribute(b, s, e); i >= 0; i = attribute(b, i, e)) {
      if (A[1] - A[0] !== 1) continue;
      const k = b[A[0]];
      if (k === 0x72 /* r */) col = columnAttr(b, A[2], A[3]);
      else if (k === 0x74 /* t */) this.t = typeAttr(b, A[2], A[3]);
      else if (k === 0x73 /* s */ && A[3] > A[2]) this.style = numberAttr(b, A[2], A[3]);
    }
    this.col = col >= 0 ? col : this.col + 1;
    this.v = null;
    this.inline = null;
  }

  protected close(b: Buffer, name: number, end: number): void {
    switch (end - name) {
      case 1: {
        const k = b[name];
        if (k === 0x76 /* v */ || k === 0x74 /* t */) {
          this.into = NONE;
          this.keep = false;
        } else if (k === 0x63 /* c */ && this.row !== null) {
          const cells = this.row.cells;
          while (cells.length < this.col) cells.push(null);
          cells[this.col] = this.value(this.t, this.style, this.v, this.inline);
        }
        return;
      }
      case 3:
        if (is(b, name, end, 'row')) {
          if (this.row !== null) this.out.push(this.row);
          this.row = null;
        } else if (is(b, name, end, 'rPh')) this.rph--;
        return;
    }
  }

  protected text(s: string): void {
    if (this.into === INTO_V) this.v += s;
    else this.inline += s;
  }
}

/** Each `<si>`'s text of a shared-strings part: its `<t>`, or its rich-text runs' `<t>` joined (phonetic `<rPh>` runs left out). */
export class SharedStringScanner extends XmlScanner {
  private cur: string | null = null;
  private rph = 0;

  constructor(private readonly add: (s: string) => void) {
    super();
  }

  push(chunk: Buffer): void {
    this.scan(chunk);
  }

  end(): void {
    this.finish();
  }

  protected open(b: Buffer, name: number, end: number): void {
    if (is(b, name, end, 'si')) this.cur = '';
    else if (is(b, name, end, 'rPh')) this.rph++;
    else if (end - name === 1 && b[name] === 0x74 /* t */ && this.cur !== null && this.rph === 0) this.keep = true;
  }

  protected close(b: Buffer, name: number, end: number): void {
    if (end - name === 1 && b[name] === 0x74 /* t */) this.keep = false;
    else if (is(b, name, end, 'rPh')) this.rph--;
    else if (is(b, name, end, 'si')) {
      this.add(this.cur ?? '');
      this.cur = null;
    }
  }

  protected text(s: string): void {
    this.cur += s;
  }
}
