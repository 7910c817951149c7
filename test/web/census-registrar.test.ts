import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { setPassword, testApp, type TestApp } from '../helpers/app.ts';
import { ensureWebBuild, launchChromium, listen, seriousViolations } from '../helpers/browser.ts';

const PASSWORD = 'registrar-test-密码-2026';
const NAME = '食品经营许可信息';

/** Picks an option of an Ant Design select (react-jsonschema-form's enum widget) by the field's label and the option's Chinese name. */
async function choose(page: Page, label: string, option: string) {
  await page.locator('.ant-select').filter({ has: page.getByLabel(label, { exact: true }) }).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
}

describe('the registrar’s census pages in Chromium', function () {
  this.timeout(240_000);
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const url = (p: string) => server.base + p;

  before(async () => {
    t = await testApp({ env: { ODX_WEB_DIR: ensureWebBuild() } });
    await setPassword(t.knex, t.principals.registrar.id, PASSWORD);
    server = await listen(t);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url('/sign-in?next=/console'));
    await page.getByLabel('账号或邮箱').fill('a.registrar');
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('navigation', { name: '工作台菜单' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });
  afterEach(() => expect(pageErrors, 'errors in the page').to.deep.equal([]));

  it('lists the three census lists in the menu; each list says what to do when empty', async () => {
    const menu = page.getByRole('navigation', { name: '工作台菜单' });
    for (const name of ['系统清单', '数据清单', '需求清单']) await menu.getByRole('link', { name }).waitFor();
    await menu.getByRole('link', { name: '需求清单' }).click();
    await page.getByRole('heading', { name: '需求清单', level: 1 }).waitFor();
    expect(await seriousViolations(page), 'axe on the demands list').to.deep.equal([]);
    await menu.getByRole('link', { name: '系统清单' }).click();
    await page.getByRole('heading', { name: '系统清单', level: 1 }).waitFor();
    // testApp registers a system for each principal's department: it is listed, and a search for another name finds nothing
    await page.getByRole('link', { name: 'a.consumer 的业务系统' }).waitFor();
    await page.getByLabel('按名称搜索').fill('没有这个系统');
    await page.getByLabel('按名称搜索').press('Enter');
    await page.waitForURL(/q=/);
    await page.getByText('没有符合条件的条目').waitFor();
    expect(await seriousViolations(page), 'axe on the systems list').to.deep.equal([]);
  });

  it('registers a resource: a wrong USCC is told in Chinese at the field, the items are added in the table, saved, changed and submitted; the list and the history show it', async () => {
    await page.goto(url('/console/resources'));
    await page.getByRole('heading', { name: '数据清单', level: 1 }).waitFor();
    expect(await seriousViolations(page), 'axe on the resources list').to.deep.equal([]);
    await page.getByRole('button', { name: '登记信息资源' }).click();
    await page.waitForURL(/\/console\/resources\/new$/);
    await page.getByRole('heading', { name: '登记信息资源' }).waitFor();
    // the provider is the registrar's own department, filled in
    expect(await page.getByLabel('信息资源提供方代码').inputValue()).to.equal(t.deptA.uscc);
    expect(await seriousViolations(page), 'axe on the empty resource form').to.deep.equal([]);

    await page.getByLabel('信息资源名称').fill(NAME);
    await page.getByLabel('信息资源摘要').fill('本市食品经营许可证的发证信息，供市场监管和食品安全业务使用。');
    await page.getByLabel('信息资源分类').fill('102');
    await choose(page, '信息资源格式类型', '数据库');
    await choose(page, '共享类型', '无条件共享');
    await choose(page, '共享方式', '共享平台方式（接口）');
    await choose(page, '开放属性', '不予开放');
    await choose(page, '更新周期', '每月');
    // one character wrong: the check character no longer matches
    const wrong = t.deptA.uscc.slice(0, 17) + (t.deptA.uscc[17] === '1' ? '2' : '1');
    await page.getByLabel('信息资源提供方代码').fill(wrong);

    await page.getByRole('button', { name: '添加信息项' }).click();
    await page.getByLabel('第 1 项 字段名').fill('licence_no');
    await page.getByLabel('第 1 项 信息项名称').fill('许可证编号');
    await page.getByLabel('第 1 项 数据长度').fill('20');
    await page.getByRole('button', { name: '添加信息项' }).click();
    await page.getByLabel('第 2 项 字段名').fill('holder_name');
    await page.getByLabel('第 2 项 信息项名称').fill('经营者名称');
    await page.getByLabel('第 2 项 敏感级别').selectOption('个人信息');
    await page.getByLabel('第 2 项 脱敏规则').selectOption('姓名脱敏（如 张*）');
    await page.getByRole('button', { name: '保存草稿' }).click();

    // the message is at the provider's field, in Chinese, from the same check the server runs
    const providerItem = page.locator('.ant-form-item').filter({ has: page.getByLabel('信息资源提供方代码') }).last();
    await providerItem.getByText(/应为有效的统一社会信用代码.*校验位错误，应为/).waitFor();
    await page.getByRole('alert').filter({ hasText: '表单有' }).waitFor();
    expect(await seriousViolations(page), 'axe on the form showing errors').to.deep.equal([]);
    expect(await t.knex('odx.resources').where({ department_id: t.deptA.id, name: NAME }).first()).to.equal(undefined);

    await page.getByLabel('信息资源提供方代码').fill(t.deptA.uscc);
    await page.getByRole('button', { name: '保存草稿' }).click();
    await page.getByText('已保存（第 1 版）').waitFor();
    await page.waitForURL(/\/console\/resources\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split('/').pop());
    const saved = await t.knex('odx.resources').where({ id }).first();
    expect(saved.status).to.equal('draft');
    expect(saved.doc.provider).to.equal(t.deptA.uscc);
    expect(saved.doc.items.map((i: { name: string }) => i.name)).to.deep.equal(['licence_no', 'holder_name']);
    expect(saved.doc.items[1]).to.include({ sensitivity: 'personal', mask: 'name', type: 'C' });

    // a third item, moved to the top, then submitted: saved as version 2 and submitted — once the saved entry's page shows it
    await page.locator('.census-status', { hasText: '草稿' }).waitFor();
    await page.locator('.census-history').getByText('创建').waitFor();
    expect(await page.getByLabel('第 2 项 字段名').inputValue()).to.equal('holder_name');
    await page.getByRole('button', { name: '添加信息项' }).click();
    await page.getByLabel('第 3 项 字段名').fill('issued_on');
    await page.getByLabel('第 3 项 信息项名称').fill('发证日期');
    await page.getByLabel('第 3 项 数据类型').selectOption('日期型');
    await page.getByRole('button', { name: '第 3 项上移' }).click();
    expect(await page.getByLabel('第 2 项 字段名').inputValue()).to.equal('issued_on');
    await page.getByRole('button', { name: '提交审核' }).click();
    await page.getByText('已提交审核').first().waitFor();
    await page.locator('.census-status', { hasText: '已提交' }).waitFor();
    const submitted = await t.knex('odx.resources').where({ id }).first();
    expect(submitted.status).to.equal('submitted');
    expect(submitted.doc.items.map((i: { name: string }) => i.name)).to.deep.equal(['licence_no', 'issued_on', 'holder_name']);

    // the history: created (v1), changed (v2, with what changed), submitted
    const history = page.locator('.census-history');
    await history.getByText('提交审核').waitFor();
    await history.getByText('创建').waitFor();
    await history.locator('strong', { hasText: /^修改$/ }).first().waitFor();
    await history.getByText('第 2 版').first().waitFor();
    await history.getByText(/\d+ 处变化/).first().click();
    await history.getByText('信息项 › 第 2 项 › 字段名').waitFor();
    expect(await seriousViolations(page), 'axe on the submitted entry with its history').to.deep.equal([]);

    // withdrawn: back to draft, editable again
    await page.getByRole('button', { name: '撤回' }).click();
    await page.getByText('已撤回为草稿').waitFor();
    await page.locator('.census-status', { hasText: '草稿' }).waitFor();
    expect((await t.knex('odx.resources').where({ id }).first()).status).to.equal('draft');
    await page.getByRole('button', { name: '提交审核' }).click();
    await page.locator('.census-status', { hasText: '已提交' }).waitFor();

    // the list shows it as submitted, and the status filter finds it
    await page.getByRole('link', { name: /返回数据清单/ }).click();
    await page.getByRole('heading', { name: '数据清单', level: 1 }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: NAME }) });
    await row.getByText('已提交').waitFor();
    // the combobox input sits under the shown value: click through it as a person clicks the box
    await page.getByLabel('状态', { exact: true }).click({ force: true });
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '草稿' }).click();
    await page.waitForURL(/status=draft/);
    await page.getByText('没有符合条件的条目').waitFor();
    // the submit's toast fades out about now: axe would read its text half-transparent
    await page.locator('.ant-message-notice').first().waitFor({ state: 'detached', timeout: 15_000 });
    expect(await seriousViolations(page), 'axe on the filtered list').to.deep.equal([]);
  });

  it('a document the server refuses shows the server’s reason at the field (a classification this ODX does not have)', async () => {
    await page.goto(url('/console/resources/new'));
    await page.getByLabel('信息资源名称').fill('分类不存在的资源');
    await page.getByLabel('信息资源摘要').fill('用于检查服务器返回的字段错误。');
    await page.getByLabel('信息资源分类').fill('3999');
    await choose(page, '信息资源格式类型', '电子表格');
    await choose(page, '共享类型', '不予共享');
    await page.getByLabel('不予共享依据').fill('《中华人民共和国个人信息保护法》');
    // the schema's rule "not shared → not opened" sets the open type itself
    await page.locator('.ant-select').filter({ has: page.getByLabel('开放属性', { exact: true }) }).getByText('不予开放').waitFor();
    await choose(page, '更新周期', '每年');
    await page.getByRole('button', { name: '添加信息项' }).click();
    await page.getByLabel('第 1 项 字段名').fill('code');
    await page.getByLabel('第 1 项 信息项名称').fill('代码');
    await page.getByRole('button', { name: '保存草稿' }).click();
    const categoryItem = page.locator('.ant-form-item').filter({ has: page.getByLabel('信息资源分类') }).last();
    await categoryItem.getByText('信息资源分类 3999 不存在').waitFor();
    await page.getByRole('alert').filter({ hasText: '服务器未接受' }).waitFor();
  });

  it('fits the resource form with its items table on a phone screen: the table scrolls in its own box, the page does not scroll sideways', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    try {
      await page.goto(url('/console/resources/new'));
      await page.getByRole('button', { name: '添加信息项' }).click();
      await page.getByLabel('第 1 项 字段名').waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth), 'the page’s width at 360 px').to.be.at.most(360);
      const box = await page.locator('.items-scroll').evaluate((e) => ({ client: e.clientWidth, scroll: e.scrollWidth }));
      expect(box.client, 'the items table’s box within the screen').to.be.at.most(360);
      expect(box.scroll, 'the table wider than its box, scrolled in it').to.be.greaterThan(box.client);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });
});
