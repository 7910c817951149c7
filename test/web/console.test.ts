import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { setPassword, testApp, type TestApp } from '../helpers/app.ts';
import { ensureWebBuild, launchChromium, listen, seriousViolations } from '../helpers/browser.ts';

const PASSWORD = 'console-test-密码-2026';

describe('the console frame in Chromium', function () {
  this.timeout(180_000);
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const url = (p: string) => server.base + p;

  before(async () => {
    t = await testApp({ env: { ODX_WEB_DIR: ensureWebBuild() } });
    await setPassword(t.knex, t.principals.officer.id, PASSWORD);
    server = await listen(t);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });
  afterEach(() => expect(pageErrors, 'errors in the page').to.deep.equal([]));

  it('sends a visitor to sign in and back to the console page asked for; shows department and role', async () => {
    await page.goto(url('/console'));
    await page.waitForURL(/\/sign-in\?next=%2Fconsole$/);
    expect(await seriousViolations(page), 'axe on the sign-in page').to.deep.equal([]);
    await page.getByLabel('账号或邮箱').fill('a.officer');
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((u) => u.pathname === '/console');
    const department = (await t.knex('odx.departments').where({ id: t.deptA.id }).first('name')).name;
    await page.locator('.console-who').getByText(department).waitFor();
    await page.locator('.console-who').getByText('首席数据官').waitFor();
    // the overview's cards sit under the menu's group headings, in the menu's order, each card under its own group
    const menuGroups = await page.locator('nav .ant-menu-item-group-title').allInnerTexts();
    const overviewGroups = await page.locator('main .console-group-title').allInnerTexts();
    expect(overviewGroups.length, 'groups on the overview').to.be.greaterThan(1);
    expect(overviewGroups).to.deep.equal(menuGroups);
    const inbox = page.locator('main .console-group').filter({ has: page.getByRole('link', { name: '待办事项' }) });
    expect(await inbox.locator('.console-group-title').innerText()).to.equal(menuGroups[0]);
    expect(await seriousViolations(page), 'axe on the console overview').to.deep.equal([]);
  });

  it('a wrong password is told in Chinese and does not sign in', async () => {
    await page.context().clearCookies();
    await page.goto(url('/sign-in'));
    await page.getByLabel('账号或邮箱').fill('a.officer');
    await page.getByLabel('密码', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('alert').getByText('登录名或密码错误').waitFor();
    expect(page.url()).to.match(/\/sign-in$/);
    await page.goto(url('/console'));
    await page.waitForURL(/\/sign-in/);
  });

  it('signs out from the header: the console asks for sign-in again', async () => {
    await page.goto(url('/sign-in?next=/console'));
    await page.getByLabel('账号或邮箱').fill('a.officer');
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((u) => u.pathname === '/console');
    await page.getByRole('button', { name: /的账号菜单/ }).click();
    await page.getByRole('menuitem', { name: '退出登录' }).click();
    await page.waitForURL(url('/'));
    await page.goto(url('/console'));
    await page.waitForURL(/\/sign-in/);
  });

  it('never follows a next= that leaves the site', async () => {
    await page.goto(url('/sign-in?next=//evil.example/x'));
    await page.getByLabel('账号或邮箱').fill('a.officer');
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((u) => u.pathname === '/console');
  });
});
