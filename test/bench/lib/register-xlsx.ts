/** The register as an .xlsx workbook, written as Excel writes one: shared strings, a date style. */
import ExcelJS from 'exceljs';
import { registerHeader, registerRows } from './register.ts';

export async function writeRegisterXlsx(path: string, rows: number): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true, useStyles: true });
  const ws = wb.addWorksheet('企业名录');
  ws.addRow(registerHeader).commit();
  for (const r of registerRows(rows)) {
    ws.addRow([
      r.uscc,
      r.name,
      r.capital === '' ? null : Number(r.capital),
      new Date(r.founded + 'T00:00:00Z'),
      r.district,
      r.status,
      r.phone || null,
      Number(r.lat),
      Number(r.lon),
    ]).commit();
  }
  ws.getColumn(4).numFmt = 'yyyy-mm-dd';
  ws.commit();
  await wb.commit();
}
