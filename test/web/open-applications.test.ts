import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { setPassword, testApp, type TestApp } from '../helpers/app.ts';
import { ensureWebBuild, launchChromium, listen, seriousViolations } from '../helpers/browser.ts';
import { licenceCsv, loadCsv } from '../helpers/census.ts';
import { conditionalResource, CONDITIONALLY_OPEN } from '../helpers/open-applications.ts';

const PASSWORD = 'open-apply-密码-2026';

/** A developer applies for a conditionally open dataset, the officer approves fewer items, the developer's key reads only those. */
describe('conditional open data (有条件开放) in Chromium', function () {
  this.timeout(240_000);
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  let code: string;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const url = (p: string) => server.base + p;

  async function signedIn(login: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url('/sign-in'));
    await page.getByLabel('账号或邮箱').fill(login);
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    return page;
  }

  before(async () => {
    t = await testApp({ env: { ODX_WEB_DIR: ensureWebBuild() } });
    for (const role of ['developer', 'officer'] as const) await setPassword(t.knex, t.principals[role].id, PASSWORD);
    const r = await conditionalResource(t.knex, t.deptA.uscc);
    code = r.code;
    await loadCsv(t.knex, r.id, licenceCsv(1, 4));
    server = await listen(t);
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.close();
    await t?.close();
  });
  afterEach(() => expect(pageErrors, 'errors in the page').to.deep.equal([]));

  it('shows a visitor the conditions and a sign-in link instead of the rows', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url(`/datasets/${encodeURIComponent(code)}`));
    await page.getByRole('heading', { name: '开放条件' }).waitFor();
    await page.getByText(CONDITIONALLY_OPEN.openCondition).waitFor();
    await page.getByRole('link', { name: '登录开发者账号后申请' }).waitFor();
    expect(await page.getByText('滨海市示例贸易有限公司1').count()).to.equal(0);
    expect(await seriousViolations(page), 'axe on the conditional dataset page').to.deep.equal([]);
  });

  it('walks apply → approve fewer items → the key reads only those', async () => {
    // the developer applies; a bad USCC is told at its field in Chinese, fixed, and the application goes in
    const dev = await signedIn('a.developer');
    await dev.goto(url(`/datasets/${encodeURIComponent(code)}`));
    await dev.getByRole('heading', { name: '申请使用本数据' }).waitFor();
    await dev.getByLabel('用途', { exact: true }).fill('研究本市市场主体的注册资本结构');
    await dev.getByLabel('应用场景', { exact: true }).fill('市场主体结构研究报告');
    await dev.getByLabel('单位名称（个人填写姓名）', { exact: true }).fill('滨海大学经济学院');
    await dev.getByLabel('统一社会信用代码', { exact: true }).fill('123502004266000003');
    for (const promise of ['仅用于申请的用途和场景', '不向第三方提供或公开原始数据', '不尝试识别特定个人', '采取安全保护措施', '按要求报告数据使用情况', '到期或撤销后删除数据']) {
      await dev.getByLabel(promise).check();
    }
    expect(await seriousViolations(dev), 'axe on the application form').to.deep.equal([]);
    await dev.getByRole('button', { name: '提交申请' }).click();
    await dev.locator('.ant-form-item-explain-error').getByText(/统一社会信用代码/).first().waitFor();
    await dev.getByLabel('统一社会信用代码', { exact: true }).fill('123502004266000002');
    await dev.getByRole('button', { name: '提交申请' }).click();
    await dev.getByRole('status').getByText(/申请已提交/).waitFor();
    const application = await t.knex('odx.open_applications').where({ resource_code: code }).first();
    expect(application).to.include({ state: 'provider_review', developer_id: t.principals.developer.id });
    expect(application.doc.items).to.have.length(5);

    // the providing officer approves two of the five items
    const officer = await signedIn('a.officer');
    await officer.goto(url('/console/open-applications'));
    await officer.getByRole('heading', { name: '批准（可缩小范围）' }).waitFor();
    expect(await seriousViolations(officer), 'axe on the officer’s applications').to.deep.equal([]);
    const form = officer.locator('.answer-forms');
    for (const item of ['legal_person', 'capital', 'founded_on']) await form.getByLabel(item, { exact: true }).uncheck();
    await form.getByLabel('说明（申请人可见）').fill('研究只需代码和名称');
    await form.getByRole('button', { name: '批准', exact: true }).click();
    // answered, it leaves the officer's list of applications waiting for an answer
    await officer.getByText('没有申请。').waitFor();
    expect((await t.knex('odx.open_applications').where({ id: application.id }).first('state')).state).to.equal('granted');

    // the developer sees the approval and makes a key in the console; the key reads only the approved items
    await dev.goto(url('/console/open-applications'));
    await dev.getByText('已批准').first().waitFor();
    await dev.getByRole('button', { name: '创建 API 密钥' }).click();
    const key = (await dev.locator('.key-secret').textContent())!.trim();
    expect(await seriousViolations(dev), 'axe on the developer’s applications').to.deep.equal([]);
    const res = await fetch(url(`/api/v1/shared/${encodeURIComponent(code)}/rows?purpose=${encodeURIComponent('市场主体结构研究')}`), { headers: { Authorization: `Bearer ${key}` } });
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { items: Record<string, unknown>[] };
    expect(body.items).to.have.length(4);
    for (const row of body.items) expect(Object.keys(row).sort()).to.deep.equal(['company_name', 'credit_code']);
  });
});
