import { expect } from 'chai';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { setPassword, testApp, type TestApp } from '../helpers/app.ts';
import { systemOf } from '../helpers/sharing.ts';
import { ensureWebBuild, launchChromium, listen, seriousViolations } from '../helpers/browser.ts';

const PASSWORD = 'admin-test-密码-2026';
/** Where the pages' screenshots go when asked for (ODX_SCREENSHOTS=dir): at 1280 and 360 px, to look at. */
const SHOTS = process.env.ODX_SCREENSHOTS;

/**
 * The administrator's console in Chromium: a department under another (a wrong 统一社会信用代码 told
 * at its field first), an account with the registrar role in it and a password handed over, the new
 * person signed in with the registrar's menu (an officer's once that role is added), the account
 * disabled and the person's next request refused; a token made for an account, used, revoked and
 * refused; an officer's view of the same pages. axe on every page.
 */
describe('the administrator’s console in Chromium', function () {
  this.timeout(600_000);
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const url = (p: string) => server.base + p;

  before(async () => {
    t = await testApp({ env: { ODX_WEB_DIR: ensureWebBuild() } });
    await setPassword(t.knex, t.principals.admin.id, PASSWORD);
    await setPassword(t.knex, t.principals.officer.id, PASSWORD);
    server = await listen(t);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') for (const [n, c] of contexts.entries()) for (const p of c.pages()) await p.screenshot({ path: `/tmp/admin-${n}.png` }).catch(() => {});
    expect(pageErrors.splice(0), 'errors in the page').to.deep.equal([]);
  });

  async function signedIn(login: string, password: string, width = 1280): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url('/sign-in?next=/console'));
    await page.getByLabel('账号或邮箱').fill(login);
    await page.getByLabel('密码', { exact: true }).fill(password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((u) => u.pathname === '/console');
    return page;
  }
  const axe = async (page: Page, what: string) => {
    // a button just out of its busy state fades back to its colours: seriousViolations waits for such finite
    // motions (an endless one, a spinner, would never end, so this does not wait for every animation)
    await page.locator('.ant-btn-loading').waitFor({ state: 'detached' });
    expect(await seriousViolations(page), `axe on ${what}`).to.deep.equal([]);
  };
  /** The open confirmation's button (antd keeps closed ones in the page, hidden). */
  const confirm = (p: Page, name: string) => p.locator('.ant-popover:not(.ant-popover-hidden) .ant-popconfirm-buttons').getByRole('button', { name });
  /** Picks an option of an antd Select by typing part of its text. */
  async function choose(p: Page, scope: Locator | Page, label: string, typed: string, option: string) {
    const box = scope.getByLabel(label, { exact: true });
    await box.click({ force: true });
    await box.fill(typed);
    await p.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: option }).first().click();
  }
  async function shoot(p: Page, name: string) {
    if (!SHOTS) return;
    await p.screenshot({ path: `${SHOTS}/${name}-1280.png`, fullPage: true });
    await p.setViewportSize({ width: 360, height: 800 });
    await p.waitForTimeout(1500);
    await p.screenshot({ path: `${SHOTS}/${name}-360.png`, fullPage: true });
    await p.setViewportSize({ width: 1280, height: 900 });
  }

  let admin: Page;
  let person: Page;
  let issued = '';

  it('creates a department under another: a wrong 统一社会信用代码 is told in Chinese at its field first', async () => {
    admin = await signedIn('a.admin', PASSWORD);
    const menu = admin.getByRole('navigation', { name: '工作台菜单' });
    await menu.getByRole('link', { name: '部门', exact: true }).click();
    await admin.getByRole('heading', { name: '部门', level: 1 }).waitFor();
    await admin.getByRole('row').filter({ hasText: '测试甲局' }).first().waitFor();
    await axe(admin, 'the department tree');
    await admin.getByRole('button', { name: '在“测试甲局”下新建部门' }).click();
    const dialog = admin.getByRole('dialog');
    await dialog.getByLabel('部门名称').fill('测试甲局数据中心');
    const good = withUsccCheck('12350200MB0A12345');
    const wrong = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    await dialog.getByLabel('统一社会信用代码').fill(wrong.toLowerCase());
    await dialog.getByLabel('行政区划代码').fill('350200');
    await dialog.getByText(`应为有效的统一社会信用代码（GB 32100：18 位，校验位正确）：校验位错误，应为 ${good[17]}`).waitFor();
    // the parent is the department the button was on
    await dialog.getByText('测试甲局', { exact: true }).waitFor();
    await axe(admin, 'the department form with an error at its field');
    await shoot(admin, 'admin-department-form');
    await dialog.getByRole('button', { name: '保存' }).click();
    expect(await t.knex('odx.departments').where({ name: '测试甲局数据中心' }).first(), 'nothing sent while the code is wrong').to.equal(undefined);
    await dialog.getByLabel('统一社会信用代码').fill(good);
    await dialog.getByRole('button', { name: '保存' }).click();
    await admin.getByText('部门“测试甲局数据中心”已创建').waitFor();
    await admin.getByRole('row').filter({ hasText: '测试甲局数据中心' }).waitFor();
    const made = await t.knex('odx.departments').where({ name: '测试甲局数据中心' }).first();
    expect(made).to.include({ parent_id: t.deptA.id, uscc: good, region_code: '350200' });
    await shoot(admin, 'admin-departments');
  });

  it('creates an account with the registrar role in it and gives it a password; the person signs in and sees the registrar’s menu', async () => {
    await admin.getByRole('navigation', { name: '工作台菜单' }).getByRole('link', { name: '账号与角色' }).click();
    await admin.getByRole('heading', { name: '账号与角色', level: 1 }).waitFor();
    await admin.getByRole('row').filter({ hasText: 'a.registrar' }).waitFor();
    await axe(admin, 'the accounts');
    await admin.getByRole('button', { name: '新建账号' }).click();
    const dialog = admin.getByRole('dialog');
    await dialog.getByLabel('登录名').fill('zxzx.li');
    await dialog.getByLabel('姓名').fill('李填报');
    await choose(admin, dialog, '部门', '数据中心', '测试甲局数据中心');
    await dialog.getByRole('checkbox', { name: '填报人员' }).check();
    await axe(admin, 'the new account form');
    await dialog.getByRole('button', { name: '新建账号' }).click();
    await admin.getByText('账号 zxzx.li 已创建').waitFor();
    // found by search, with its department and role
    await admin.getByLabel('搜索登录名或姓名').fill('李填报');
    await admin.getByText('1 个账号').waitFor();
    const row = admin.locator('tbody tr.ant-table-row').filter({ hasText: 'zxzx.li' });
    await row.getByText('测试甲局数据中心').waitFor();
    await row.getByText('填报人员').waitFor();
    await row.getByRole('button', { name: '为 李填报 设置密码' }).click();
    const pw = admin.getByRole('dialog');
    await pw.getByRole('button', { name: '生成新密码' }).click();
    const secret = pw.getByLabel('zxzx.li 的新密码');
    await secret.waitFor();
    issued = await secret.inputValue();
    expect(issued).to.match(/^\w{4}-\w{4}-\w{4}-\w{4}$/);
    await axe(admin, 'the password shown once');
    await pw.getByRole('button', { name: '完成' }).click();
    await shoot(admin, 'admin-accounts');

    person = await signedIn('zxzx.li', issued);
    const menu = person.getByRole('navigation', { name: '工作台菜单' });
    await menu.getByRole('link', { name: '数据清单' }).waitFor();
    expect(await menu.getByRole('link', { name: '账号与角色' }).count()).to.equal(0);
    expect(await menu.getByRole('link', { name: '部门', exact: true }).count()).to.equal(0);
    // every role lists its own tokens; the token page is for those who reach a department's
    expect(await menu.getByRole('link', { name: '令牌' }).count()).to.equal(0);
  });

  it('changes the account’s roles: the person’s menu follows; then disables it and the person’s next request is refused', async () => {
    const row = admin.locator('tbody tr.ant-table-row').filter({ hasText: 'zxzx.li' });
    await row.getByRole('button', { name: '修改 李填报 的角色' }).click();
    const dialog = admin.getByRole('dialog', { name: '修改 李填报 的角色' });
    const officerRole = dialog.getByRole('checkbox', { name: '首席数据官' });
    await officerRole.waitFor();
    // a click while the dialog still zooms in (slowly, on a loaded machine) can miss the box: click until it holds
    for (let i = 0; i < 5 && !(await officerRole.isChecked()); i++) {
      await officerRole.click();
      await admin.waitForTimeout(300);
    }
    expect(await officerRole.isChecked(), 'the officer role ticked').to.equal(true);
    await axe(admin, 'the roles dialog');
    await dialog.getByRole('button', { name: '保存' }).click();
    await row.getByText('首席数据官').waitFor();
    await person.reload();
    await person.getByRole('navigation', { name: '工作台菜单' }).getByRole('link', { name: '待办事项' }).waitFor();

    await row.getByRole('button', { name: '停用 李填报' }).click();
    await confirm(admin, '停用').click();
    await row.getByText('已停用').waitFor();
    expect(await person.evaluate(() => fetch('/api/v1/me').then((r) => r.status))).to.equal(401);
    await person.reload();
    await person.waitForURL((u) => u.pathname === '/sign-in');
  });

  it('creates a token for an account (its secret shown once), which works until it is revoked', async () => {
    await admin.getByRole('navigation', { name: '工作台菜单' }).getByRole('link', { name: '令牌' }).click();
    await admin.getByRole('heading', { name: 'API 令牌', level: 1 }).waitFor();
    await axe(admin, 'the tokens');
    await choose(admin, admin, '账号', 'a.registrar', '(a.registrar)');
    await admin.getByLabel('名称').fill('数据上报脚本');
    await admin.getByRole('button', { name: '创建令牌' }).click();
    const secret = admin.getByLabel('令牌“数据上报脚本”（a.registrar）');
    await secret.waitFor();
    const bearer = await secret.inputValue();
    expect(bearer).to.match(/^odx_\w{32}$/);
    await axe(admin, 'the token shown once');
    const call = () => fetch(url('/api/v1/me'), { headers: { Authorization: `Bearer ${bearer}` } });
    const me = await call();
    expect(me.status).to.equal(200);
    expect((await me.json()).login).to.equal('a.registrar');
    const row = admin.locator('tbody tr.ant-table-row').filter({ hasText: '数据上报脚本' });
    await row.getByText('a.registrar').waitFor();
    await shoot(admin, 'admin-tokens');
    await row.getByRole('button', { name: '吊销令牌 数据上报脚本' }).click();
    await confirm(admin, '吊销').click();
    // revoked tokens leave the list unless asked for
    await row.waitFor({ state: 'detached' });
    await admin.getByRole('checkbox', { name: '显示已吊销和已过期的令牌' }).check();
    await admin.locator('tbody tr.ant-table-row').filter({ hasText: '数据上报脚本' }).getByText('已吊销').waitFor();
    expect((await call()).status).to.equal(401);
  });

  it('gives an officer the same pages for their department: its accounts, its tokens, no department tree and no passwords', async () => {
    const officer = await signedIn('a.officer', PASSWORD);
    const menu = officer.getByRole('navigation', { name: '工作台菜单' });
    expect(await menu.getByRole('link', { name: '部门', exact: true }).count()).to.equal(0);
    await menu.getByRole('link', { name: '账号与角色' }).click();
    await officer.locator('tbody tr.ant-table-row').filter({ hasText: 'a.registrar' }).waitFor();
    const logins = await officer.locator('tbody tr.ant-table-row td:first-child').allInnerTexts();
    expect(logins.some((l) => l.startsWith('b.'))).to.equal(false);
    expect(await officer.getByRole('button', { name: /设置密码/ }).count()).to.equal(0);
    await axe(officer, 'the officer’s accounts');
    await menu.getByRole('link', { name: '令牌' }).click();
    await officer.getByRole('heading', { name: '为自己创建令牌' }).waitFor();
    await axe(officer, 'the officer’s tokens');
    const accounts = await officer.locator('tbody tr.ant-table-row td:first-child').allInnerTexts();
    expect(accounts.length).to.be.greaterThan(0);
    expect(accounts.every((l) => l.startsWith('a.'))).to.equal(true);
  });

  it('lets an officer create a consumer credential for a system of the department, its secret shown once; the department’s people are one link away', async () => {
    await systemOf(t.knex, t.deptA, '不动产登记查询系统');
    const officer = await signedIn('a.officer', PASSWORD);
    await officer.getByRole('navigation', { name: '工作台菜单' }).getByRole('link', { name: '调用凭证' }).click();
    await officer.getByRole('heading', { name: '调用凭证', level: 1 }).waitFor();
    // the people of the department are listed, and managed, on one page only
    expect(await officer.getByRole('table', { name: '本部门账号' }).count()).to.equal(0);
    await officer.getByLabel('绑定系统', { exact: true }).click({ force: true });
    await officer.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: '不动产登记查询系统' }).click();
    await officer.getByLabel('凭证账号').fill('a.bdc.api');
    await officer.getByRole('button', { name: '创建调用凭证' }).click();
    const dialog = officer.getByRole('dialog');
    // a click while the dialog zooms in is lost: the button is taken once it has settled
    await officer.locator('.ant-modal.ant-zoom-appear').waitFor({ state: 'detached' });
    const secret = (await dialog.locator('.secret').innerText()).trim();
    expect(secret.length, 'the secret shown').to.be.greaterThan(20);
    await dialog.getByRole('button', { name: /确\s*定|OK/ }).click();
    await officer.locator('tbody tr.ant-table-row').filter({ hasText: 'a.bdc.api' }).filter({ hasText: '不动产登记查询系统' }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    expect(await officer.getByRole('main').count(), 'one main landmark, not one in another').to.equal(1);
    expect(await officer.getByRole('main').innerText(), 'the secret is not shown again').to.not.include(secret);
    const res = await fetch(url('/api/v1/me'), { headers: { Authorization: `Bearer ${secret}` } });
    expect(res.status, 'the credential works').to.equal(200);
    await axe(officer, 'the officer’s credentials');
    await shoot(officer, 'officer-credentials');
    await officer.getByRole('link', { name: /本部门的账号和角色/ }).click();
    await officer.waitForURL((u) => u.pathname === '/console/admin/accounts');
    await officer.locator('tbody tr.ant-table-row').filter({ hasText: 'a.registrar' }).waitFor();
  });
});
