/**
 * One CSV field (RFC 4180): quoted when it holds a quote, a comma or a line break, or starts or
 * ends with white space, which a reader may otherwise trim (our own loader does).
 */
export function csvField(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
