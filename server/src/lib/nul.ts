/**
 * PostgreSQL stores no NUL character in text or jsonb: a value holding one fails in the database
 * (a 500, or a dropped download). Requests carrying one are refused where they are read: the
 * query string, a path segment, a JSON body.
 */
export const NUL_MESSAGE = 'holds a NUL byte (%00 / \\u0000), which no text in ODX may contain';
export const NUL_MESSAGE_ZH = '含有 NUL 字符（%00 / \\u0000），ODX 中的文字不得含有该字符';

/** Whether a query string (still percent-encoded) carries a NUL. */
export const queryHasNul = (query: string): boolean => query.includes('%00');

/** Whether JSON text carries the escape `\u0000` itself (an odd run of backslashes before it: `\\u0000` is the text \u0000). */
export function jsonHasNul(text: string): boolean {
  if (!text.includes('\\u0000')) return false;
  return /(^|[^\\])(\\\\)*\\u0000/.test(text);
}
