/**
 * Downloads for people and for programs: the plain CSV reads back against the dataset's Data
 * Package (Table Schema types, booleans `true`/`false`) and keeps every value exactly; the ones a
 * person opens in a spreadsheet (`bom=1`, `header=label`, xlsx) cannot run a formula, the label
 * CSV speaks Chinese, and xlsx has typed cells, the dataset's name and a frozen header row.
 */
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { ledgerCsv } from '../../server/src/census/ledger/export.ts';
import type { Ledger } from '../../server/src/census/ledger/ledger.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { openDownload } from '../helpers/download.ts';
import { loadCsv, publishedResource } from '../helpers/census.ts';

const ITEMS = [
  { name: 'code', label: '编号', type: 'C', length: 10, required: true, key: true },
  { name: 'title', label: '名称', type: 'C', length: 200 },
  { name: 'amount', label: '金额', type: 'N', length: 18, scale: 2 },
  { name: 'staff', label: '人数', type: 'I' },
  { name: 'day', label: '日期', type: 'D' },
  { name: 'active', label: '有效', type: 'L' },
  { name: 'at', label: '时间', type: 'T' },
];

// what a spreadsheet would run: = + - @, and a leading tab or CR
const TITLES = ['=1+1', '+SUM(A1:A2)', '-2+3', '@cmd', '\t=tab', '\r=cr', '普通名称'];
const loaded = TITLES.map((title, i) => ({ code: `r${i}`, title, amount: (i * 1.5 - 2).toFixed(2), staff: i - 3, day: `2024-0${(i % 9) + 1}-15`, active: i % 2 === 0, at: '2024-06-30T16:00:00.000Z' }));

function csv(): string {
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return ITEMS.map((i) => i.label).join(',') + '\n' + loaded.map((r) => [r.code, q(r.title), r.amount, r.staff, r.day, r.active ? '是' : '否', r.at].join(',')).join('\n') + '\n';
}

/** Table Schema's cast of a CSV cell (defaults: trueValues/falseValues, ISO dates), written from the spec, not from ODX. */
function castable(type: string, v: string, field: Record<string, unknown>): boolean {
  if (v === '') return !(field.constraints as { required?: boolean } | undefined)?.required;
  switch (type) {
    case 'boolean':
      return ['true', 'True', 'TRUE', '1', 'false', 'False', 'FALSE', '0'].includes(v);
    case 'integer':
      return /^[+-]?\d+$/.test(v);
    case 'number':
      return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v) || ['NaN', 'INF', '-INF'].includes(v);
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(v);
    case 'datetime':
      // ISO 8601 / RFC 3339, which allows a space for the T (what frictionless's parser takes)
      return /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?$/.test(v);
    default:
      return true;
  }
}

