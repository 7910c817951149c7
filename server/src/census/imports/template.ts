/**
 * The census templates (.xlsx): one sheet per list with the Chinese headers of the schema
 * titles, a description row and an example row; resources carry their items in a second
 * sheet 「信息项」 keyed by the resource name. The same writer fills a workbook with documents,
 * so exported entries can be edited and imported again.
 */
import ExcelJS from 'exceljs';
import {
  DESCRIPTION_MARK,
  EXAMPLE_MARK,
  ITEMS_SHEET,
  getPointer,
  listColumns,
  toCell,
  type Column,
  type ListName,
} from './columns.ts';
import { EXAMPLES } from './examples.ts';

/** Rows below the example row that get drop-down lists for enum and yes/no cells. */
const DROPDOWN_ROWS = 1000;
const FIRST_DATA_ROW = 4;

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
const NOTE_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
const EXAMPLE_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };

export interface WorkbookOptions {
  /** Include the description and example rows and the drop-downs (the blank template). Default true. */
  template?: boolean;
}

type Cell = string | number | null;

function rowOf(columns: Column[], doc: Record<string, unknown>): Cell[] {
  return columns.map((c) => toCell(c, getPointer(doc, c.pointer)));
}

function markFirst(cells: Cell[], mark: string): Cell[] {
  const out = [...cells];
  out[0] = `${mark}${out[0] ?? ''}`;
  return out;
}

function itemRows(columns: Column[], doc: Record<string, unknown>): Cell[][] {
  const items = (doc.items as Record<string, unknown>[] | undefined) ?? [];
  return items.map((item) => [String(doc.name ?? ''), ...rowOf(columns, item)]);
}

function setUpSheet(ws: ExcelJS.Worksheet, columns: Column[]): void {
  ws.columns = columns.map((c) => ({
    header: c.header,
    key: c.pointer,
    width: Math.min(40, Math.max(12, c.header.length * 2.2 + 2, c.kind === 'text' && /描述|摘要|用途|条件|依据|场景/.test(c.header) ? 36 : 0)),
  }));
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', wrapText: true };
  columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.fill = HEADER_FILL;
    if (c.required) cell.font = { bold: true, color: { argb: 'FFC00000' } };
    cell.note = c.description;
  });
  ws.views = [{ state: 'frozen', ySplit: 1, xSplit: 1 }];
}

function addDescriptionAndExample(ws: ExcelJS.Worksheet, columns: Column[], example: Cell[][]): void {
  const desc = ws.addRow(markFirst(columns.map((c) => c.description), DESCRIPTION_MARK));
  desc.alignment = { vertical: 'top', wrapText: true };
  desc.font = { color: { argb: 'FF595959' }, size: 9 };
  desc.height = 90;
  desc.eachCell((cell) => (cell.fill = NOTE_FILL));
  for (const cells of example) {
    const ex = ws.addRow(markFirst(cells, EXAMPLE_MARK));
    ex.eachCell((cell) => (cell.fill = EXAMPLE_FILL));
    ex.font = { italic: true, color: { argb: 'FF7F6000' } };
  }
  columns.forEach((c, i) => {
    const choices = c.kind === 'enum' ? Object.values(c.labels ?? {}) : c.kind === 'boolean' ? ['是', '否'] : null;
    if (!choices) return;
    const formula = `"${choices.join(',')}"`;
    if (formula.length > 255) return;
    const col = ws.getColumn(i + 1).letter;
    // a hint, not a lock: codes typed by hand are accepted on import
    (ws as unknown as { dataValidations: { add(address: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(`${col}${FIRST_DATA_ROW}:${col}${FIRST_DATA_ROW + DROPDOWN_ROWS - 1}`, {
      type: 'list',
      allowBlank: true,
      formulae: [formula],
      showErrorMessage: false,
    });
  });
}

const GUIDE = [
  ['普查模板填写说明'],
  [''],
  ['1. 第 1 行为列标题（红色为必填列），请勿修改列标题；不需要的选填列可以删除，可在最前面加一列“序号”。'],
  ['2. 以“【填写说明】”“【示例】”开头的行不会导入，可保留或删除；请从其下一行开始填写，一行一条。'],
  ['3. 下拉选项的列可填中文名称，也可填代码；“是/否”列填 是 或 否；多个取值用“、”分隔。'],
  ['4. 日期填 YYYY-MM-DD（如 2018-06-01），也可使用 Excel 日期格式。'],
  ['5. 统一社会信用代码须为 18 位且校验位正确；所属部门代码列可留空，导入时自动填为导入部门。'],
  ['6. 数据清单：每个信息资源的信息项填在「信息项」工作表，一行一个信息项，“信息资源名称”须与「数据清单」中的名称一致；同一文件中信息资源名称不得重复。'],
  ['7. 导入时逐行校验：任何一行有错误则整个文件都不导入，并列出每个错误的行号、列名和原因；改正后重新导入即可。'],
  ['8. 也可另存为 CSV（UTF-8 或 GB18030/GBK 编码）导入；数据清单的 CSV 为两个文件：数据清单和信息项。'],
];

/** A census workbook of a list: the blank template, or the template filled with documents. */
export async function buildWorkbook(list: ListName, docs: Record<string, unknown>[] = [], opts: WorkbookOptions = {}): Promise<Buffer> {
  const template = opts.template ?? true;
  const lc = listColumns(list);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'ODX';
  wb.created = new Date(0);
  const ws = wb.addWorksheet(lc.sheet);
  setUpSheet(ws, lc.columns);
  const example = EXAMPLES[list];
  if (template) addDescriptionAndExample(ws, lc.columns, [rowOf(lc.columns, example)]);
  for (const doc of docs) ws.addRow(rowOf(lc.columns, doc));
  if (lc.items && lc.itemsKey) {
    const itemColumns = [lc.itemsKey, ...lc.items];
    const is = wb.addWorksheet(ITEMS_SHEET);
    setUpSheet(is, itemColumns);
    if (template) addDescriptionAndExample(is, itemColumns, itemRows(lc.items, example));
    for (const doc of docs) for (const cells of itemRows(lc.items, doc)) is.addRow(cells);
  }
  if (template) {
    const guide = wb.addWorksheet('填写说明');
    guide.getColumn(1).width = 120;
    for (const line of GUIDE) guide.addRow(line);
    guide.getRow(1).font = { bold: true, size: 14 };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The blank .xlsx template of a census list: headers, a description row and an example row. */
export function buildTemplate(kind: ListName): Promise<Buffer> {
  return buildWorkbook(kind, [], { template: true });
}
