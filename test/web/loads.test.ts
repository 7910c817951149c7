import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { setPassword, testApp, type TestApp } from '../helpers/app.ts';
import { ensureWebBuild, launchChromium, listen, seriousViolations } from '../helpers/browser.ts';
import { licenceCsv, publishedResource } from '../helpers/census.ts';
import { censusCsv, systemDocs } from '../fixtures/census/generate.ts';

const PASSWORD = 'loads-test-密码-2026';

describe('the registrar uploads in Chromium: census workbooks and data loads', function () {
  this.timeout(300_000);
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  let page: Page;
  let dir: string;
  const pageErrors: string[] = [];
  const url = (p: string) => server.base + p;

  before(async () => {
    t = await testApp({ env: { ODX_WEB_DIR: ensureWebBuild() } });
    await setPassword(t.knex, t.principals.registrar.id, PASSWORD);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-web-loads-'));
    server = await listen(t);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })).newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url('/sign-in?next=/console'));
    await page.getByLabel('账号或邮箱').fill('a.registrar');
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((u) => u.pathname === '/console');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });
  afterEach(() => expect(pageErrors, 'errors in the page').to.deep.equal([]));

  it('loads a CSV into a resource: progress, the rejected values with line and reason, the new version; and restores the earlier one', async () => {
    const resource = await publishedResource(t.knex, t.deptA.uscc, { name: '营业执照（上传测试）' });
    const good = path.join(dir, 'licences.csv');
    await fs.writeFile(good, licenceCsv(1, 30));
    // two bad cells: a check digit and a date
    const bad = path.join(dir, 'licences-with-errors.csv');
    const lines = licenceCsv(1, 40).split('\n');
    lines[3] = lines[3].replace(/^(.{17})(.)/, (_, head: string, check: string) => head + (check === '0' ? '1' : '0'));
    lines[8] = lines[8].replace(/2021-03-\d\d$/, '2021-02-30');
    await fs.writeFile(bad, lines.join('\n'));

    await page.goto(url('/console'));
    await page.getByRole('navigation', { name: '工作台菜单' }).getByRole('link', { name: '数据上传' }).click();
    await page.getByRole('heading', { level: 1, name: '数据上传' }).waitFor();
    await page.getByLabel('数据资源').click();
    await page.locator('.ant-select-item-option', { hasText: '营业执照（上传测试）' }).click();
    await page.waitForURL(new RegExp(`resource=${resource.id}`));

    await page.locator('input[type=file]').setInputFiles(good);
    await page.getByText('已选择：licences.csv').waitFor();
    await page.getByRole('button', { name: '开始上传' }).click();
    await page.getByText('上传成功：载入 30 行，生成版本 1。').waitFor({ timeout: 60_000 });
    expect(await seriousViolations(page), 'axe on the loads page').to.deep.equal([]);

    await page.locator('input[type=file]').setInputFiles(bad);
    await page.getByLabel('允许的错误行数').fill('5');
    await page.getByRole('button', { name: '开始上传' }).click();
    await page.getByText('上传成功：载入 38 行，生成版本 2。').waitFor({ timeout: 60_000 });
    const rejects = page.locator('section', { has: page.getByRole('heading', { name: '未通过校验的记录' }) });
    await rejects.getByText('共 2 个值未通过校验').waitFor();
    const rows = rejects.locator('tbody tr.ant-table-row');
    await rows.nth(1).waitFor();
    expect(await rows.count()).to.equal(2);
    const texts = await rows.allInnerTexts();
    // the file's lines as an editor numbers them (the header is line 1)
    expect(texts[0].split('\t')[0]).to.equal('4');
    expect(texts[0]).to.contain('统一社会信用代码');
    expect(texts[1].split('\t')[0]).to.equal('9');
    expect(texts[1]).to.contain('成立日期').and.contain('2021-02-30');
    expect(await seriousViolations(page), 'axe with the rejects shown').to.deep.equal([]);

    const versions = page.locator('section', { has: page.getByRole('heading', { name: '版本' }) });
    await versions.getByText('2 · 当前版本').waitFor();
    await versions.getByRole('button', { name: '恢复为当前版本' }).click();
    await page.getByRole('button', { name: /确\s*定|OK/ }).click();
    await page.getByText('已恢复版本 1。').waitFor();
    await versions.getByText('1 · 当前版本').waitFor();
    expect((await t.knex('odx.resources').where({ id: resource.id }).first('current_version')).current_version).to.equal(1);
  });

  it('imports a census workbook whole or not at all: every bad row listed, nothing stored; the fixed file imported', async () => {
    const docs = systemDocs(5, t.deptA.uscc, 11);
    const before = Number((await t.knex('odx.systems').where({ department_id: t.deptA.id }).count<{ c: string }[]>('* as c'))[0].c);
    const fixed = path.join(dir, '系统清单.csv');
    await fs.writeFile(fixed, censusCsv('systems', docs).main);
    const broken = path.join(dir, '系统清单-有错.csv');
    const rows = censusCsv('systems', docs).main.split('\n');
    // the system name of the third data row left empty
    rows[3] = rows[3].replace(/^[^,]*/, '');
    await fs.writeFile(broken, rows.join('\n'));

    await page.goto(url('/console/census-import'));
    await page.getByRole('heading', { level: 1, name: '普查导入' }).waitFor();
    expect(await seriousViolations(page), 'axe on the import page').to.deep.equal([]);
    // the page's own button in Chinese, not the browser's "Choose File"
    await page.getByRole('button', { name: '选择文件' }).waitFor();
    await page.getByText('未选择文件').waitFor();
    await page.getByLabel(/填好的文件/).setInputFiles(broken);
    await page.locator('.file-picker-name').getByText('系统清单-有错.csv').waitFor();
    await page.getByRole('button', { name: '导入' }).click();
    await page.getByText(/文件未导入：共 \d+ 个问题/).waitFor();
    const problems = await page.locator('tbody tr.ant-table-row').allInnerTexts();
    expect(problems.join('\n')).to.contain('系统名称');
    expect(Number((await t.knex('odx.systems').where({ department_id: t.deptA.id }).count<{ c: string }[]>('* as c'))[0].c)).to.equal(before);
    expect(await seriousViolations(page), 'axe with the refused rows').to.deep.equal([]);

    await page.getByLabel(/填好的文件/).setInputFiles(fixed);
    await page.getByRole('button', { name: '导入' }).click();
    await page.getByText('已导入 5 条系统清单。').waitFor();
    expect(Number((await t.knex('odx.systems').where({ department_id: t.deptA.id }).count<{ c: string }[]>('* as c'))[0].c)).to.equal(before + 5);
  });
});
