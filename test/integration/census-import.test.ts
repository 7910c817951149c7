import { expect } from 'chai';
import ExcelJS from 'exceljs';
import request from '../helpers/request-en.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { listColumns } from '../../server/src/census/imports/columns.ts';
import { importCensus, type ImportProgress } from '../../server/src/census/imports/import.ts';
import { buildTemplate, buildWorkbook } from '../../server/src/census/imports/template.ts';
import { IMPORT_LIMIT_BYTES } from '../../server/src/census/imports/upload.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { TEST_ACTOR, testApp, type TestApp } from '../helpers/app.ts';
import { censusCsv, demandDocs, gb18030, resourceDocs, systemDocs, utf8Bom } from '../fixtures/census/generate.ts';
import { everyOf } from '../helpers/every.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

async function workbook(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

const rowValues = (ws: ExcelJS.Worksheet, n: number) => (ws.getRow(n).values as unknown[]).slice(1);

/** A USCC whose check character is wrong. */
function wrongCheck(uscc: string): { bad: string; expected: string } {
  const expected = uscc[17];
  const other = expected === '0' ? '1' : '0';
  return { bad: uscc.slice(0, 17) + other, expected };
}

describe('census import (templates, bulk import of the three lists)', function () {
  this.timeout(300_000);
  let t: TestApp;
  before(async () => (t = await testApp()));
  after(() => t.close());

  const count = async (table: string, departmentId: number) => Number((await t.knex(table).where({ department_id: departmentId }).count<{ c: string }[]>('* as c'))[0].c);
  const post = (kind: string, department: string, role: 'registrar' | 'officer' | 'admin' = 'registrar', dept: 'A' | 'B' = 'A') =>
    request(t.app).post('/api/v1/census/imports').query({ kind, department }).set(t.auth(role, dept));

  describe('templates', () => {
    it('writes the systems template: schema titles as Chinese headers, a description row with the allowed labels, an example row, drop-downs', async () => {
      const wb = await workbook(await buildTemplate('systems'));
      const ws = wb.getWorksheet('系统清单')!;
      const headers = rowValues(ws, 1) as string[];
      expect(headers.slice(0, 4)).to.deep.equal(['系统名称', '主管单位代码', '系统联系人-姓名', '系统联系人-手机号码']);
      expect(headers).to.include.members(['运维单位-名称', '运维单位-运维联系人-手机号码', '建设状态', '等保定级', '是否涉密', '启用时间', '对接系统', '是否僵尸系统']);
      expect(everyOf(headers, (h) => /[\u4e00-\u9fff]/.test(h))).to.equal(true);
      const desc = rowValues(ws, 2) as string[];
      expect(desc[0]).to.match(/^【填写说明】信息系统名称/);
      expect(desc[headers.indexOf('建设状态')]).to.contain('已建、在建、拟建').and.contain('必填');
      expect(desc[headers.indexOf('是否涉密')]).to.contain('填“是”或“否”');
      expect(desc[headers.indexOf('对接系统')]).to.contain('、');
      const example = rowValues(ws, 3);
      expect(example[0]).to.equal('【示例】企业登记注册系统');
      expect(example[headers.indexOf('建设状态')]).to.equal('已建');
      expect(example[headers.indexOf('等保定级')]).to.equal('第三级');
      expect(example[headers.indexOf('对接系统')]).to.equal('统一身份认证平台、电子证照库');
      const validations = (ws as unknown as { dataValidations: { model: Record<string, { formulae: string[] }> } }).dataValidations.model;
      const col = ws.getColumn(headers.indexOf('建设状态') + 1).letter;
      expect(validations[`${col}4`]?.formulae[0]).to.equal('"已建,在建,拟建"');
    });

    it('writes the resources template with the items (信息项) in a second sheet keyed by the resource name, nested objects flattened', async () => {
      const wb = await workbook(await buildTemplate('resources'));
      expect(wb.worksheets.map((w) => w.name)).to.deep.equal(['数据清单', '信息项', '填写说明']);
      const main = rowValues(wb.getWorksheet('数据清单')!, 1);
      expect(main).to.include.members(['信息资源名称', '信息资源格式-类型', '信息资源格式-具体格式', '共享类型', '来源信息系统', '数据量-记录数（条）']);
      expect(main).not.to.include('信息项');
      const items = wb.getWorksheet('信息项')!;
      expect(rowValues(items, 1).slice(0, 5)).to.deep.equal(['信息资源名称', '字段名', '信息项名称', '数据类型', '数据长度']);
      expect(rowValues(items, 3).slice(0, 4)).to.deep.equal(['【示例】企业营业执照信息', 'credit_code', '统一社会信用代码', '字符型']);
      expect(items.rowCount).to.equal(2 + 5);
    });

    it('writes the demands template', async () => {
      const wb = await workbook(await buildTemplate('demands'));
      expect(rowValues(wb.getWorksheet('需求清单')!, 1)).to.include.members(['需求名称', '需求部门代码', '所需资源名称', '具体数据项', '期望获取方式']);
    });

    it('refuses the untouched template: the description and example rows are not data', async () => {
      const res = await post('systems', t.deptA.uscc).set('Content-Type', XLSX).send(await buildTemplate('systems')).expect(422);
      expect(res.body.error.code).to.equal('import_rejected');
      expect(res.body.error.details).to.deep.equal([
        { sheet: '系统清单', row: 0, column: null, message: 'the file has no data rows', messageZh: '文件中没有数据行（说明行和示例行不导入）' },
      ]);
    });
  });

  describe('a 1,000-row census workbook with Chinese headers', () => {
    it('imports the systems as GB18030 CSV, every value as written', async () => {
      const docs = systemDocs(1000, t.deptA.uscc, 11);
      const body = gb18030(censusCsv('systems', docs).main);
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(body), 'the fixture really is GB18030').to.throw();
      const before = await count('odx.systems', t.deptA.id);
      const res = await post('systems', t.deptA.uscc).set('Content-Type', 'text/csv').send(body).expect(201);
      expect(res.body).to.include({ list: 'systems', format: 'csv', encoding: 'gb18030', rows: 1000, created: 1000 });
      expect(res.body.department).to.deep.include({ id: t.deptA.id, uscc: t.deptA.uscc, name: '测试甲局' });
      expect(res.body.ids).to.have.length(1000);
      expect(await count('odx.systems', t.deptA.id)).to.equal(before + 1000);
      const stored = await t.knex('odx.systems').whereIn('id', res.body.ids).orderBy('id').select('doc', 'status', 'version');
      expect(stored.map((s: { doc: unknown }) => s.doc)).to.deep.equal(docs);
      expect(everyOf(stored, (s: { status: string; version: number }) => s.status === 'active' && s.version === 1)).to.equal(true);
      await chainPending(t.knex);
      const creates = await t.knex('odx.audit_events').where({ action: 'system.create', department_id: t.deptA.id }).whereIn('target_id', res.body.ids.map(String)).count<{ c: string }[]>('* as c');
      expect(Number(creates[0].c)).to.equal(1000);
      const summary = await t.knex('odx.audit_events').where({ action: 'census.import', department_id: t.deptA.id, rows: 1000 }).first();
      expect(summary.detail).to.include({ list: 'systems', format: 'csv', encoding: 'gb18030', firstId: res.body.ids[0], lastId: res.body.ids[999] });
      expect(summary.actor).to.equal('principal:a.registrar');
      const history = await t.knex('odx.census_history').where({ kind: 'system' }).whereIn('doc_id', res.body.ids).count<{ c: string }[]>('* as c');
      expect(Number(history[0].c)).to.equal(1000);
    });

    it('imports the systems as .xlsx filled in the template (description and example rows kept), for another department by the admin', async () => {
      const docs = systemDocs(1000, t.deptB.uscc, 12);
      const body = await buildWorkbook('systems', docs);
      const res = await post('systems', t.deptB.uscc, 'admin').set('Content-Type', XLSX).send(body).expect(201);
      expect(res.body).to.include({ format: 'xlsx', rows: 1000, created: 1000 });
      const stored = await t.knex('odx.systems').whereIn('id', res.body.ids).orderBy('id').pluck('doc');
      expect(stored).to.deep.equal(docs);
    });

    it('imports demands from a UTF-8 CSV with a BOM', async () => {
      const docs = demandDocs(300, t.deptA.uscc, 13);
      const res = await post('demands', t.deptA.uscc).set('Content-Type', 'text/csv').send(utf8Bom(censusCsv('demands', docs).main)).expect(201);
      expect(res.body).to.include({ encoding: 'utf-8-bom', created: 300 });
      expect(await t.knex('odx.demands').whereIn('id', res.body.ids).orderBy('id').pluck('doc')).to.deep.equal(docs);
      expect((await t.knex('odx.demands').whereIn('id', res.body.ids).distinct('status')).map((r: { status: string }) => r.status)).to.deep.equal(['open']);
    });
  });

  describe('resources with their items', () => {
    let systemIdByName: Map<string, number>;
    before(async () => {
      const rows = await t.knex('odx.systems').where({ department_id: t.deptA.id }).select('id', 'name').orderBy('id');
      systemIdByName = new Map();
      for (const r of rows) if (!systemIdByName.has(r.name)) systemIdByName.set(r.name, r.id);
    });
    // a system name that is unique in department A, so it resolves to one id
    const uniqueSystemNames = async () => {
      const rows = await t.knex('odx.systems').where({ department_id: t.deptA.id }).groupBy('name').havingRaw('count(*) = 1').pluck('name');
      return rows.slice(0, 20) as string[];
    };
    const expected = (docs: Record<string, any>[]) => docs.map((d) => (typeof d.sourceSystem === 'string' ? { ...d, sourceSystem: systemIdByName.get(d.sourceSystem) } : d));

    it('imports resources from the template workbook, items from the 信息项 sheet in sheet order, source systems by name', async () => {
      const names = await uniqueSystemNames();
      expect(names.length).to.be.greaterThan(0);
      const docs = resourceDocs(400, t.deptA.uscc, 21, { sourceSystems: [...names, ...names.slice(0, 3).map((n) => systemIdByName.get(n)!)] });
      const totalItems = docs.reduce((n, d) => n + d.items.length, 0);
      const res = await post('resources', t.deptA.uscc, 'officer').set('Content-Type', XLSX).send(await buildWorkbook('resources', docs)).expect(201);
      expect(res.body).to.include({ rows: 400, created: 400, items: totalItems });
      const stored = await t.knex('odx.resources').whereIn('id', res.body.ids).orderBy('id').select('doc', 'status', 'category', 'name');
      expect(stored.map((r: { doc: unknown }) => r.doc)).to.deep.equal(expected(docs));
      expect(everyOf(stored, (r: { status: string }) => r.status === 'draft')).to.equal(true);
      // found by the catalogue search of its department
      const found = await request(t.app).get('/api/v1/resources').query({ q: docs[0].name }).set(t.auth('registrar')).expect(200);
      expect(found.body.items.map((i: { id: number }) => i.id)).to.include(res.body.ids[0]);
    });

    it('imports resources as two CSV files (multipart parts file and items), codes instead of labels accepted', async () => {
      const docs = resourceDocs(50, t.deptA.uscc, 22).map((d, i): Record<string, any> => ({ ...d, name: `两文件导入资源${i}` }));
      const csv = censusCsv('resources', docs);
      // write the enum columns as codes in half of the rows: both forms are accepted
      const lc = listColumns('resources');
      const shareCol = lc.columns.findIndex((c) => c.header === '共享类型');
      const main = csv.main
        .split('\r\n')
        .map((line, i) => {
          if (i === 0 || i % 2 || !line) return line;
          const cells = line.split(',');
          cells[shareCol] = { 无条件共享: 'unconditional', 有条件共享: 'conditional', 不予共享: 'none' }[cells[shareCol]] ?? cells[shareCol];
          return cells.join(',');
        })
        .join('\r\n');
      const res = await post('resources', t.deptA.uscc)
        .attach('file', utf8Bom(main), { filename: '数据清单.csv', contentType: 'text/csv' })
        .attach('items', gb18030(csv.items!), { filename: '信息项.csv', contentType: 'text/csv' })
        .expect(201);
      expect(res.body).to.include({ format: 'csv', created: 50 });
      expect(await t.knex('odx.resources').whereIn('id', res.body.ids).orderBy('id').pluck('doc')).to.deep.equal(docs);
    });

    it('refuses resources as one CSV without the items file, saying what is missing', async () => {
      const res = await post('resources', t.deptA.uscc).set('Content-Type', 'text/csv').send(censusCsv('resources', resourceDocs(2, t.deptA.uscc)).main).expect(422);
      expect(res.body.error.details).to.deep.equal([
        { sheet: '信息项', row: 0, column: null, message: 'resources as CSV need a second file with the items (信息项)', messageZh: '数据清单以 CSV 导入时须同时提供信息项文件' },
      ]);
    });
  });

  describe('cell forms', () => {
    it('reads labels or codes, 是/否, list separators 、，; , dates written several ways, and fills a blank owner with the department', async () => {
      const lc = listColumns('systems');
      const header = lc.columns.map((c) => c.header);
      const row = (values: Record<string, string>) => header.map((h) => values[h] ?? '').join(',');
      const csv = [
        header.join(','),
        row({ 系统名称: '甲系统', '系统联系人-姓名': '张三', '系统联系人-手机号码': '13800138000', 系统描述: '描述', 建设状态: 'built', 使用范围: '覆盖到市', 承载网络: 'gov_extranet', 启用时间: '2018/6/1', 是否涉密: '否', 对接系统: '"甲，乙;丙、丁"', 等保定级: '3' } as never),
        row({ 系统名称: '乙系统', 主管单位代码: t.deptA.uscc, '系统联系人-姓名': '李四', '系统联系人-办公电话': '0592-2345678', 系统描述: '描述', 建设状态: '已建', 使用范围: 'city', 承载网络: '政务外网', 启用时间: '2019年3月5日', 是否涉密: '是', 等保定级: '第二级', 是否僵尸系统: 'N' } as never),
      ].join('\r\n');
      const res = await post('systems', t.deptA.uscc).set('Content-Type', 'text/csv').send(csv).expect(201);
      const [a, b] = await t.knex('odx.systems').whereIn('id', res.body.ids).orderBy('id').pluck('doc');
      expect(a).to.deep.equal({
        name: '甲系统',
        owner: t.deptA.uscc,
        contact: { name: '张三', mobile: '13800138000' },
        description: '描述',
        buildStatus: 'built',
        scope: 'city',
        network: 'gov_extranet',
        protectionLevel: 3,
        classified: false,
        launchedAt: '2018-06-01',
        connectedSystems: ['甲', '乙', '丙', '丁'],
      });
      expect(b).to.include({ launchedAt: '2019-03-05', classified: true, protectionLevel: 2, zombie: false, network: 'gov_extranet', buildStatus: 'built' });
    });

    it('reads UTF-16 tab-separated text (Excel “Unicode text”)', async () => {
      const csv = censusCsv('demands', demandDocs(3, t.deptA.uscc, 14)).main.replace(/,/g, '\t');
      const body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]);
      const res = await post('demands', t.deptA.uscc).set('Content-Type', 'text/plain').send(body).expect(201);
      expect(res.body).to.include({ encoding: 'utf-16le', created: 3 });
    });

    it('reads Excel dates, numbers and a header row below a title row, and ignores a 序号 column', async () => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('系统清单');
      ws.addRow(['测试甲局系统清单（2026 年普查）']);
      ws.addRow(['序号', '系统名称', '系统联系人-姓名', '系统联系人-手机号码', '系统描述', '建设状态', '使用范围', '承载网络', '启用时间', '用户规模', '建设资金（万元）']);
      ws.addRow([1, '丙系统', '王五', 13900139000, '描述', '已建', '覆盖到市', '政务外网', new Date(Date.UTC(2020, 4, 17)), 3500, 12.5]);
      const res = await post('systems', t.deptA.uscc).set('Content-Type', XLSX).send(Buffer.from(await wb.xlsx.writeBuffer())).expect(201);
      const doc = await t.knex('odx.systems').where({ id: res.body.ids[0] }).first().then((r: { doc: unknown }) => r.doc);
      expect(doc).to.deep.include({ name: '丙系统', launchedAt: '2020-05-17', users: 3500, constructionCost: 12.5, contact: { name: '王五', mobile: '13900139000' } });
    });
  });

  describe('bad rows', () => {
    it('stores nothing and reports each bad row exactly: wrong enum, bad 统一社会信用代码 check character, missing required cell, duplicate item name', async () => {
      const docs = resourceDocs(10, t.deptA.uscc, 31).map((d, i): Record<string, any> => ({ ...d, name: `坏文件资源${i}` }));
      const bad = wrongCheck(t.deptA.uscc);
      docs[1].shareType = '部分共享';
      docs[3].provider = bad.bad;
      delete docs[5].summary;
      docs[7].items[2].name = docs[7].items[0].name;
      const body = await buildWorkbook('resources', docs);
      // Excel rows: 1 header, 2 description, 3 example; data from row 4. Items: example items on rows 3–7, data from row 8.
      const itemRowOf = (resource: number, item: number) => 8 + docs.slice(0, resource).reduce((n, d) => n + d.items.length, 0) + item;
      const resourcesBefore = await t.knex('odx.resources').count<{ c: string }[]>('* as c');
      const pendingBefore = await t.knex('odx.audit_pending').count<{ c: string }[]>('* as c');
      const eventsBefore = await t.knex('odx.audit_events').count<{ c: string }[]>('* as c');

      const res = await post('resources', t.deptA.uscc).set('Content-Type', XLSX).send(body).expect(422);
      expect(res.body.error.code).to.equal('import_rejected');
      expect(res.body.error.message).to.equal('4 problem(s) in 4 row(s) of 10; nothing was imported');
      const details = res.body.error.details as Record<string, string | number>[];
      expect(details.map(({ sheet, row, column, path }) => ({ sheet, row, column, path }))).to.deep.equal([
        { sheet: '数据清单', row: 5, column: '共享类型', path: '/shareType' },
        { sheet: '数据清单', row: 7, column: '信息资源提供方代码', path: '/provider' },
        { sheet: '数据清单', row: 9, column: '信息资源摘要', path: '/summary' },
        { sheet: '信息项', row: itemRowOf(7, 2), column: '字段名', path: '/items/2/name' },
      ]);
      expect(details[0]).to.include({ value: '部分共享' });
      expect(details[0].messageZh).to.equal('“共享类型”（shareType）取值应为以下之一：unconditional（无条件共享）、conditional（有条件共享）、none（不予共享）；实际为 "部分共享"');
      expect(details[0].message).to.contain('must be one of');
      expect(details[1]).to.include({ value: bad.bad });
      expect(details[1].messageZh).to.contain(`校验位错误，应为 ${bad.expected}`);
      expect(details[1].message).to.contain(`wrong check character: expected ${bad.expected}`);
      expect(details[2].messageZh).to.equal('缺少必填项“信息资源摘要”（summary）');
      expect(details[3]).to.include({ value: docs[7].items[0].name });
      expect(details[3].messageZh).to.contain('重复');
      expect(details[3].message).to.contain('is used more than once');

      expect(await t.knex('odx.resources').count<{ c: string }[]>('* as c')).to.deep.equal(resourcesBefore);
      expect(await t.knex('odx.audit_pending').count<{ c: string }[]>('* as c')).to.deep.equal(pendingBefore);
      expect(await t.knex('odx.audit_events').count<{ c: string }[]>('* as c')).to.deep.equal(eventsBefore);
    });

    it('reports rows of another department, unknown source systems and classifications, and items of no resource', async () => {
      const docs = resourceDocs(4, t.deptA.uscc, 32).map((d, i): Record<string, any> => ({ ...d, name: `归属检查资源${i}` }));
      docs[0].provider = t.deptB.uscc;
      docs[1].sourceSystem = '不存在的系统';
      docs[2].category = '不存在的分类';
      const csv = censusCsv('resources', docs);
      const items = csv.items!.replace(/\r\n$/, '') + '\r\n无主资源,extra,多余信息项,字符型\r\n';
      const res = await post('resources', t.deptA.uscc)
        .attach('file', Buffer.from(csv.main), { filename: 'r.csv', contentType: 'text/csv' })
        .attach('items', Buffer.from(items), { filename: 'i.csv', contentType: 'text/csv' })
        .expect(422);
      const details = res.body.error.details as Record<string, string | number>[];
      const lastItemRow = 1 + docs.reduce((n, d) => n + d.items.length, 0) + 1;
      expect(details.map(({ sheet, row, column }) => ({ sheet, row, column }))).to.deep.equal([
        { sheet: '数据清单', row: 2, column: '信息资源提供方代码' },
        { sheet: '数据清单', row: 3, column: '来源信息系统' },
        { sheet: '数据清单', row: 4, column: '信息资源分类' },
        { sheet: '信息项', row: lastItemRow, column: '信息资源名称' },
      ]);
      expect(details[0].messageZh).to.equal(`应为导入部门的统一社会信用代码 ${t.deptA.uscc}（或留空），实际为 ${t.deptB.uscc}`);
      expect(details[1].messageZh).to.equal('“不存在的系统”不是本部门系统清单中的系统');
      expect(details[2].messageZh).to.equal('信息资源分类“不存在的分类”不存在（请填写分类代码或分类名称）');
      expect(details[3].messageZh).to.equal('「数据清单」中没有名为“无主资源”的信息资源');
    });

    it('refuses unknown and missing required columns before reading rows', async () => {
      const csv = '系统名称,系统描述,建设状况\r\n甲,描述,已建\r\n';
      const res = await post('systems', t.deptA.uscc).set('Content-Type', 'text/csv').send(csv).expect(422);
      const details = res.body.error.details as Record<string, string | number>[];
      expect(details.map((d) => [d.row, d.column, d.messageZh])).to.deep.equal([
        [1, '建设状况', '未知的列“建设状况”：请使用模板中的列标题'],
        [1, '系统联系人-姓名', '缺少必填列“系统联系人-姓名”'],
        [1, '建设状态', '缺少必填列“建设状态”'],
        [1, '使用范围', '缺少必填列“使用范围”'],
        [1, '承载网络', '缺少必填列“承载网络”'],
      ]);
    });

    it('names the wrong kind of workbook and refuses .xls and garbage', async () => {
      const wrong = await post('resources', t.deptA.uscc).set('Content-Type', XLSX).send(await buildWorkbook('systems', systemDocs(2, t.deptA.uscc))).expect(422);
      expect(wrong.body.error.details[0].messageZh).to.equal('这是「系统清单」文件，不是「数据清单」；请检查导入类型');
      const xls = await post('systems', t.deptA.uscc).send(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])).expect(422);
      expect(xls.body.error.details[0].messageZh).to.contain('.xls');
      const zip = await post('systems', t.deptA.uscc).send(Buffer.from('PK\u0003\u0004 not really a workbook')).expect(422);
      expect(zip.body.error.details[0].messageZh).to.contain('无法读取 .xlsx 文件');
    });
  });

  describe('the upload', () => {
    it('answers 413 past the size limit and 415 to JSON', async () => {
      const big = Buffer.alloc(IMPORT_LIMIT_BYTES + 1, 0x41);
      const res = await post('systems', t.deptA.uscc).set('Content-Type', 'text/csv').send(big).expect(413);
      expect(res.body.error.code).to.equal('payload_too_large');
      await post('systems', t.deptA.uscc).send({ name: 'x' }).expect(415);
    });

    it('lets a department import only for itself; the admin for any', async () => {
      const csv = censusCsv('systems', systemDocs(1, t.deptA.uscc)).main;
      await post('systems', t.deptA.uscc, 'registrar', 'B').set('Content-Type', 'text/csv').send(csv).expect(403);
      await request(t.app).post('/api/v1/census/imports').query({ kind: 'systems', department: t.deptA.uscc }).set('Content-Type', 'text/csv').send(csv).expect(401);
      await post('systems', withUsccCheck('91350200MA0000000'), 'admin').set('Content-Type', 'text/csv').send(csv).expect(404);
      await post('systems', '123', 'admin').set('Content-Type', 'text/csv').send(csv).expect(400);
    });

    it('serves the blank templates without a token', async () => {
      const res = await request(t.app).get('/api/v1/census/templates/resources').buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      }).expect(200);
      expect(res.headers['content-type']).to.contain('spreadsheetml');
      expect((await workbook(res.body)).worksheets.map((w) => w.name)).to.include('信息项');
    });
  });

  describe('progress', () => {
    it('reports rows parsed, validated and stored', async () => {
      const seen: ImportProgress[] = [];
      const r = await importCensus(t.knex, { actor: TEST_ACTOR }, {
        list: 'systems',
        department: t.deptB.uscc,
        file: Buffer.from(censusCsv('systems', systemDocs(250, t.deptB.uscc, 41)).main),
        onProgress: (p) => seen.push(p),
      });
      expect(r.created).to.equal(250);
      expect(seen[0]).to.deep.equal({ phase: 'parsed', done: 250, total: 250 });
      const phases = [...new Set(seen.map((p) => p.phase))];
      expect(phases).to.deep.equal(['parsed', 'validated', 'stored']);
      for (const phase of ['validated', 'stored'] as const) {
        const done = seen.filter((p) => p.phase === phase).map((p) => p.done);
        expect(done[done.length - 1]).to.equal(250);
        expect(done).to.deep.equal([...done].sort((a, b) => a - b));
      }
    });
  });
});
