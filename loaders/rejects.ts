/**
 * Rejects as CSV (the download behind `GET .../loads/:id/rejects.csv`): UTF-8 with a BOM so Excel opens
 * Chinese text correctly, one row per failing value, cells that a spreadsheet would run as a formula
 * neutralised with a leading apostrophe.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Reject } from './types.ts';

export const REJECTS_CSV_COLUMNS = ['record', 'line', 'column', 'header', 'value', 'rule', 'message'] as const;

function cell(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !/^[+-]?\d+(\.\d+)?$/.test(s)) s = "'" + s;
  return /[",\r\n]|^\s|\s$/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export function rejectRow(r: Reject): string {
  return [r.record, r.line, r.column, r.header, r.value, r.rule, r.message].map(cell).join(',') + '\r\n';
}

/** The rejects as one CSV string (with a BOM unless `bom: false`). */
export function rejectsToCsv(rejects: Iterable<Reject>, opts: { bom?: boolean } = {}): string {
  let s = (opts.bom === false ? '' : '\ufeff') + REJECTS_CSV_COLUMNS.join(',') + '\r\n';
  for (const r of rejects) s += rejectRow(r);
  return s;
}

/** Streams the rejects as CSV into `out` (which is not ended). */
export async function writeRejectsCsv(
  rejects: Iterable<Reject> | AsyncIterable<Reject>,
  out: Writable,
  opts: { bom?: boolean } = {},
): Promise<void> {
  let buf = (opts.bom === false ? '' : '\ufeff') + REJECTS_CSV_COLUMNS.join(',') + '\r\n';
  for await (const r of rejects as AsyncIterable<Reject>) {
    buf += rejectRow(r);
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  if (buf && !out.write(buf)) await once(out, 'drain');
}
