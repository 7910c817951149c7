import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { tableFromIPC } from 'apache-arrow';
import request from '../helpers/request-en.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { withUsccCheck, withIdCardCheck } from '../../server/src/lib/identifiers.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { openDownload } from '../helpers/download.ts';
import { loadCsv, publishedResource } from '../helpers/census.ts';
import { everyOf } from '../helpers/every.ts';
import { eventually } from '../helpers/wait.ts';

const ITEMS = [
  { name: 'credit_code', label: '统一社会信用代码', type: 'C', length: 18, required: true, key: true, check: 'uscc' },
  { name: 'company_name', label: '企业名称', type: 'C', length: 200, required: true },
  { name: 'legal_person', label: '法定代表人', type: 'C', length: 50, sensitivity: 'personal', mask: 'name' },
  { name: 'phone', label: '联系电话', type: 'C', length: 11, check: 'mobile', sensitivity: 'personal', mask: 'mobile' },
  { name: 'id_no', label: '法定代表人身份证号', type: 'C', length: 18, check: 'id-card', sensitivity: 'personal', mask: 'id-card' },
  { name: 'capital', label: '注册资本（万元）', type: 'N', length: 18, scale: 2 },
  { name: 'staff', label: '从业人数', type: 'I' },
  { name: 'founded_on', label: '成立日期', type: 'D' },
  { name: 'district', label: '所属区', type: 'C', length: 10, enum: ['思明区', '湖里区', '集美区', '海沧区'] },
  { name: 'active', label: '是否存续', type: 'L' },
  { name: 'risk_level', label: '信用风险等级', type: 'C', length: 1, openType: 'closed' },
];
const DISTRICTS = ['思明区', '湖里区', '集美区', '海沧区'];
const N = 300;

function csv(n: number): string {
  let s = ITEMS.map((i) => i.label).join(',') + '\n';
  for (let i = 1; i <= n; i++) {
    const code = withUsccCheck(`91350200MA${String(2000000 + i).padStart(7, '0')}`);
    const id = withIdCardCheck(`350203${1970 + (i % 30)}0${(i % 9) + 1}1${i % 10}${String(i % 1000).padStart(3, '0')}`);
    s += [code, `滨海市第${i}贸易有限公司`, i % 10 === 0 ? '欧阳修远' : `陈${i}`, `138${String(i).padStart(8, '0')}`, id, (i * 1.25).toFixed(2), i % 7 === 0 ? '' : String(i % 50), `2019-${String((i % 12) + 1).padStart(2, '0')}-15`, DISTRICTS[i % 4], i % 3 === 0 ? '否' : '是', 'ABCD'[i % 4]].join(',') + '\n';
  }
  return s;
}

