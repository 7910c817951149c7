/**
 * From raw sheet rows to census documents, and from schema violations back to cells.
 *
 * Cells are converted by their column's kind (labels to codes, 是/否 to booleans, lists split,
 * dates normalised); what cannot be converted is passed on as written so the schema validator
 * names the problem (an unknown label becomes an enum violation listing the allowed labels).
 */
import { validateDocument, type Violation } from '../../schemas/validator.ts';
import {
  DESCRIPTION_MARK,
  EXAMPLE_MARK,
  IGNORED_HEADERS,
  ITEMS_SHEET,
  normalizeHeader,
  setPointer,
  type Column,
  type ListColumns,
} from './columns.ts';
import type { RawCell, RawRow, RawSheet } from './read.ts';

/** One problem of an import, located as a person sees it in Excel. */
export interface ImportProblem {
  /** The sheet (工作表) name, or the file's role for CSV (数据清单 / 信息项). */
  sheet: string;
  /** The row number Excel shows (the header is row 1). */
  row: number;
  /** The column header (Chinese) as in the template, or null for a whole-row or whole-file problem. */
  column: string | null;
  /** JSON pointer in the document, when the problem comes from the schema. */
  path?: string;
  /** The cell as written. */
  value?: string;
  message: string;
  messageZh: string;
}

export interface ParsedRow {
  row: number;
  doc: Record<string, unknown>;
  /** Items sheet row of each item (resources). */
  itemRows: number[];
  /** Cells as written, by column pointer (for the report). */
  written: Map<string, string>;
  /** Written item cells by item index and pointer. */
  writtenItems: Map<string, string>[];
}

/** What the registry knows about the importing department, to resolve names in cells. */
export interface Lookups {
  departmentUscc: string;
  /** Systems of the department by name → ids. */
  systemsByName: Map<string, number[]>;
  systemIds: Set<number>;
  /** Classification codes, and names → codes. */
  categories: Set<string>;
  categoryByName: Map<string, string[]>;
}

export interface Bound {
  column: Column;
  index: number;
}

export interface BoundSheet {
  name: string;
  headerRow: number;
  columns: Bound[];
  /** Every column of the template in order (for sorting problems). */
  order: Map<string, number>;
  rows: RawRow[];
}

const SEPARATORS = /[、，,;；\n\r]+/;
const TRUE = new Set(['是', 'Y', 'YES', 'TRUE', '1', '√', '有']);
const FALSE = new Set(['否', 'N', 'NO', 'FALSE', '0', '×', '无']);

function cellText(c: RawCell): string {
  if (c === null) return '';
  if (c instanceof Date) return dateOf(c);
  if (typeof c === 'number') return Number.isInteger(c) || Math.abs(c) >= 1e-6 ? String(c) : c.toPrecision(15);
  return String(c).trim();
}

