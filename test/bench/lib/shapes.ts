/**
 * The file shapes departments really send, generated (seeded) for the load benchmark: short CSV rows
 * with and without a quoted field on every record, wide rows, quoted fields with embedded commas, quotes
 * and newlines, GB18030, Arrow IPC file and stream as another writer produces them (apache-arrow's
 * builders: dictionary-encoded strings, timestamps with a time zone, decimals, nulls), NDJSON and .xlsx.
 * Each shape comes with a CSV of the same rows, for the raw COPY it is measured against.
 */
import { createWriteStream, existsSync, renameSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import * as arrow from 'apache-arrow';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { withUsccCheck } from '../../../server/src/lib/identifiers.ts';
import type { LoaderItem } from '../../../loaders/index.ts';
import { rng } from '../../helpers/rng.ts';

export interface Shape {
  name: string;
  /** The file the loader reads. */
  file: string;
  format?: 'csv' | 'ndjson' | 'arrow' | 'xlsx';
  items: LoaderItem[];
  /** The same rows as UTF-8 CSV with a header (or `file` itself when it is that), and its COPY encoding. */
  rawCsv: string;
  rawEncoding?: 'GB18030';
  /** Columns of the raw COPY table: the types the loader gives the items. */
  rawColumns: string;
  rows: number;
}

const STATUS = ['存续', '在业', '吊销', '注销', '迁出'];
const DISTRICTS = ['440303', '440304', '440305', '440306', '440307'];
const WORDS = '华信达鑫源泰恒通安康盛宏腾飞龙凤明德诚远创新科技智能数字云端海星辰光电子';
const SURNAMES = '王李张刘陈杨黄赵吴周';

const shortItems: LoaderItem[] = [
  { name: 'id', label: '序号', type: 'I', required: true, key: true, minimum: 1 },
  { name: 'uscc', label: '统一社会信用代码', type: 'C', length: 18, required: true, check: 'uscc' },
  { name: 'name', label: '企业名称', type: 'C', length: 60, required: true },
  { name: 'person', label: '法定代表人', type: 'C', length: 20 },
  { name: 'status', label: '登记状态', type: 'C', length: 8, enum: STATUS },
  { name: 'founded', label: '成立日期', type: 'D' },
];
const shortColumns = 'id integer, uscc varchar(18), name varchar(60), person varchar(20), status varchar(8), founded date';

interface ShortRow {
  id: number;
  uscc: string;
  name: string;
  person: string;
  status: string;
  founded: string;
}

function* shortRows(count: number): Generator<ShortRow> {
  const r = rng(18);
  const pick = (s: string | string[]) => s[Math.floor(r() * s.length)];
  for (let i = 1; i <= count; i++) {
    let org = '';
    for (let n = i, k = 0; k < 9; k++, n = Math.floor(n / 31)) org = '0123456789ABCDEFGHJKLMNPQRTUWXY'[n % 31] + org;
    yield {
      id: i,
      uscc: withUsccCheck(`91${pick(DISTRICTS)}${org}`),
      name: `深圳市${pick(WORDS)}${pick(WORDS)}${pick(['科技', '贸易', '实业'])}有限公司`,
      person: pick(SURNAMES) + pick(WORDS),
      status: pick(STATUS),
      founded: `${1990 + Math.floor(r() * 34)}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`,
    };
  }
}

/** Writes `path` unless it exists: the shapes are seeded, so a file written once is reused by later runs. */
async function writeLines(path: string, lines: Iterable<string>, encode?: (s: string) => Buffer): Promise<void> {
  if (existsSync(path)) return;
  const out = createWriteStream(path + '.part');
  let buf = '';
  const flush = async () => {
    if (!out.write(encode ? encode(buf) : buf)) await once(out, 'drain');
    buf = '';
  };
  for (const l of lines) {
    buf += l;
    if (buf.length > 1 << 16) await flush();
  }
  await flush();
  out.end();
  await once(out, 'finish');
  renameSync(path + '.part', path);
}

const csvQuote = (s: string) => `"${s.replace(/"/g, '""')}"`;
const shortHeader = shortItems.map((i) => i.label).join(',') + '\r\n';
function* shortCsv(rows: number, quoted: boolean): Generator<string> {
  yield shortHeader;
  for (const x of shortRows(rows)) yield `${x.id},${x.uscc},${quoted ? csvQuote(x.name) : x.name},${x.person},${x.status},${x.founded}\r\n`;
}

/** 50 columns: ten each of text, integer, decimal, date and float, with some empty cells. */
function wideItems(): LoaderItem[] {
  const out: LoaderItem[] = [{ name: 'id', label: 'id', type: 'I', required: true, key: true }];
  for (let k = 0; k < 49; k++) {
    const kind = k % 5;
    const name = `c${k}`;
    if (kind === 0) out.push({ name, label: name, type: 'C', length: 20 });
    if (kind === 1) out.push({ name, label: name, type: 'I', minimum: 0 });
    if (kind === 2) out.push({ name, label: name, type: 'Y', length: 18, scale: 2 });
    if (kind === 3) out.push({ name, label: name, type: 'D' });
    if (kind === 4) out.push({ name, label: name, type: 'B' });
  }
  return out;
}
const SQL_TYPE: Record<string, string> = { C: 'varchar(20)', I: 'integer', Y: 'numeric(18,2)', D: 'date', B: 'double precision' };
function* wideCsv(rows: number, items: LoaderItem[]): Generator<string> {
  const r = rng(50);
  yield items.map((i) => i.label).join(',') + '\n';
  for (let i = 1; i <= rows; i++) {
    const cells = [String(i)];
    for (let k = 1; k < items.length; k++) {
      if (r() < 0.05) {
        cells.push('');
        continue;
      }
      const t = items[k].type;
      cells.push(
        t === 'C' ? `v${Math.floor(r() * 1e6)}` :
        t === 'I' ? String(Math.floor(r() * 1e5)) :
        t === 'Y' ? (r() * 1e6).toFixed(2) :
        t === 'D' ? `20${String(10 + Math.floor(r() * 14))}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}` :
        (r() * 180 - 90).toFixed(6),
      );
    }
    yield cells.join(',') + '\n';
  }
}

const embeddedItems: LoaderItem[] = [
  { name: 'id', label: '序号', type: 'I', required: true, key: true },
  { name: 'name', label: '企业名称', type: 'C', length: 60, required: true },
  { name: 'address', label: '地址', type: 'C', length: 200 },
  { name: 'note', label: '备注', type: 'M' },
];
function* embeddedCsv(rows: number): Generator<string> {
  yield '序号,企业名称,地址,备注\n';
  let i = 0;
  for (const x of shortRows(rows)) {
    i++;
    yield `${x.id},${csvQuote(x.name)},${csvQuote(`广东省深圳市, ${x.person}路${i % 999}号`)},${csvQuote(`经营范围: "${x.status}", 含\n第二行, 及 ""引号""`)}\n`;
  }
}

const arrowItems: LoaderItem[] = [
  { name: 'id', label: 'id', type: 'I', required: true, key: true },
  { name: 'uscc', label: 'uscc', type: 'C', length: 18, required: true, check: 'uscc' },
  { name: 'name', label: 'name', type: 'C', length: 60, required: true },
  { name: 'district', label: 'district', type: 'C', length: 6, check: 'region-code' },
  { name: 'status', label: 'status', type: 'C', length: 8, enum: STATUS },
  { name: 'capital', label: 'capital', type: 'Y', length: 18, scale: 2, minimum: 0 },
  { name: 'updated_at', label: 'updated_at', type: 'T' },
  { name: 'score', label: 'score', type: 'B' },
];
const arrowColumns = 'id integer, uscc varchar(18), name varchar(60), district varchar(6), status varchar(8), capital numeric(18,2), updated_at timestamptz, score double precision';

function decimalWords(v: bigint): Uint32Array {
  const w = new Uint32Array(4);
  let x = BigInt.asUintN(128, v);
  for (let i = 0; i < 4; i++, x >>= 32n) w[i] = Number(x & 0xffffffffn);
  return w;
}

/** An Arrow table built column by column with apache-arrow's builders. */
function arrowTable(rows: number): { table: arrow.Table; csv: string[] } {
  const r = rng(7);
  const dict = () => new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  const schemaTypes = {
    id: new arrow.Int32(),
    uscc: new arrow.Utf8(),
    name: new arrow.Utf8(),
    district: dict(),
    status: dict(),
    capital: new arrow.Decimal(2, 18, 128),
    updated_at: new arrow.TimestampMillisecond('Asia/Shanghai'),
    score: new arrow.Float64(),
  };
  const csv: string[] = [arrowItems.map((i) => i.name).join(',') + '\n'];
  // One builder per column for the whole table: the file format allows no replacement dictionaries.
  const b = Object.fromEntries(Object.entries(schemaTypes).map(([k, type]) => [k, arrow.makeBuilder({ type, nullValues: [null] } as never)])) as Record<string, arrow.Builder>;
  for (const x of shortRows(rows)) {
    const district = DISTRICTS[x.id % DISTRICTS.length];
    const cents = r() < 0.1 ? null : BigInt(Math.floor(r() * 1e10));
    const at = r() < 0.1 ? null : Date.UTC(2024, 0, 1) + Math.floor(r() * 3e10);
    const score = r() < 0.1 ? null : Math.round(r() * 1e4) / 100;
    b.id.append(x.id);
    b.uscc.append(x.uscc);
    b.name.append(x.name);
    b.district.append(district);
    b.status.append(x.status);
    b.capital.append(cents === null ? null : (decimalWords(cents) as never));
    b.updated_at.append(at);
    b.score.append(score);
    const money = cents === null ? '' : `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;
    csv.push(`${x.id},${x.uscc},${x.name},${district},${x.status},${money},${at === null ? '' : new Date(at).toISOString()},${score ?? ''}\n`);
  }
  const data = Object.fromEntries(Object.entries(b).map(([k, bl]) => [k, bl.finish().toVector()]));
  return { table: new arrow.Table(data), csv };
}

/** Writes every shape of `rows` rows (the .xlsx of `xlsxRows`) under `dir` named by `prefix`. */
export async function makeShapes(prefix: string, rows: number, xlsxRows: number): Promise<Shape[]> {
  const p = (s: string) => `${prefix}-${rows}-${s}`;
  const shapes: Shape[] = [];
  const short = (name: string, file: string, extra: Partial<Shape> = {}) =>
    shapes.push({ name, file, items: shortItems, rawCsv: file, rawColumns: shortColumns, rows, ...extra });

  await writeLines(p('short-quoted.csv'), shortCsv(rows, true));
  short('short rows, a quoted field on every record', p('short-quoted.csv'));
  await writeLines(p('short-plain.csv'), shortCsv(rows, false));
  short('short rows, unquoted', p('short-plain.csv'));
  const wide = wideItems();
  await writeLines(p('wide.csv'), wideCsv(rows, wide));
  shapes.push({ name: 'wide rows (50 columns, mixed types)', file: p('wide.csv'), items: wide, rawCsv: p('wide.csv'), rows,
    rawColumns: wide.map((i) => `${i.name} ${SQL_TYPE[i.type]}`).join(', ') });
  await writeLines(p('embedded.csv'), embeddedCsv(rows));
  shapes.push({ name: 'quoted fields with commas, quotes, newlines', file: p('embedded.csv'), items: embeddedItems, rawCsv: p('embedded.csv'), rows,
    rawColumns: 'id integer, name varchar(60), address varchar(200), note text' });
  const gb = iconv.getEncoder('gb18030');
  await writeLines(p('short-quoted.gb18030.csv'), shortCsv(rows, true), (s) => gb.write(s));
  short('GB18030, short rows, quoted', p('short-quoted.gb18030.csv'), { rawEncoding: 'GB18030' });

  if (!existsSync(p('arrow.csv')) || !existsSync(p('file.arrow')) || !existsSync(p('stream.arrows'))) {
    const { table, csv } = arrowTable(rows);
    writeFileSync(p('file.arrow'), arrow.tableToIPC(table, 'file'));
    writeFileSync(p('stream.arrows'), arrow.tableToIPC(table, 'stream'));
    await writeLines(p('arrow.csv'), csv);
  }
  for (const [name, file] of [['Arrow IPC file', p('file.arrow')], ['Arrow IPC stream', p('stream.arrows')]]) {
    shapes.push({ name: `${name} (dictionaries, timestamps with a zone, decimals, nulls)`, file, format: 'arrow', items: arrowItems, rawCsv: p('arrow.csv'), rawColumns: arrowColumns, rows });
  }

  await writeLines(p('short.ndjson'), (function* () {
    for (const x of shortRows(rows)) yield JSON.stringify({ id: x.id, uscc: x.uscc, name: x.name, person: x.person, status: x.status, founded: x.founded }) + '\n';
  })());
  short('NDJSON, short rows', p('short.ndjson'), { format: 'ndjson', rawCsv: p('short-plain.csv') });

  const x = `${prefix}-${xlsxRows}-short.xlsx`;
  if (xlsxRows > 0 && !existsSync(x)) {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: x + '.part', useSharedStrings: true, useStyles: true });
    const ws = wb.addWorksheet('名录');
    ws.addRow(shortItems.map((i) => i.label)).commit();
    for (const r of shortRows(xlsxRows)) ws.addRow([r.id, r.uscc, r.name, r.person, r.status, new Date(r.founded + 'T00:00:00Z')]).commit();
    ws.getColumn(6).numFmt = 'yyyy-mm-dd';
    ws.commit();
    await wb.commit();
    renameSync(x + '.part', x);
  }
  if (xlsxRows > 0) {
    await writeLines(`${prefix}-${xlsxRows}-short.csv`, shortCsv(xlsxRows, false));
    shapes.push({ name: '.xlsx, short rows', file: x, format: 'xlsx', items: shortItems, rawCsv: `${prefix}-${xlsxRows}-short.csv`, rawColumns: shortColumns, rows: xlsxRows });
  }
  return shapes;
}
