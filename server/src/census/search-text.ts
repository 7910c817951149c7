/**
 * Search for Chinese without a segmentation dictionary: text is cut into CJK character
 * bigrams (and single characters) plus lower-cased Latin/digit words, the way Lucene's
 * CJK analyzer does. A query term matches when all of its bigrams are present, so 执照
 * finds 企业营业执照信息 and "营业执照 企业" needs both terms.
 */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[\p{L}\p{N}]+/gu;

/** Lexemes for indexing: every CJK unigram and bigram, every other word. */
export function indexLexemes(text: string): string[] {
  const out = new Set<string>();
  for (const run of text.normalize('NFKC').toLowerCase().match(TOKEN) ?? []) {
    if (!CJK.test(run)) {
      out.add(run);
      continue;
    }
    const chars = [...run];
    chars.forEach((c, i) => {
      out.add(c);
      if (i + 1 < chars.length) out.add(c + chars[i + 1]);
    });
  }
  return [...out];
}

/** Lexemes a query term needs: its bigrams (a lone CJK character needs itself), or the word. */
export function queryTerms(q: string): string[][] {
  const terms: string[][] = [];
  for (const run of q.normalize('NFKC').toLowerCase().match(TOKEN) ?? []) {
    if (!CJK.test(run)) {
      terms.push([run]);
      continue;
    }
    const chars = [...run];
    terms.push(chars.length === 1 ? chars : chars.slice(0, -1).map((c, i) => c + chars[i + 1]));
  }
  return terms;
}

const quote = (lexeme: string) => `'${lexeme.replace(/'/g, "''").replace(/\\/g, '\\\\')}'`;

/** A tsquery text (all lexemes required), or null for a query with no searchable characters. */
export function toTsquery(q: string): string | null {
  const lexemes = [...new Set(queryTerms(q).flat())];
  return lexemes.length ? lexemes.map(quote).join(' & ') : null;
}

/** The weighted parts of a document, each becoming lexemes of its weight (A highest). */
export interface WeightedText {
  A?: string[];
  B?: string[];
  C?: string[];
  D?: string[];
}

/**
 * A tsvector literal of weighted texts, built here so PostgreSQL's parser never touches
 * CJK text (its word rules depend on the server locale). Every lexeme keeps a position,
 * since weights live on positions and ts_rank reads them.
 */
export function tsvectorLiteral(parts: WeightedText): string {
  const positions = new Map<string, string[]>();
  let pos = 0;
  for (const weight of ['A', 'B', 'C', 'D'] as const) {
    for (const lexeme of indexLexemes((parts[weight] ?? []).join(' '))) {
      pos = Math.min(pos + 1, 16383);
      const list = positions.get(lexeme) ?? [];
      if (list.length < 256) list.push(`${pos}${weight}`);
      positions.set(lexeme, list);
    }
  }
  return [...positions].map(([lexeme, ps]) => `${quote(lexeme)}:${ps.join(',')}`).join(' ');
}
