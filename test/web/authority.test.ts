import fs from 'node:fs/promises';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { runCommand } from '../../server/src/audit/command.ts';
import { documentCreator } from '../../server/src/census/documents/commands.ts';
import { TEST_ACTOR, setPassword, testApp, type TestApp } from '../helpers/app.ts';
import { ensureWebBuild, launchChromium, listen, seriousViolations } from '../helpers/browser.ts';
import { resourceDoc } from '../helpers/census.ts';

const PASSWORD = 'authority-test-密码-2026';
/** Where the story leaves its screenshots at both widths (docs/screenshots/ holds the chosen ones). */
const SHOTS = process.env.ODX_SCREENSHOTS ?? '/tmp';

/**
 * The data authority's own pages in Chromium: the ledger filtered and exported (the downloaded
 * file read back), the audit trail searched for an event the story caused, the chain verified
 * intact and then found broken where the test rewrote it, the classification tree extended.
 */
describe('the authority’s ledger, audit trail and classification tree in Chromium', function () {
  this.timeout(600_000);
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const url = (p: string) => server.base + p;
  const menu = (name: string) => page.getByRole('navigation', { name: '工作台菜单' }).getByRole('link', { name });
  const axe = async (what: string) => expect(await seriousViolations(page), `axe on ${what}`).to.deep.equal([]);
  const shoot = async (name: string) => {
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: `${SHOTS}/console-authority-${name}-${width}.png`, fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  };

  before(async () => {
    t = await testApp({ env: { ODX_WEB_DIR: ensureWebBuild() } });
    await setPassword(t.knex, t.principals.authority.id, PASSWORD);
    await runCommand(t.knex, { actor: TEST_ACTOR }, async (ctx) => {
      await documentCreator(ctx, 'resource', resourceDoc(t.deptB.uscc, { name: '医疗机构执业许可信息', category: '202', domain: 'health', shareType: 'conditional', shareCondition: '仅限卫生监管使用' }));
      await documentCreator(ctx, 'resource', resourceDoc(t.deptB.uscc, { name: '医疗机构年度校验信息', category: '202', domain: 'health' }));
    });
    server = await listen(t);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url('/sign-in?next=/console'));
    await page.getByLabel('账号或邮箱').fill('a.authority');
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((u) => u.pathname === '/console');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await page.screenshot({ path: '/tmp/authority-failed.png', fullPage: true }).catch(() => {});
    expect(pageErrors, 'errors in the page').to.deep.equal([]);
  });

  it('opens 一本账, filters by department and share type, and exports what it shows', async () => {
    await menu('一本账').click();
    await page.waitForURL(/\/console\/ledger/);
    const table = page.getByRole('table', { name: /数据清单/ });
    await table.getByText('医疗机构执业许可信息').waitFor();
    await axe('the ledger');

    await page.getByLabel('所属部门').click({ force: true });
    await page.locator('.ant-select-item-option').filter({ hasText: '测试乙局' }).click();
    await page.getByLabel('共享类型').click({ force: true });
    await page.locator('.ant-select-item-option').filter({ hasText: '有条件共享' }).click();
    await page.getByText('共 1 条').waitFor();
    const rows = table.locator('tbody tr.ant-table-row');
    await expect(await rows.count()).to.equal(1);
    expect(await rows.first().innerText()).to.contain('医疗机构执业许可信息').and.contain('测试乙局').and.contain('有条件共享');
    await axe('the filtered ledger');
    await shoot('ledger');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '导出 Excel' }).click()]);
    expect(download.suggestedFilename()).to.match(/^一本账-数据清单-\d{4}-\d\d-\d\d\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await fs.readFile(await download.path())) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('数据清单')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1) as string[];
    const lines: Record<string, unknown>[] = [];
    ws.eachRow((row, n) => n > 1 && lines.push(Object.fromEntries(header.map((h, i) => [h, (row.values as unknown[])[i + 1] ?? null]))));
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ 名称: '医疗机构执业许可信息', 所属部门: '测试乙局', 共享类型: '有条件共享', 所属领域: '医疗健康' });

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '导出 CSV' }).click()]);
    expect(csv.suggestedFilename()).to.match(/^一本账-数据清单-.*\.csv$/);
    const text = await fs.readFile(await csv.path(), 'utf8');
    expect(text.charCodeAt(0), 'a BOM for Excel').to.equal(0xfeff);
    expect(text).to.contain('医疗机构执业许可信息').and.not.contain('医疗机构年度校验信息');
  });

  let checkpointSeq = 0;

  it('signs a checkpoint, then finds that event in the audit trail by its login and action', async () => {
    await menu('审计日志').click();
    await page.waitForURL(/\/console\/audit/);
    await page.getByRole('table', { name: '审计事件' }).waitFor();
    await axe('the audit search');
    await page.getByRole('tab', { name: '签名头与检查点' }).click();
    await page.getByText('密钥标识（公钥 DER 编码的 SHA-256）').waitFor();
    const keyId = await page.locator('.audit-head code.hash').nth(1).innerText();
    expect(keyId).to.match(/^[0-9a-f]{64}$/);
    await page.getByText('openssl pkeyutl -verify').waitFor();
    await axe('the signed head');
    await page.getByRole('button', { name: '立即签署检查点' }).click();
    const signed = await page.getByText(/已签署检查点 #\d+（第 \d+ 条）/).innerText();
    checkpointSeq = Number(/第 (\d+) 条/.exec(signed)![1]);
    await page.getByRole('table', { name: '检查点列表' }).locator('tbody tr.ant-table-row').first().waitFor();
    await shoot('audit-head');

    await page.getByRole('tab', { name: '检索事件' }).click();
    await page.getByLabel('操作人').fill('a.authority');
    await page.getByLabel('操作', { exact: true }).fill('audit.checkpoint');
    await page.getByRole('button', { name: '检索', exact: true }).click();
    const rows = page.getByRole('table', { name: '审计事件' }).locator('tbody tr.ant-table-row');
    // the unfiltered page shows until the search answers: wait for it to go
    await page.waitForURL(/action=audit\.checkpoint/);
    await rows.nth(1).waitFor({ state: 'detached' });
    expect(await rows.count()).to.equal(1);
    expect(await rows.first().innerText()).to.contain('principal:a.authority');
    await rows.first().getByRole('button').first().click();
    await page.getByText(`"seq": ${checkpointSeq}`).waitFor();
    await axe('an event’s details');
    await shoot('audit-search');
  });

  it('verifies the chain intact, then reports the first broken event of a rewritten chain', async () => {
    await page.getByRole('tab', { name: '完整性校验' }).click();
    // steps of 10 events, as steps of 20,000 would go on a chain of millions: the page walks them all
    const steps: number[] = [];
    await page.route('**/api/v1/audit/verify', (route) => {
      const body = { ...route.request().postDataJSON(), limit: 10 };
      steps.push(body.after ?? 0);
      return route.continue({ postData: JSON.stringify(body) });
    });
    await page.getByRole('button', { name: '完整校验（从第 1 条起）' }).click();
    await page.getByText('完整：审计链未被改动').waitFor();
    const head = await t.knex('odx.audit_head').first('seq');
    expect(steps).to.deep.equal(Array.from({ length: Math.ceil(head.seq / 10) }, (_, i) => i * 10));
    await page.getByText(`已校验 ${head.seq} / ${head.seq} 条`).waitFor();
    await page.unroute('**/api/v1/audit/verify');
    await page.getByText(`已重新计算第 1 至第 ${head.seq} 条`).waitFor();
    await axe('the verification');
    await shoot('audit-verify');

    // someone with the database's superuser rewrites an event behind the triggers' back
    const victim = Math.max(2, checkpointSeq - 3);
    await t.db.superuser.transaction(async (trx) => {
      await trx.raw('set local session_replication_role = replica');
      await trx.raw(`update odx.audit_events set detail = '{"note": "篡改"}' where seq = ?`, [victim]);
    });
    await page.getByRole('button', { name: '完整校验（从第 1 条起）' }).click();
    await page.getByText(`审计链已断开：自第 ${victim} 条起不可信`).waitFor();
    await page.getByText(`第 ${victim} 条事件的内容与其哈希不符`).waitFor();
    await axe('a broken chain');
    await shoot('audit-broken');
  });

  it('opens the classification tree and adds a class under 102', async () => {
    await menu('资源分类').click();
    await page.waitForURL(/\/console\/classifications/);
    const tree = page.getByRole('tree', { name: '分类目录' });
    await tree.getByText('法人单位信息').first().waitFor();
    await axe('the classification tree');
    await tree.getByText('法人单位信息').first().click();
    await expect(await page.getByLabel('分类代码').inputValue()).to.equal('102');
    await page.getByLabel('分类代码').fill('10291');
    await page.getByLabel('分类名称').fill('医疗执业许可');
    await page.getByRole('button', { name: '新增', exact: true }).click();
    await page.getByText('已新增分类 10291 医疗执业许可').waitFor();
    await tree.getByText('医疗执业许可').waitFor();
    expect(await t.knex('odx.classifications').where({ code: '10291' }).first()).to.include({ parent_code: '102', name: '医疗执业许可' });
    await axe('the tree with its new class');
    await shoot('classifications');
  });
});