describe('open data: row queries and streaming downloads', function () {
  this.timeout(120_000);
  let t: TestApp;
  let code: string;
  const rows = (query: Record<string, string | number> = {}) => request(t.app).get(`/api/v1/datasets/${encodeURIComponent(code)}/rows`).query(query);
  const download = (query: Record<string, string | number>) => openDownload(t.app, code, query);

  before(async () => {
    t = await testApp();
    const r = await publishedResource(t.knex, t.deptA.uscc, { name: '企业登记信息', items: ITEMS });
    code = r.code;
    await loadCsv(t.knex, r.id, csv(N));
  });
  after(() => t.close());

  it('answers anonymous callers with the first page in key order, masked', async () => {
    const res = await rows({ limit: 5 }).expect(200);
    expect(res.body.items).to.have.length(5);
    expect(res.body.items[0].credit_code).to.equal(withUsccCheck('91350200MA2000001'));
    expect(res.body.items[0]).to.include({ legal_person: '陈*', phone: '138****0001', company_name: '滨海市第1贸易有限公司', capital: 1.25, district: '湖里区', active: true, founded_on: '2019-02-15' });
    expect(res.body.items[0].id_no).to.match(/^350203\*{8}\d{3}[\dX]$/);
    expect(res.body.next).to.be.a('string');
    expect(res.body).not.to.have.property('count');
  });

  it('supports every operator', async () => {
    const ids = async (q: Record<string, string>) => (await rows({ limit: 1000, ...q }).expect(200)).body.items.map((r: { staff: number | null }) => r);
    expect((await ids({ 'filter[district]': '思明区' })).length).to.equal(N / 4);
    expect((await ids({ 'filter[district][ne]': '思明区' })).length).to.equal((3 * N) / 4);
    expect(everyOf((await ids({ 'filter[staff][lt]': '5' })), (r: { staff: number }) => r.staff < 5)).to.equal(true);
    expect((await ids({ 'filter[staff][lte]': '5' })).some((r: { staff: number }) => r.staff === 5)).to.equal(true);
    expect(everyOf((await ids({ 'filter[capital][gt]': '370.00' })), (r: { capital: number }) => r.capital > 370)).to.equal(true);
    expect((await ids({ 'filter[capital][gte]': '375.00' })).map((r: { capital: number }) => r.capital)).to.deep.equal([375]);
    expect(everyOf((await ids({ 'filter[founded_on][gte]': '2019-12-01' })), (r: { founded_on: string }) => r.founded_on >= '2019-12-01')).to.equal(true);
    expect((await ids({ 'filter[district][in]': '思明区,集美区' })).length).to.equal(N / 2);
    expect((await ids({ 'filter[company_name][contains]': '第12' })).map((r: { company_name: string }) => r.company_name)).to.have.members(['滨海市第12贸易有限公司', ...Array.from({ length: 10 }, (_, i) => `滨海市第12${i}贸易有限公司`)]);
    expect((await ids({ 'filter[staff][isnull]': 'true' })).length).to.equal(Math.floor(N / 7));
    expect((await ids({ 'filter[active]': 'false' })).length).to.equal(N / 3);
  });

  it('answers a repeated query shape with the values of each request (the statement is made once per shape)', async () => {
    for (const district of ['思明区', '湖里区', '思明区']) {
      const items = (await rows({ limit: 1000, 'filter[district]': district }).expect(200)).body.items;
      expect(items).to.have.length(N / 4);
      expect(everyOf(items, (r: { district: string }) => r.district === district)).to.equal(true);
    }
    const nulls = (await rows({ limit: 1000, 'filter[staff][isnull]': 'true' }).expect(200)).body.items.length;
    const notNulls = (await rows({ limit: 1000, 'filter[staff][isnull]': 'false' }).expect(200)).body.items.length;
    expect([nulls, notNulls]).to.deep.equal([Math.floor(N / 7), N - Math.floor(N / 7)]);
    const shorter = (await rows({ limit: 3, 'filter[district]': '思明区' }).expect(200)).body;
    expect(shorter.items).to.have.length(3);
    expect(shorter.next).to.be.a('string');
  });

  it('selects fields and sorts, nulls last', async () => {
    const res = await rows({ fields: 'company_name,staff', sort: '-staff,company_name', limit: 3 }).expect(200);
    expect(Object.keys(res.body.items[0])).to.deep.equal(['company_name', 'staff']);
    expect(res.body.items.map((r: { staff: number }) => r.staff)).to.deep.equal([49, 49, 49]);
  });

  it('pages with keyset cursors through every row exactly once, sorted or not', async () => {
    for (const sort of [undefined, 'staff', '-founded_on,district']) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res: request.Response = await rows({ limit: 37, ...(sort ? { sort } : {}), ...(cursor ? { cursor } : {}) }).expect(200);
        seen.push(...res.body.items.map((r: { credit_code: string }) => r.credit_code));
        cursor = res.body.next ?? undefined;
      } while (cursor);
      expect(seen, `sort=${sort}`).to.have.length(N);
      expect(new Set(seen).size, `sort=${sort}`).to.equal(N);
    }
  });

  it('counts only when asked, exactly or as an estimate', async () => {
    const exact = await rows({ count: 'exact', 'filter[district]': '海沧区', limit: 1 }).expect(200);
    expect(exact.body).to.include({ count: N / 4, countKind: 'exact' });
    const estimate = await rows({ count: 'estimate', limit: 1 }).expect(200);
    expect(estimate.body.countKind).to.equal('estimate');
    expect(estimate.body.count).to.be.a('number');
  });

  it('names unknown columns, bad operators and ill-typed values with 400', async () => {
    const res = await rows({ 'filter[nope]': 'x', 'filter[staff][between]': '1', 'filter[founded_on]': '2019-02-30', 'filter[capital][gt]': 'lots', sort: 'zzz', limit: '20000' }).expect(400);
    const byPath = Object.fromEntries(res.body.error.details.map((d: { path: string; message: string }) => [d.path, d.message]));
    expect(byPath['/filter/nope']).to.match(/unknown column nope/);
    expect(byPath['/filter/staff/between']).to.match(/unknown operator between/);
    expect(byPath['/filter/founded_on/eq']).to.match(/2019-02-30/);
    expect(byPath['/filter/capital/gt']).to.match(/"lots"/);
    expect(byPath['/sort']).to.match(/unknown column zzz/);
    expect(byPath['/limit']).to.match(/1 to 10000/);
  });

  it('never shows an item the catalogue keeps closed, on any path', async () => {
    const res = await rows({ limit: 1 }).expect(200);
    expect(res.body.items[0]).not.to.have.property('risk_level');
    await rows({ fields: 'risk_level' }).expect(403);
    await rows({ 'filter[risk_level]': 'A' }).expect(403);
    for (const format of ['csv', 'ndjson', 'arrow']) {
      const body = ((await download({ format, limit: 3 }).expect(200)).body as Buffer).toString('latin1');
      expect(body, format).not.to.contain('risk_level');
    }
  });

  it('refuses to filter or sort on masked columns (that would reveal them)', async () => {
    const res = await rows({ 'filter[phone]': '13800000001' }).expect(400);
    expect(res.body.error.details[0].message).to.match(/phone is masked/);
    await rows({ sort: 'id_no' }).expect(400);
  });

  it('treats injection attempts as plain values or unknown columns', async () => {
    await rows({ "filter[company_name]": "x' or '1'='1" }).expect(200).then((r) => expect(r.body.items).to.deep.equal([]));
    await rows({ 'filter[company_name; drop table odx.resources; --]': 'x' }).expect(400);
    expect(Number((await t.knex('odx.resources').count('* as n'))[0].n)).to.be.greaterThan(0);
  });

  it('streams every format, read back by real parsers, masked and filtered', async () => {
    const filter = { 'filter[district]': '思明区' };
    const csvRes = await download({ format: 'csv', ...filter }).expect(200);
    expect(csvRes.headers['content-type']).to.equal('text/csv; charset=utf-8');
    expect(csvRes.headers['content-disposition']).to.match(/^attachment; filename="?102-\d{6}\.csv"?$/);
    const csvRows = parse(csvRes.body as Buffer, { columns: true }) as Record<string, string>[];
    expect(csvRows).to.have.length(N / 4);
    expect(csvRows[0].phone).to.match(/^138\*{4}\d{4}$/);
    expect(csvRows[0].legal_person).to.match(/^(陈\*+|欧阳\*+)$/);

    const bom = await download({ format: 'csv', bom: '1', limit: 2 }).expect(200);
    expect((bom.body as Buffer).subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).to.equal(true);

    const nd = await download({ format: 'ndjson', ...filter }).expect(200);
    const lines = (nd.body as Buffer).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).to.have.length(N / 4);
    expect(lines[0].id_no).to.match(/\*{8}/);

    const js = await download({ format: 'json', ...filter, fields: 'credit_code,phone' }).expect(200);
    const arr = JSON.parse((js.body as Buffer).toString('utf8'));
    expect(arr).to.have.length(N / 4);
    expect(Object.keys(arr[0])).to.deep.equal(['credit_code', 'phone']);

    const none = await download({ format: 'json', 'filter[staff][gt]': '1000' }).expect(200);
    expect(JSON.parse((none.body as Buffer).toString('utf8'))).to.deep.equal([]);

    const arrow = await download({ format: 'arrow', ...filter }).expect(200);
    expect(arrow.headers['content-type']).to.equal('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(arrow.body as Buffer);
    expect(table.numRows).to.equal(N / 4);
    const first = table.get(0)!.toJSON();
    expect(first.phone).to.match(/^138\*{4}/);
    expect(typeof first.staff === 'bigint' || first.staff === null).to.equal(true);
    expect(table.schema.fields.map((f) => f.name)).to.include('founded_on');
    const byCode = new Map(lines.map((l: { credit_code: string }) => [l.credit_code, l]));
    for (let k = 0; k < table.numRows; k += 17) {
      const a = table.get(k)!.toJSON() as Record<string, any>;
      const j = byCode.get(a.credit_code) as Record<string, any>;
      expect(a.company_name).to.equal(j.company_name);
      expect(Number(a.capital)).to.equal(j.capital);
      expect(a.staff === null ? null : Number(a.staff)).to.equal(j.staff);
      expect(new Date(a.founded_on).toISOString().slice(0, 10)).to.equal(j.founded_on);
      expect(a.active).to.equal(j.active);
      expect(a.legal_person).to.equal(j.legal_person);
    }

    const xlsx = await download({ format: 'xlsx', ...filter }).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as never);
    const sheet = wb.worksheets[0];
    expect(sheet.rowCount).to.equal(N / 4 + 1);
    expect(String(sheet.getRow(2).getCell(4).value)).to.match(/^138\*{4}/);
  });

  it('never lets a personal value out unmasked on any path', async () => {
    const raw = await t.knex(`data.r${(await t.knex('odx.resources').first('id')).id}_v1`).select('phone', 'id_no', 'legal_person');
    const secrets = raw.flatMap((r: Record<string, string>) => [r.phone, r.id_no]).filter(Boolean);
    const bodies = [
      JSON.stringify((await rows({ limit: 10_000 }).expect(200)).body),
      ...(await Promise.all(['csv', 'ndjson', 'json', 'arrow', 'xlsx'].map(async (format) => (await download({ format }).expect(200)).body as Buffer))).map((b) => b.toString('latin1') + b.toString('utf8')),
    ];
    for (const body of bodies) for (const s of secrets.slice(0, 50)) expect(body.includes(s), `leaked ${s}`).to.equal(false);
  });

  it('stops streaming when the client goes away, and audits what was sent', async () => {
    const big = await publishedResource(t.knex, t.deptA.uscc, { name: '企业登记信息（大）', items: ITEMS });
    await loadCsv(t.knex, big.id, csv(60_000));
    const server = http.createServer(t.app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    for (const format of (process.env.FMT ?? 'xlsx,arrow').split(',')) {
      const req = http.get(`http://127.0.0.1:${port}/api/v1/datasets/${encodeURIComponent(big.code)}/download?format=${format}`);
      await new Promise<void>((resolve) => req.on('response', (res) => res.once('data', () => { req.destroy(); resolve(); })));
    }
    // each cut-off download records its event when its stream ends
    const downloads = async () => {
      await chainPending(t.knex);
      return t.knex('odx.audit_events').where({ action: 'dataset.download', target_id: String(big.id) });
    };
    await eventually(async () => (await downloads()).length >= (process.env.FMT ?? 'xlsx,arrow').split(',').length);
    const events = await downloads();
    expect(events).to.have.length((process.env.FMT ?? 'xlsx,arrow').split(',').length);
    for (const e of events) {
      expect(e.detail.aborted, e.detail.format).to.equal(true);
      expect(e.rows, e.detail.format).to.be.lessThan(60_000);
    }
    const busy = await t.knex.raw(`select count(*)::int as n from pg_stat_activity where query like '%data.r${big.id}_v%' and state <> 'idle' and pid <> pg_backend_pid()`);
    expect(busy.rows[0].n, 'no statement on the dataset is left running').to.equal(0);
    server.close();
  });

  it('audits every read with who, what, which filter and how many rows', async () => {
    await rows({ 'filter[district]': '集美区', limit: 5 }).expect(200);
    await chainPending(t.knex);
    const events = await t.knex('odx.audit_events').whereIn('action', ['dataset.rows', 'dataset.download']).orderBy('seq', 'desc');
    expect(events[0]).to.include({ action: 'dataset.rows', actor: 'anonymous', rows: 5, department_id: t.deptA.id });
    expect(events[0].detail.filters).to.deep.equal([{ column: 'district', op: 'eq', value: '集美区' }]);
    const downloads = events.filter((e: { action: string }) => e.action === 'dataset.download');
    expect(downloads.some((e: { detail: { format: string }; rows: number }) => e.detail.format === 'csv' && e.rows === N / 4)).to.equal(true);
  });

  it('serves only published open datasets', async () => {
    const closed = await publishedResource(t.knex, t.deptA.uscc, { openType: 'closed', name: '内部资源' });
    await request(t.app).get(`/api/v1/datasets/${encodeURIComponent(closed.code)}/rows`).expect(404);
  });
});
