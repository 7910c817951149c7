/**
 * One CSV field (RFC 4180): quoted when it holds a quote, a comma or a line break, or starts or
 * ends with white space, which a reader may otherwise trim (our own loader does).
 */
export function csvField(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// OWASP's CSV-injection rule: a cell starting with one of these is a formula to a spreadsheet
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell for a spreadsheet user: a leading `'` makes a would-be formula plain text. */
export function neutralise(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}
