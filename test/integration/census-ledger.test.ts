import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { runCommand } from '../../server/src/audit/command.ts';
import { documentCreator } from '../../server/src/census/documents/commands.ts';
import { demandLinker } from '../../server/src/census/demands/commands.ts';
import { resourceStepper } from '../../server/src/census/resources/lifecycle.ts';
import { TEST_ACTOR, testApp, type TestApp } from '../helpers/app.ts';
import { binary } from '../helpers/binary.ts';
import { demandDoc, resourceDoc, systemDoc } from '../helpers/census.ts';


describe('census ledger (一本账)', function () {
  this.timeout(60_000);
  let t: TestApp;
  const ids = {} as Record<'s1' | 's2' | 'r1' | 'r2' | 'r3' | 'd1' | 'd2', number>;

  before(async () => {
    t = await testApp({ emptyCensus: true }); // the counts below are of this test's documents alone
    await runCommand(t.knex, { actor: TEST_ACTOR }, async (ctx) => {
      ids.s1 = (await documentCreator(ctx, 'system', systemDoc(t.deptA.uscc, { name: '企业登记注册系统', protectionLevel: 3 }))).id;
      ids.s2 = (await documentCreator(ctx, 'system', systemDoc(t.deptB.uscc, { name: '医疗机构管理系统', buildStatus: 'building', launchedAt: undefined }))).id;
      ids.r1 = (await documentCreator(ctx, 'resource', resourceDoc(t.deptA.uscc, { sourceSystem: ids.s1 }))).id;
      for (const step of ['submit', 'approve', 'publish'] as const) await resourceStepper(ctx, ids.r1, step);
      ids.r2 = (await documentCreator(ctx, 'resource', resourceDoc(t.deptA.uscc, { name: '企业年报信息', shareType: 'conditional', shareCondition: '仅限监管使用', openType: 'closed' }))).id;
      ids.r3 = (await documentCreator(ctx, 'resource', resourceDoc(t.deptB.uscc, { name: '医疗机构执业信息', category: '202', domain: 'health' }))).id;
      ids.d1 = (await documentCreator(ctx, 'demand', demandDoc(t.deptB.uscc, { name: '医保结算核验营业执照', provider: t.deptA.uscc }))).id;
      await demandLinker(ctx, ids.d1, ids.r1);
      ids.d2 = (await documentCreator(ctx, 'demand', demandDoc(t.deptA.uscc, { name: '企业开办需医疗机构信息', accessMode: 'table_exchange', updateCycle: 'daily' }))).id;
    });
  });
  after(() => t.close());

  const ledger = (role: 'authority' | 'officer' | 'registrar' | 'admin', dept: 'A' | 'B' = 'A', query: Record<string, string> = {}) =>
    request(t.app).get('/api/v1/census/ledger').query(query).set(t.auth(role, dept));

  it('lists every system, resource and demand with its department, status and links (JSON)', async () => {
    const res = await ledger('authority').expect(200);
    expect(res.body.counts).to.deep.equal({ systems: 2, resources: 3, demands: 2 });
    const s1 = res.body.systems.find((s: { id: number }) => s.id === ids.s1);
    expect(s1).to.deep.include({ name: '企业登记注册系统', departmentId: t.deptA.id, department: '测试甲局', departmentCode: t.deptA.uscc, status: 'active', buildStatus: 'built', protectionLevel: 3 });
    expect(s1.resources).to.have.length(1);
    expect(s1.resources[0]).to.include({ id: ids.r1, name: '企业营业执照信息' });
    expect(s1.resources[0].code).to.match(/^102\/\d{6}$/);
    const r1 = res.body.resources.find((r: { id: number }) => r.id === ids.r1);
    expect(r1).to.deep.include({ status: 'published', category: '102', categoryName: '法人单位信息', shareType: 'unconditional', items: 5, demands: 1, department: '测试甲局' });
    expect(r1.sourceSystem).to.deep.equal({ id: ids.s1, name: '企业登记注册系统' });
    expect(r1.publishedAt).to.be.a('string');
    const d1 = res.body.demands.find((d: { id: number }) => d.id === ids.d1);
    expect(d1).to.deep.include({ status: 'matched', department: '测试乙局', provider: t.deptA.uscc, providerName: '测试甲局', accessMode: 'query' });
    expect(d1.resources).to.deep.equal([{ id: ids.r1, code: r1.code, name: '企业营业执照信息', departmentId: t.deptA.id }]);
  });

  it('shows officers and registrars only their own department; the authority any department it asks for', async () => {
    const a = await ledger('officer').expect(200);
    expect(a.body.systems.map((s: { id: number }) => s.id)).to.deep.equal([ids.s1]);
    expect(a.body.resources.map((r: { id: number }) => r.id)).to.deep.equal([ids.r1, ids.r2]);
    expect(a.body.demands.map((d: { id: number }) => d.id)).to.deep.equal([ids.d2]);
    const b = await ledger('registrar', 'B').expect(200);
    expect(b.body.counts).to.deep.equal({ systems: 1, resources: 1, demands: 1 });
    const bAsksA = await ledger('registrar', 'B', { department: String(t.deptA.id) }).expect(200);
    expect(bAsksA.body.counts).to.deep.equal({ systems: 0, resources: 0, demands: 0 });
    const authorityB = await ledger('authority', 'A', { department: String(t.deptB.id) }).expect(200);
    expect(authorityB.body.department).to.equal(t.deptB.id);
    expect(authorityB.body.systems.map((s: { id: number }) => s.id)).to.deep.equal([ids.s2]);
    expect(authorityB.body.demands.map((d: { id: number }) => d.id)).to.deep.equal([ids.d1]);
    await request(t.app).get('/api/v1/census/ledger').set(t.auth('consumer')).expect(403);
    await request(t.app).get('/api/v1/census/ledger').set(t.auth('developer')).expect(403);
  });

  it('exports CSV in UTF-8 with a BOM for Excel: one table, a 清单 column, Chinese headers and labels', async () => {
    const res = await ledger('admin', 'A', { format: 'csv' }).buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).to.equal('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).to.contain('attachment').and.contain('.csv');
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const rows = parse(body, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).to.have.length(7);
    expect(Object.keys(rows[0]).slice(0, 6)).to.deep.equal(['清单', '编号', '名称', '所属部门', '部门统一社会信用代码', '状态']);
    expect(rows.map((r) => r['清单'])).to.deep.equal(['系统清单', '系统清单', '数据清单', '数据清单', '数据清单', '需求清单', '需求清单']);
    const r1 = rows.find((r) => r['清单'] === '数据清单' && r['编号'] === String(ids.r1))!;
    expect(r1).to.include({ 名称: '企业营业执照信息', 所属部门: '测试甲局', 状态: '已发布', 共享类型: '无条件共享', 开放属性: '无条件开放', 信息资源分类: '102 法人单位信息', 是否挂接: '否', 关联需求数: '1' });
    expect(r1['来源信息系统']).to.equal(`企业登记注册系统（编号 ${ids.s1}）`);
    const s1 = rows.find((r) => r['清单'] === '系统清单' && r['编号'] === String(ids.s1))!;
    expect(s1).to.include({ 建设状态: '已建', 等保定级: '第三级', 状态: '在用', 产生的信息资源数: '1' });
    const d1 = rows.find((r) => r['清单'] === '需求清单' && r['编号'] === String(ids.d1))!;
    expect(d1).to.include({ 状态: '已匹配', 期望获取方式: '接口查询', 关联资源数: '1', 资源所在部门: '测试甲局' });
    expect(d1['关联资源']).to.equal(`企业营业执照信息（${r1['信息资源代码']}）`);
    const d2 = rows.find((r) => r['编号'] === String(ids.d2) && r['清单'] === '需求清单')!;
    expect(d2).to.include({ 状态: '待对接', 期望获取方式: '库表交换', 期望更新频率: '每日', 关联资源: '' });
  });

  it('exports one list as CSV without the 清单 column', async () => {
    const res = await ledger('officer', 'A', { format: 'csv', list: 'resources' }).buffer(true).parse(binary).expect(200);
    const rows = parse(res.body as Buffer, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r['名称'])).to.deep.equal(['企业营业执照信息', '企业年报信息']);
    expect(Object.keys(rows[0])).not.to.include('清单');
    expect(rows[1]).to.include({ 状态: '草稿', 共享类型: '有条件共享', 信息资源代码: '' });
  });

  it('exports .xlsx with one sheet per list', async () => {
    const res = await ledger('authority', 'A', { format: 'xlsx' }).buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).to.contain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).to.deep.equal(['系统清单', '数据清单', '需求清单']);
    const sheet = (name: string) => {
      const ws = wb.getWorksheet(name)!;
      const header = (ws.getRow(1).values as unknown[]).slice(1) as string[];
      const rows: Record<string, unknown>[] = [];
      ws.eachRow((row, n) => {
        if (n === 1) return;
        const v = (row.values as unknown[]).slice(1);
        rows.push(Object.fromEntries(header.map((h, i) => [h, v[i] ?? null])));
      });
      return rows;
    };
    const systems = sheet('系统清单');
    expect(systems.map((s) => s['编号'])).to.deep.equal([ids.s1, ids.s2]);
    expect(systems[1]).to.include({ 名称: '医疗机构管理系统', 所属部门: '测试乙局', 建设状态: '在建' });
    const resources = sheet('数据清单');
    expect(resources).to.have.length(3);
    expect(resources[0]).to.include({ 名称: '企业营业执照信息', 状态: '已发布', 信息项数: 5 });
    const demands = sheet('需求清单');
    expect(demands.map((d) => d['名称'])).to.deep.equal(['医保结算核验营业执照', '企业开办需医疗机构信息']);
  });
});