describe('downloads for people and for programs', function () {
  this.timeout(60_000);
  let t: TestApp;
  let code: string;
  const download = (query: Record<string, string | number>) => openDownload(t.app, code, query);

  before(async () => {
    t = await testApp();
    const r = await publishedResource(t.knex, t.deptA.uscc, { name: '公式[测试]:数据集', items: ITEMS });
    code = r.code;
    await loadCsv(t.knex, r.id, csv());
  });
  after(() => t.close());

  it('CSV for programs reads back against the Data Package and keeps every text exactly', async () => {
    const pkg = (await request(t.app).get(`/api/v1/datasets/${encodeURIComponent(code)}/datapackage.json`).expect(200)).body;
    const fields = pkg.resources[0].schema.fields as { name: string; type: string }[];
    const body = (await download({ format: 'csv', sort: 'code' }).expect(200)).body as Buffer;
    expect(body.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).to.equal(false);
    const rows = parse(body, { columns: true }) as Record<string, string>[];
    expect(rows).to.have.length(loaded.length);
    expect(Object.keys(rows[0])).to.deep.equal(fields.map((f) => f.name));
    for (const row of rows) for (const f of fields) expect(castable(f.type, row[f.name], f), `${f.name}=${JSON.stringify(row[f.name])} as ${f.type}`).to.equal(true);
    expect(rows.map((r) => r.active)).to.deep.equal(loaded.map((r) => String(r.active)));
    // loaded text keeps its leading tab/CR only when quoted; the loader trims unquoted ends
    expect(rows.map((r) => r.title)).to.deep.equal(TITLES);
  });

  it('CSV with bom=1 neutralises formulas; numbers and the names header stay', async () => {
    const body = (await download({ format: 'csv', sort: 'code', bom: '1' }).expect(200)).body as Buffer;
    expect(body.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).to.equal(true);
    const rows = parse(body.subarray(3), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.title)).to.deep.equal(TITLES.map((s) => (s === '普通名称' ? s : `'${s}`)));
    expect(rows.map((r) => r.staff)).to.deep.equal(loaded.map((r) => String(r.staff)));
    expect(rows.map((r) => r.amount)).to.deep.equal(loaded.map((r) => r.amount));
    expect(rows.map((r) => r.active)).to.deep.equal(loaded.map((r) => String(r.active)));
  });

  it('CSV with header=label: the Chinese labels, booleans as 是/否, formulas neutralised', async () => {
    const body = (await download({ format: 'csv', sort: 'code', header: 'label', bom: '1' }).expect(200)).body as Buffer;
    const rows = parse(body.subarray(3), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).to.deep.equal(ITEMS.map((i) => i.label));
    expect(rows.map((r) => r['有效'])).to.deep.equal(loaded.map((r) => (r.active ? '是' : '否')));
    expect(rows.map((r) => r['名称'])).to.deep.equal(TITLES.map((s) => (s === '普通名称' ? s : `'${s}`)));
    const filtered = parse((await download({ format: 'csv', header: 'label', 'filter[active]': 'true' }).expect(200)).body as Buffer, { columns: true }) as Record<string, string>[];
    expect(filtered).to.have.length(loaded.filter((r) => r.active).length);
    await download({ format: 'csv', header: 'labels' }).expect(400);
  });

  it('xlsx: typed cells, the sheet named after the dataset, the header row frozen, formulas neutralised', async () => {
    const body = (await download({ format: 'xlsx', sort: 'code' }).expect(200)).body as Buffer;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(body as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.name).to.equal('公式 测试  数据集');
    expect(ws.views[0]).to.include({ state: 'frozen', ySplit: 1 });
    expect(ws.getRow(1).values).to.deep.equal([undefined, ...ITEMS.map((i) => i.name)]);
    for (const [k, r] of loaded.entries()) {
      const row = ws.getRow(k + 2);
      // XML reads a raw CR in a cell back as LF
      expect(row.getCell(2).value, r.code).to.equal((r.title === '普通名称' ? r.title : `'${r.title}`).replace('\r', '\n'));
      expect(row.getCell(3).value, r.code).to.equal(Number(r.amount));
      expect(row.getCell(4).value, r.code).to.equal(r.staff);
      expect(row.getCell(5).value, r.code).to.be.instanceOf(Date);
      expect((row.getCell(5).value as Date).toISOString().slice(0, 10), r.code).to.equal(r.day);
      expect(row.getCell(5).numFmt, r.code).to.equal('yyyy-mm-dd');
      expect(row.getCell(6).value, r.code).to.equal(r.active);
      // the platform's time zone, Asia/Shanghai: 16:00Z is midnight there
      expect((row.getCell(7).value as Date).toISOString(), r.code).to.equal('2024-07-01T00:00:00.000Z');
    }
    const labelled = new ExcelJS.Workbook();
    await labelled.xlsx.load((await download({ format: 'xlsx', header: 'label' }).expect(200)).body as unknown as ArrayBuffer);
    expect(labelled.worksheets[0].getRow(1).values).to.deep.equal([undefined, ...ITEMS.map((i) => i.label)]);
  });

  it('the ledger export neutralises a leading tab or CR as well', () => {
    const names = ['\t=cmd', '\r=cmd', '=cmd', '系统'];
    const systems = names.map((name, i) => ({ id: i + 1, name, department: '测试局', departmentCode: t.deptA.uscc, status: 'draft', resources: [], version: 1, updatedAt: '2024-01-01' }));
    const text = ledgerCsv({ systems, resources: [], demands: [] } as unknown as Ledger, ['systems']).subarray(3);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r['名称'])).to.deep.equal(["'\t=cmd", "'\r=cmd", "'=cmd", '系统']);
  });
});
