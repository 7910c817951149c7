/** One RFC 4180 CSV line: fields quoted when they hold a delimiter, quote or line break. */
export function csvLine(values: unknown[]): string {
  return (
    values
      .map((v) => {
        if (v === null || v === undefined) return '';
        const s = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
        return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      })
      .join(',') + '\r\n'
  );
}

/** Excel opens UTF-8 CSV correctly only with a byte order mark. */
export const UTF8_BOM = '\uFEFF';
