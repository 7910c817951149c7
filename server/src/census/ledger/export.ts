/**
 * The ledger as files: CSV (UTF-8 with a BOM so Excel reads the Chinese) and .xlsx (one sheet
 * per list). The CSV holds the chosen lists in one table: a 清单 column says which list a row
 * belongs to, and each list fills its own columns (shared ones such as 所属部门 and 状态 line up).
 */
import ExcelJS from 'exceljs';
import { csvField, neutralise } from '../../lib/csv.ts';
import {
  DEMAND_COLUMNS,
  LEDGER_LISTS,
  LEDGER_SHEETS,
  RESOURCE_COLUMNS,
  SYSTEM_COLUMNS,
  type Ledger,
  type LedgerColumn,
  type LedgerList,
} from './ledger.ts';

type Value = string | number | boolean | null;

const COLUMNS: { [L in LedgerList]: LedgerColumn<Ledger[L][number]>[] } = {
  systems: SYSTEM_COLUMNS,
  resources: RESOURCE_COLUMNS,
  demands: DEMAND_COLUMNS,
};

/** Columns every list ends with; in the CSV they come last. */
const TRAILING = ['版本', '更新时间'];

function rowsOf<L extends LedgerList>(ledger: Ledger, list: L): Value[][] {
  const cols = COLUMNS[list] as LedgerColumn<Ledger[L][number]>[];
  return (ledger[list] as Ledger[L][number][]).map((entry) => cols.map((c) => c.value(entry)));
}

function ledgerField(v: Value): string {
  if (v === null) return '';
  return csvField(typeof v === 'string' ? neutralise(v) : String(v));
}

/** The ledger as one CSV table, UTF-8 with a BOM. */
export function ledgerCsv(ledger: Ledger, lists: readonly LedgerList[] = LEDGER_LISTS): Buffer {
  const headers: string[] = [];
  for (const list of lists) for (const c of COLUMNS[list]) if (!headers.includes(c.header) && !TRAILING.includes(c.header)) headers.push(c.header);
  headers.push(...TRAILING);
  const withList = lists.length > 1;
  const lines = [(withList ? ['清单', ...headers] : headers).map(ledgerField).join(',')];
  for (const list of lists) {
    const index = COLUMNS[list].map((c) => headers.indexOf(c.header));
    for (const row of rowsOf(ledger, list)) {
      const cells: Value[] = new Array(headers.length).fill(null);
      row.forEach((v, i) => (cells[index[i]] = v));
      lines.push((withList ? [LEDGER_SHEETS[list], ...cells] : cells).map(ledgerField).join(','));
    }
  }
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
}

/** The ledger as a workbook with one sheet per list. */
export async function ledgerXlsx(ledger: Ledger, lists: readonly LedgerList[] = LEDGER_LISTS): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'ODX';
  for (const list of lists) {
    const ws = wb.addWorksheet(LEDGER_SHEETS[list]);
    ws.columns = COLUMNS[list].map((c) => ({ header: c.header, width: Math.min(40, Math.max(10, c.header.length * 2 + 4)) }));
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1 }];
    for (const row of rowsOf(ledger, list)) ws.addRow(row);
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: COLUMNS[list].length } };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
