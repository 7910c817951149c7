/**
 * Reading an uploaded census file into sheets of raw cells: .xlsx through exceljs, .csv after
 * detecting its encoding (a BOM, else valid UTF-8, else GB18030 — which also reads GBK/GB2312).
 * Row numbers are the ones Excel shows: the header is row 1 of a CSV file.
 */
import ExcelJS from 'exceljs';
import { parse as parseCsv } from 'csv-parse/sync';
import iconv from 'iconv-lite';

export type RawCell = string | number | boolean | Date | null;

export interface RawRow {
  /** The row number Excel shows. */
  number: number;
  cells: RawCell[];
}

export interface RawSheet {
  name: string;
  rows: RawRow[];
}

export type FileFormat = 'xlsx' | 'csv';
export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'gb18030' | 'utf-16le' | 'utf-16be';

export interface RawFile {
  format: FileFormat;
  encoding?: TextEncoding;
  sheets: RawSheet[];
}

/** A file that cannot be read at all (not a problem of one row). */
export class UnreadableFile extends Error {
  constructor(
    message: string,
    readonly messageZh: string,
  ) {
    super(message);
  }
}

export function isXlsx(buf: Buffer): boolean {
  return buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04;
}

function isOldExcel(buf: Buffer): boolean {
  return buf.length >= 4 && buf[0] === 0xd0 && buf[1] === 0xcf && buf[2] === 0x11 && buf[3] === 0xe0;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes CSV bytes: a BOM decides (UTF-8, UTF-16); else the bytes are UTF-8 when they decode
 * as valid UTF-8, else GB18030. `charset` (from a Content-Type) overrides the detection.
 */
export function decodeText(buf: Buffer, charset?: string): { text: string; encoding: TextEncoding } {
  const cs = charset?.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return { text: buf.subarray(3).toString('utf8'), encoding: 'utf-8-bom' };
  if (buf[0] === 0xff && buf[1] === 0xfe) return { text: iconv.decode(buf.subarray(2), 'utf-16le'), encoding: 'utf-16le' };
  if (buf[0] === 0xfe && buf[1] === 0xff) return { text: iconv.decode(buf.subarray(2), 'utf-16be'), encoding: 'utf-16be' };
  if (cs && ['gb18030', 'gbk', 'gb2312', 'cp936'].includes(cs)) return { text: iconv.decode(buf, 'gb18030'), encoding: 'gb18030' };
  try {
    return { text: utf8.decode(buf), encoding: 'utf-8' };
  } catch {
    if (cs === 'utf8') throw new UnreadableFile('the file is declared UTF-8 but is not valid UTF-8', '文件声明为 UTF-8 编码，但内容不是有效的 UTF-8');
    return { text: iconv.decode(buf, 'gb18030'), encoding: 'gb18030' };
  }
}

/** The plain value of an exceljs cell: rich text joined, formulas by their result, hyperlinks by their text. */
function plain(v: ExcelJS.CellValue): RawCell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  const o = v as unknown as Record<string, unknown>;
  if (Array.isArray(o.richText)) return (o.richText as { text: string }[]).map((r) => r.text).join('');
  if ('formula' in o || 'sharedFormula' in o) return plain((o.result ?? null) as ExcelJS.CellValue);
  if ('hyperlink' in o) return plain((o.text ?? null) as ExcelJS.CellValue);
  if ('error' in o) return String(o.error);
  return String(v);
}

function sheetRows(ws: ExcelJS.Worksheet): RawRow[] {
  const rows: RawRow[] = [];
  ws.eachRow({ includeEmpty: false }, (row, number) => {
    const cells: RawCell[] = [];
    const values = row.values as ExcelJS.CellValue[];
    for (let i = 1; i < values.length; i++) cells.push(plain(values[i]));
    rows.push({ number, cells });
  });
  return rows;
}

async function readXlsx(buf: Buffer): Promise<RawSheet[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch (err) {
    throw new UnreadableFile(`the .xlsx file cannot be read: ${(err as Error).message}`, `无法读取 .xlsx 文件：${(err as Error).message}`);
  }
  return wb.worksheets.map((ws) => ({ name: ws.name.trim(), rows: sheetRows(ws) }));
}

function readCsv(buf: Buffer, charset?: string): { sheet: RawSheet; encoding: TextEncoding } {
  const { text, encoding } = decodeText(buf, charset);
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = !firstLine.includes(',') && firstLine.includes('\t') ? '\t' : ',';
  let records: string[][];
  try {
    records = parseCsv(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false });
  } catch (err) {
    throw new UnreadableFile(`the CSV file cannot be parsed: ${(err as Error).message}`, `无法解析 CSV 文件：${(err as Error).message}`);
  }
  // Excel shows one row per record (a quoted line break stays inside its cell)
  const rows = records.map((cells, i) => ({ number: i + 1, cells: cells.map((c) => (c === '' ? null : c)) }));
  return { sheet: { name: '', rows }, encoding };
}

/** Reads an uploaded census file (format detected from its bytes). */
export async function readFile(buf: Buffer, charset?: string): Promise<RawFile> {
  if (buf.length === 0) throw new UnreadableFile('the file is empty', '文件为空');
  if (isXlsx(buf)) return { format: 'xlsx', sheets: await readXlsx(buf) };
  if (isOldExcel(buf)) {
    throw new UnreadableFile('Excel 97-2003 (.xls) files are not supported; save the file as .xlsx or .csv', '不支持 Excel 97-2003（.xls）文件，请另存为 .xlsx 或 .csv 后导入');
  }
  const { sheet, encoding } = readCsv(buf, charset);
  return { format: 'csv', encoding, sheets: [sheet] };
}
