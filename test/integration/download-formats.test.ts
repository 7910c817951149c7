/**
 * Downloads of awkward values through the whole stack (loader, masking, COPY, encoders, HTTP):
 * every format must give back the same values — quotes, backslashes, newlines, tabs, control
 * characters, unicode, empty strings, nulls, numbers, dates, date-times and booleans.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { tableFromIPC } from 'apache-arrow';
import { chainPending } from '../../server/src/audit/chain.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { openDownload } from '../helpers/download.ts';
import { loadCsv, publishedResource } from '../helpers/census.ts';
import { eventually } from '../helpers/wait.ts';

const ITEMS = [
  { name: 'code', label: '编号', type: 'C', length: 10, required: true, key: true },
  { name: 'title', label: '名称', type: 'C', length: 200 },
  { name: 'note', label: '备注', type: 'M' },
  { name: 'phone', label: '联系电话', type: 'C', length: 11, sensitivity: 'personal', mask: 'mobile' },
  { name: 'amount', label: '金额', type: 'N', length: 18, scale: 2 },
  { name: 'staff', label: '人数', type: 'I' },
  { name: 'ratio', label: '比率', type: 'F' },
  { name: 'day', label: '日期', type: 'D' },
  { name: 'active', label: '有效', type: 'L' },
  { name: 'at', label: '时间', type: 'T' },
];

interface Row {
  code: string;
  title: string | null;
  note: string | null;
  phone: string | null;
  amount: string | null;
  staff: number | null;
  ratio: number | null;
  day: string | null;
  active: boolean | null;
  at: string | null;
}

const ROWS: Row[] = [
  { code: 'a01', title: 'say "hi"', note: 'line1\nline2\r\nline3', phone: '13812345678', amount: '1234.50', staff: 9, ratio: 0.1, day: '2024-02-29', active: true, at: '2019-03-15T00:30:00.123Z' },
  { code: 'a02', title: 'C:\\数据\\导出', note: 'tab\there\tand\\t not a tab', phone: null, amount: '-0.01', staff: 100, ratio: -2.5e-7, day: '1900-03-01', active: false, at: '1969-12-31T23:59:59.999Z' },
  { code: 'a03', title: '滨海市"鑫源"贸易有限公司', note: 'emoji 😀, 𠮷, é ü ß', phone: '13900000001', amount: '0.00', staff: 10, ratio: 1e21, day: '2000-01-01', active: null, at: null },
  { code: 'a04', title: '', note: 'bell\u0007 unit\u001f back\bform\f', phone: '', amount: null, staff: null, ratio: null, day: null, active: true, at: '2000-01-01T00:00:00.000Z' },
  { code: 'a05', title: "it's ,; a \"csv\"\nnightmare", note: '{"json": ["inside", 1]}', phone: '13700000002', amount: '99999999.99', staff: -3, ratio: 123456.789, day: '1999-12-31', active: false, at: '2024-06-30T16:00:00.000Z' },
  { code: 'a06', title: null, note: null, phone: '1', amount: '42.00', staff: 2147483647, ratio: 1e-5, day: '0001-01-01', active: true, at: '1900-01-01T00:00:00.000Z' },
];

/** The rows as the loader reads them: CSV with quoted fields, booleans as 是/否, nulls as empty fields. */
function csv(rows: Row[]): string {
  const field = (v: unknown): string => {
    if (v === null) return '';
    const s = typeof v === 'boolean' ? (v ? '是' : '否') : String(v);
    return /[",\n\r]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return ITEMS.map((i) => i.label).join(',') + '\n' + rows.map((r) => ITEMS.map((i) => field(r[i.name as keyof Row])).join(',')).join('\n') + '\n';
}

/** The phone mask (keep 3 and 4): what every format must show instead of the number. */
function masked(phone: string | null): string | null {
  if (phone === null) return null;
  return phone.length <= 7 ? '*'.repeat(phone.length) : phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}

describe('downloads: awkward values come back the same in every format', function () {
  this.timeout(120_000);
  let t: TestApp;
  let code: string;
  const download = (query: Record<string, string | number>) => openDownload(t.app, code, query);

  before(async () => {
    t = await testApp();
    const r = await publishedResource(t.knex, t.deptA.uscc, { name: '边界值', items: ITEMS });
    code = r.code;
    await loadCsv(t.knex, r.id, csv(ROWS));
  });
  after(() => t.close());

  /** What the loader stored (it reads an empty field as null), read back the way a JSON reader sees it. */
  function expected(r: Row) {
    const empty = (v: string | null) => (v === '' ? null : v);
    return { ...r, title: empty(r.title), note: empty(r.note), phone: masked(empty(r.phone)), amount: r.amount === null ? null : Number(r.amount) };
  }

  it('NDJSON and JSON: every value, escaped and typed as PostgreSQL writes JSON', async () => {
    const nd = (await download({ format: 'ndjson', sort: 'code' }).expect(200)).body.toString('utf8') as string;
    expect(nd.endsWith('\n')).to.equal(true);
    const lines = nd.slice(0, -1).split('\n').map((l) => JSON.parse(l));
    expect(lines).to.have.length(ROWS.length);
    const js = JSON.parse((await download({ format: 'json', sort: 'code' }).expect(200)).body.toString('utf8'));
    expect(js).to.deep.equal(lines);
    for (const [k, r] of ROWS.entries()) {
      const want = expected(r);
      const got = { ...lines[k], at: lines[k].at === null ? null : new Date(lines[k].at).toISOString() };
      expect(Object.keys(lines[k]), r.code).to.deep.equal(ITEMS.map((i) => i.name));
      expect(got, r.code).to.deep.equal(want);
    }
    // numbers keep PostgreSQL's digits (no float round trip): 1234.50, 0.00
    expect(nd).to.contain('"amount":1234.50,').and.to.contain('"amount":0.00,').and.to.contain('"ratio":1e+21,').and.to.contain('"ratio":-2.5e-07,');
    // the escapes to_json writes
    expect(nd).to.contain('"note":"bell\\u0007 unit\\u001f back\\bform\\f"').and.to.contain('"title":"C:\\\\数据\\\\导出"');
  });

  it('CSV: every value, quoted where it needs to be', async () => {
    const body = (await download({ format: 'csv', sort: 'code' }).expect(200)).body as Buffer;
    const rows = parse(body, { columns: true }) as Record<string, string>[];
    expect(rows).to.have.length(ROWS.length);
    for (const [k, r] of ROWS.entries()) {
      const want = expected(r);
      expect(rows[k].title, r.code).to.equal(want.title ?? '');
      expect(rows[k].note, r.code).to.equal(want.note ?? '');
      expect(rows[k].phone, r.code).to.equal(want.phone ?? '');
      expect(rows[k].amount, r.code).to.equal(r.amount ?? '');
      expect(rows[k].day, r.code).to.equal(r.day ?? '');
    }
  });

  it('Arrow: every value in its Arrow type', async () => {
    const table = tableFromIPC((await download({ format: 'arrow', sort: 'code' }).expect(200)).body as Buffer);
    expect(table.numRows).to.equal(ROWS.length);
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).to.deep.equal([
      'code:Utf8', 'title:Utf8', 'note:Utf8', 'phone:Utf8', 'amount:Utf8', 'staff:Int64', 'ratio:Float64', 'day:Date32<DAY>', 'active:Bool', 'at:Timestamp<MILLISECOND, UTC>',
    ]);
    for (const [k, r] of ROWS.entries()) {
      const got = table.get(k)!.toJSON() as Record<string, unknown>;
      const want = expected(r);
      expect(got.title, r.code).to.equal(want.title);
      expect(got.note, r.code).to.equal(want.note);
      expect(got.phone, r.code).to.equal(want.phone);
      expect(got.amount, r.code).to.equal(r.amount);
      expect(got.staff, r.code).to.equal(r.staff === null ? null : BigInt(r.staff));
      expect(got.ratio, r.code).to.equal(r.ratio);
      expect(got.day === null ? null : new Date(got.day as number).toISOString().slice(0, 10), r.code).to.equal(r.day);
      expect(got.active, r.code).to.equal(r.active);
      expect(got.at === null ? null : new Date(got.at as number).toISOString(), r.code).to.equal(r.at);
    }
  });

  it('sorts by the column, not by its text, and applies filters and limits in every format', async () => {
    const staff = [...ROWS].filter((r) => r.staff !== null).sort((a, b) => b.staff! - a.staff!).map((r) => r.code);
    const query = { sort: '-staff', 'filter[staff][isnull]': 'false' };
    const nd = (await download({ format: 'ndjson', ...query }).expect(200)).body.toString('utf8').trim().split('\n').map((l: string) => JSON.parse(l).code);
    expect(nd).to.deep.equal(staff); // text order would put 9 before 100
    const js = JSON.parse((await download({ format: 'json', ...query, limit: 2 }).expect(200)).body.toString('utf8')).map((r: Row) => r.code);
    expect(js).to.deep.equal(staff.slice(0, 2));
    const arrow = tableFromIPC((await download({ format: 'arrow', ...query, fields: 'code' }).expect(200)).body as Buffer);
    expect(arrow.schema.fields.map((f) => f.name)).to.deep.equal(['code']);
    expect(arrow.toArray().map((r) => r.code)).to.deep.equal(staff);
    const csvCodes = (parse((await download({ format: 'csv', ...query }).expect(200)).body as Buffer, { columns: true }) as { code: string }[]).map((r) => r.code);
    expect(csvCodes).to.deep.equal(staff);
    const none = await download({ format: 'arrow', 'filter[staff][gt]': '2147483647' }).expect(200);
    expect(tableFromIPC(none.body as Buffer).numRows).to.equal(0);
    expect((await download({ format: 'ndjson', 'filter[staff][gt]': '2147483647' }).expect(200)).body.length).to.equal(0);
  });

  it('audits the rows sent in each format (a CSV row may hold newlines)', async () => {
    await chainPending(t.knex);
    const events = await t.knex('odx.audit_events').where({ action: 'dataset.download' }).orderBy('seq');
    for (const format of ['ndjson', 'json', 'arrow', 'csv']) {
      const e = events.find((x: { detail: { format: string; sort?: unknown[] } }) => x.detail.format === format);
      expect(e?.rows, format).to.equal(ROWS.length);
    }
  });

  it('stops the statement when the client goes away mid-download, in NDJSON, JSON and Arrow too', async () => {
    const big = await publishedResource(t.knex, t.deptA.uscc, { name: '边界值（大）', items: ITEMS });
    // long notes make every format far larger than what socket buffers can hold
    const rows: Row[] = Array.from({ length: 2000 }, (_, i) => ({ ...ROWS[i % ROWS.length], code: `b${i}`, note: `${'长备注'.repeat(1000)}${i}` }));
    await loadCsv(t.knex, big.id, csv(rows));
    const server = http.createServer(t.app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    const formats = ['ndjson', 'json', 'arrow'];
    for (const format of formats) {
      const req = http.get(`http://127.0.0.1:${port}/api/v1/datasets/${encodeURIComponent(big.code)}/download?format=${format}`);
      await new Promise<void>((resolve) => req.on('response', (res) => res.once('data', () => { req.destroy(); resolve(); })));
    }
    // each cut-off download records its event when its stream ends
    const downloads = async () => {
      await chainPending(t.knex);
      return t.knex('odx.audit_events').where({ action: 'dataset.download', target_id: String(big.id) });
    };
    await eventually(async () => (await downloads()).length >= formats.length);
    const events = await downloads();
    expect(events.map((e: { detail: { format: string } }) => e.detail.format).sort()).to.deep.equal([...formats].sort());
    for (const e of events) {
      expect(e.detail.aborted, e.detail.format).to.equal(true);
      expect(e.rows, e.detail.format).to.be.lessThan(rows.length);
    }
    const busy = await t.knex.raw(`select count(*)::int as n from pg_stat_activity where query like '%data.r${big.id}_v%' and state <> 'idle' and pid <> pg_backend_pid()`);
    expect(busy.rows[0].n, 'no statement on the dataset is left running').to.equal(0);
    server.close();
  });
});