function dateOf(d: Date): string {
  // exceljs reads an Excel date as that day at 00:00 UTC
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

function normalDate(s: string): string {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return s;
  return `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
}

function normalLabel(s: string): string {
  return s.replace(/\s/g, '').replace(/\(/g, '（').replace(/\)/g, '）').toUpperCase();
}

const labelIndex = new WeakMap<Column, Map<string, string>>();
function enumCode(column: Column, text: string): string | number {
  let index = labelIndex.get(column);
  if (!index) {
    index = new Map();
    for (const [code, label] of Object.entries(column.labels ?? {})) {
      index.set(normalLabel(label), code);
      index.set(normalLabel(code), code);
    }
    labelIndex.set(column, index);
  }
  const code = index.get(normalLabel(text));
  if (code === undefined) return column.integerCodes && /^\d+$/.test(text) ? Number(text) : text;
  return column.integerCodes ? Number(code) : code;
}

function numberOf(raw: RawCell, text: string): number | string {
  if (typeof raw === 'number') return raw;
  const t = text.replace(/[,，\s]/g, '');
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : text;
}

/** The document value of a cell, or undefined for an empty cell. */
export function convertCell(column: Column, raw: RawCell, lookups: Lookups): unknown {
  const text = cellText(raw);
  if (text === '') return undefined;
  switch (column.kind) {
    case 'text':
      return text;
    case 'date':
      return raw instanceof Date ? dateOf(raw) : normalDate(text);
    case 'integer':
    case 'number':
      return numberOf(raw, text);
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const t = text.toUpperCase();
      return TRUE.has(t) ? true : FALSE.has(t) ? false : text;
    }
    case 'enum':
      return enumCode(column, text);
    case 'list':
      return text.split(SEPARATORS).map((s) => s.trim()).filter(Boolean);
    case 'category': {
      if (/^\d+$/.test(text)) return text;
      const codes = lookups.categoryByName.get(text);
      return codes?.length === 1 ? codes[0] : text;
    }
    case 'system-ref': {
      const n = numberOf(raw, text);
      if (typeof n === 'number') return n;
      const ids = lookups.systemsByName.get(text);
      return ids?.length === 1 ? ids[0] : text;
    }
  }
}

/** Finds the header row (the first of the first ten rows naming at least two template columns) and binds columns. */
export function bindSheet(sheet: RawSheet, displayName: string, columns: Column[], problems: ImportProblem[], mayOmit: Column[] = []): BoundSheet | null {
  const byHeader = new Map(columns.map((c) => [normalizeHeader(c.header), c]));
  const ignored = new Set(IGNORED_HEADERS.map(normalizeHeader));
  const order = new Map(columns.map((c, i) => [c.pointer, i]));
  let headerAt = 0;
  for (let i = 0; i < Math.min(10, sheet.rows.length); i++) {
    const known = sheet.rows[i].cells.filter((c) => byHeader.has(normalizeHeader(cellText(c)))).length;
    if (known >= Math.min(2, columns.length)) {
      headerAt = i;
      break;
    }
  }
  const headerRow = sheet.rows[headerAt];
  if (!headerRow) {
    problems.push({ sheet: displayName, row: 1, column: null, message: 'the sheet is empty', messageZh: '工作表为空，没有列标题' });
    return null;
  }
  const bound: Bound[] = [];
  const seen = new Set<Column>();
  const before = problems.length;
  headerRow.cells.forEach((c, index) => {
    const text = cellText(c);
    if (text === '') return;
    const key = normalizeHeader(text);
    if (ignored.has(key)) return;
    const column = byHeader.get(key);
    if (!column) {
      problems.push({
        sheet: displayName,
        row: headerRow.number,
        column: text,
        message: `unknown column "${text}": use the headers of the template`,
        messageZh: `未知的列“${text}”：请使用模板中的列标题`,
      });
      return;
    }
    if (seen.has(column)) {
      problems.push({ sheet: displayName, row: headerRow.number, column: column.header, message: `the column "${column.header}" appears twice`, messageZh: `列“${column.header}”重复出现` });
      return;
    }
    seen.add(column);
    bound.push({ column, index });
  });
  for (const c of columns) {
    if (c.required && !seen.has(c) && !mayOmit.includes(c)) {
      problems.push({ sheet: displayName, row: headerRow.number, column: c.header, message: `the required column "${c.header}" is missing`, messageZh: `缺少必填列“${c.header}”` });
    }
  }
  if (problems.length > before) return null;
  return { name: displayName, headerRow: headerRow.number, columns: bound, order, rows: sheet.rows.slice(headerAt + 1) };
}

/** Data rows: not blank and not the template's description or example rows. */
export function dataRows(sheet: BoundSheet): RawRow[] {
  return sheet.rows.filter((r) => {
    const first = r.cells.map(cellText).find((t) => t !== '');
    if (first === undefined) return false;
    return !first.startsWith(DESCRIPTION_MARK) && !first.startsWith(EXAMPLE_MARK);
  });
}

function rowDoc(sheet: BoundSheet, row: RawRow, lookups: Lookups): { doc: Record<string, unknown>; written: Map<string, string> } {
  const doc: Record<string, unknown> = {};
  const written = new Map<string, string>();
  for (const { column, index } of sheet.columns) {
    const raw = row.cells[index] ?? null;
    const value = convertCell(column, raw, lookups);
    if (value === undefined) continue;
    written.set(column.pointer, cellText(raw));
    setPointer(doc, column.pointer, value);
  }
  return { doc, written };
}

/** Converts the main sheet (and the items sheet of resources) into documents, noting problems that are not the schema's. */
export function toDocuments(
  lc: ListColumns,
  main: BoundSheet,
  items: BoundSheet | null,
  lookups: Lookups,
  problems: ImportProblem[],
): ParsedRow[] {
  const out: ParsedRow[] = [];
  const byName = new Map<string, ParsedRow>();
  for (const row of dataRows(main)) {
    const { doc, written } = rowDoc(main, row, lookups);
    const parsed: ParsedRow = { row: row.number, doc, itemRows: [], written, writtenItems: [] };
    out.push(parsed);
    if (items) {
      const name = typeof doc.name === 'string' ? doc.name : undefined;
      if (name === undefined) continue;
      const first = byName.get(name);
      if (first) {
        problems.push({
          sheet: main.name,
          row: row.number,
          column: lc.columns.find((c) => c.pointer === '/name')!.header,
          value: name,
          message: `the resource name "${name}" is also used in row ${first.row}; names must be unique in a file because the ${ITEMS_SHEET} sheet refers to them`,
          messageZh: `信息资源名称“${name}”与第 ${first.row} 行重复；「${ITEMS_SHEET}」按信息资源名称对应，同一文件中名称不得重复`,
        });
      } else byName.set(name, parsed);
    }
  }
  if (items && lc.itemsKey) {
    const keyBinding = items.columns.find((b) => b.column.pointer === lc.itemsKey!.pointer);
    const itemColumns: BoundSheet = { ...items, columns: items.columns.filter((b) => b !== keyBinding) };
    for (const row of dataRows(items)) {
      const key = keyBinding ? cellText(row.cells[keyBinding.index] ?? null) : '';
      const owner = byName.get(key);
      if (!owner) {
        problems.push({
          sheet: items.name,
          row: row.number,
          column: lc.itemsKey.header,
          ...(key ? { value: key } : {}),
          message: key ? `no resource named "${key}" in the ${main.name} sheet` : 'the resource name is missing',
          messageZh: key ? `「${main.name}」中没有名为“${key}”的信息资源` : `缺少必填项“${lc.itemsKey.header}”，无法确定信息项所属的信息资源`,
        });
        continue;
      }
      const { doc, written } = rowDoc(itemColumns, row, lookups);
      ((owner.doc.items ??= []) as unknown[]).push(doc);
      owner.itemRows.push(row.number);
      owner.writtenItems.push(written);
    }
  }
  return out;
}

/** Where a document path points: the sheet row and column a person fixes. */
function locate(lc: ListColumns, main: BoundSheet, items: BoundSheet | null, parsed: ParsedRow, path: string): Omit<ImportProblem, 'message' | 'messageZh'> {
  const m = /^\/items\/(\d+)(\/.*)?$/.exec(path);
  if (m && items && lc.items) {
    const i = Number(m[1]);
    const rest = m[2] ?? '';
    const col = columnAt(lc.items, rest);
    return {
      sheet: items.name,
      row: parsed.itemRows[i] ?? parsed.row,
      column: col?.header ?? (rest ? null : lc.itemsKey!.header),
      path,
      ...(col && parsed.writtenItems[i]?.has(col.pointer) ? { value: parsed.writtenItems[i].get(col.pointer) } : {}),
    };
  }
  if (path === '/items' && lc.items) return { sheet: main.name, row: parsed.row, column: ITEMS_SHEET, path };
  const col = columnAt(lc.columns, path);
  if (col) return { sheet: main.name, row: parsed.row, column: col.header, path, ...(parsed.written.has(col.pointer) ? { value: parsed.written.get(col.pointer) } : {}) };
  // an object as a whole (e.g. a contact with neither mobile nor phone): name its group of columns
  const group = lc.columns.flatMap((c) => c.groups).find((g) => g.pointer === path);
  return { sheet: main.name, row: parsed.row, column: group?.header ?? null, path };
}

/** The column at a path, or the column holding it (a list element `/tags/2` is in the column `/tags`). */
function columnAt(columns: Column[], path: string): Column | undefined {
  let best: Column | undefined;
  for (const c of columns) {
    if ((path === c.pointer || path.startsWith(c.pointer + '/')) && (!best || c.pointer.length > best.pointer.length)) best = c;
  }
  return best;
}

/** Schema violations of one row as problems located in the sheets. */
export function violationProblems(lc: ListColumns, main: BoundSheet, items: BoundSheet | null, parsed: ParsedRow, violations: Violation[]): ImportProblem[] {
  return violations.map((v) => {
    const at = locate(lc, main, items, parsed, v.path);
    if (v.path === '/items' && v.keyword === 'required') {
      return {
        ...at,
        message: `the resource has no items: add its rows to the ${ITEMS_SHEET} sheet under this resource name`,
        messageZh: `该信息资源没有信息项：请在「${ITEMS_SHEET}」中按此信息资源名称填写信息项`,
      };
    }
    return { ...at, message: v.message, messageZh: v.messageZh };
  });
}

/** Validates a parsed row: the schema, then registry rules a schema cannot see (department, system, classification). */
export function checkRow(lc: ListColumns, main: BoundSheet, items: BoundSheet | null, parsed: ParsedRow, lookups: Lookups): ImportProblem[] {
  const field = lc.owner.pointer.slice(1);
  if (parsed.doc[field] === undefined) parsed.doc[field] = lookups.departmentUscc;
  const r = validateDocument(lc.kind, parsed.doc);
  const problems = r.ok ? [] : violationProblems(lc, main, items, parsed, r.violations);
  const flagged = new Set(problems.map((p) => p.path));
  const extra: { path: string; message: string; messageZh: string }[] = [];
  const owner = parsed.doc[field];
  if (!flagged.has(`/${field}`) && owner !== lookups.departmentUscc) {
    extra.push({
      path: `/${field}`,
      message: `must be the importing department ${lookups.departmentUscc} (or left blank), got ${String(owner)}`,
      messageZh: `应为导入部门的统一社会信用代码 ${lookups.departmentUscc}（或留空），实际为 ${String(owner)}`,
    });
  }
  if (lc.kind === 'resource') {
    // names the registry cannot resolve replace the schema's complaint about their form
    const replace = (path: string, message: string, messageZh: string) => {
      const keep = problems.filter((p) => p.path !== path);
      problems.splice(0, problems.length, ...keep);
      extra.push({ path, message, messageZh });
    };
    const category = parsed.doc.category;
    if (typeof category === 'string' && !lookups.categories.has(category)) {
      replace('/category', `no classification has the code or name "${category}"`, `信息资源分类“${category}”不存在（请填写分类代码或分类名称）`);
    }
    const sys = parsed.doc.sourceSystem;
    if (sys !== undefined && !(typeof sys === 'number' && lookups.systemIds.has(sys))) {
      const written = parsed.written.get('/sourceSystem') ?? String(sys);
      const many = (lookups.systemsByName.get(written)?.length ?? 0) > 1;
      replace(
        '/sourceSystem',
        many ? `several of the department's systems are named "${written}"; write the system id` : `"${written}" is not a system of the department's system list`,
        many ? `本部门有多个名为“${written}”的系统，请填写系统编号` : `“${written}”不是本部门系统清单中的系统`,
      );
    }
  }
  for (const e of extra) problems.push({ ...locate(lc, main, items, parsed, e.path), message: e.message, messageZh: e.messageZh });
  return problems;
}

/** Orders problems as a person reads them: main sheet first, then by row and column. */
export function sortProblems(problems: ImportProblem[], sheetOrder: string[], columnOrder: Map<string, number>): ImportProblem[] {
  const s = (p: ImportProblem) => {
    const i = sheetOrder.indexOf(p.sheet);
    return i < 0 ? sheetOrder.length : i;
  };
  const c = (p: ImportProblem) => (p.column === null ? -1 : (columnOrder.get(`${p.sheet}\u0000${p.column}`) ?? 999));
  return [...problems].sort((a, b) => s(a) - s(b) || a.row - b.row || c(a) - c(b));
}
