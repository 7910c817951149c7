import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { runCommand } from '../../server/src/audit/command.ts';
import { chainPending } from '../../server/src/audit/chain.ts';
import { documentCreator } from '../../server/src/census/documents/commands.ts';
import { resourceStepper } from '../../server/src/census/resources/lifecycle.ts';
import { setClock } from '../../server/src/sharing/clock.ts';
import { TEST_ACTOR, setPassword, testApp, type TestApp } from '../helpers/app.ts';
import { ensureWebBuild, launchChromium, listen, seriousViolations } from '../helpers/browser.ts';
import { licenceCsv, loadCsv, publishedResource, resourceDoc } from '../helpers/census.ts';
import { CONDITIONAL, shareDoc } from '../helpers/sharing.ts';

const PASSWORD = 'workflow-test-密码-2026';

/**
 * The sharing workflow in the console, as its people walk it in Chromium: department A's registrar
 * asks for B's data, B's officer approves fewer items from the inbox, A's registrar sees only those
 * in the preview; a refusal is disputed and the authority decides; the authority publishes an
 * approved entry. axe runs on every console page on the way.
 */
describe('the console’s sharing workflow in Chromium', function () {
  // four people's browsers in turn; a loaded CI machine takes minutes per story
  this.timeout(600_000);
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const url = (p: string) => server.base + p;

  before(async () => {
    t = await testApp({ env: { ODX_WEB_DIR: ensureWebBuild() } });
    for (const id of [t.principals.registrar.id, t.principalsB.officer.id, t.principals.authority.id]) await setPassword(t.knex, id, PASSWORD);
    server = await listen(t);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });
  afterEach(async function () {
    // what the page showed when a step failed, for the one reading the failure
    if (this.currentTest?.state === 'failed') for (const [n, c] of contexts.entries()) for (const p of c.pages()) await p.screenshot({ path: `/tmp/console-workflow-${n}.png` }).catch(() => {});
    expect(pageErrors, 'errors in the page').to.deep.equal([]);
  });

  /** A person's own browser, signed in. */
  async function signedIn(login: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url('/sign-in?next=/console'));
    await page.getByLabel('账号或邮箱').fill(login);
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    // the sign-in page's own URL ends in next=/console: wait for the console itself
    await page.waitForURL((u) => u.pathname === '/console');
    return page;
  }
  const axe = async (page: Page, what: string) => expect(await seriousViolations(page), `axe on ${what}`).to.deep.equal([]);

  let consumer: Page;
  let officer: Page;
  let authority: Page;

  it('another department requests the data, the officer approves fewer items, the consumer sees only those in the preview', async () => {
    const resource = await publishedResource(t.knex, t.deptB.uscc, { ...CONDITIONAL, name: '企业营业执照信息（有条件）' });
    await loadCsv(t.knex, resource.id, licenceCsv(1, 3));

    consumer = await signedIn('a.registrar');
    await consumer.goto(url(`/console/sharing/request?resource=${resource.id}`));
    await consumer.getByRole('checkbox', { name: /企业名称/ }).waitFor();
    await axe(consumer, 'the request form');
    await consumer.getByLabel('用途').fill('企业开办一网通办时核验营业执照信息');
    await consumer.getByLabel('应用场景').fill('企业开办审批');
    await consumer.getByLabel('依据（有条件共享须填写）').fill('《优化营商环境条例》第三十五条');
    await consumer.getByRole('button', { name: '提交申请' }).click();
    await consumer.waitForURL(/\/console\/sharing\/requests\/\d+/);
    const requestId = Number(/requests\/(\d+)/.exec(consumer.url())![1]);
    await consumer.getByText('待提供部门答复').first().waitFor();
    await consumer.getByText(/剩余 \d+ 个工作日/).first().waitFor();
    await axe(consumer, 'a request of ours');

    officer = await signedIn('b.officer');
    // the bell counts what waits
    await officer.getByRole('link', { name: /待办 1 项，其中超期 0 项/ }).click();
    await officer.waitForURL(/\/console\/inbox/);
    const row = officer.getByRole('row').filter({ hasText: '企业营业执照信息（有条件）' });
    await row.getByText(/剩余 \d+ 个工作日/).waitFor();
    await axe(officer, 'the inbox');
    await row.getByRole('link', { name: `办理 ${requestId}` }).click();
    // a click, then the box shown unticked: on a loaded machine the re-render can trail the click
    for (const name of [/法定代表人/, /注册资本/]) {
      const box = officer.getByRole('checkbox', { name }).first();
      await box.click();
      await officer.waitForFunction((el) => !(el as HTMLInputElement).checked, await box.elementHandle());
    }
    await axe(officer, 'the answer form');
    await officer.getByRole('button', { name: '批准' }).click();
    await officer.getByRole('status').getByText('已办理：已授权').waitFor();
    const grant = await t.knex('odx.grants').where({ request_id: requestId }).first();
    expect(grant.items).to.deep.equal(['credit_code', 'company_name', 'founded_on']);

    await consumer.reload();
    await consumer.getByRole('link', { name: '查看授权数据' }).click();
    await consumer.waitForURL(/\/console\/sharing\/data\/\d+/);
    await consumer.getByRole('textbox', { name: '用途' }).fill('核验企业开办申请材料');
    await axe(consumer, 'the purpose question');
    await consumer.getByRole('button', { name: '开始查看' }).click();
    const table = consumer.getByRole('table', { name: '数据预览' });
    await table.getByText('滨海市示例贸易有限公司1', { exact: true }).waitFor();
    const headers = (await table.locator('thead th').allInnerTexts()).map((h) => h.trim()).filter(Boolean);
    expect(headers).to.deep.equal(['统一社会信用代码', '企业名称', '成立日期']);
    expect(await table.innerText()).not.to.contain('张1');
    await axe(consumer, 'the granted data');
    // the purpose is asked once while signed in, and logged with each read
    await consumer.goto(url(`/console/sharing/data/${grant.id}`));
    await consumer.getByText('本次用途：核验企业开办申请材料').waitFor();
    await chainPending(t.knex);
    const read = await t.knex('odx.audit_events').where({ action: 'shared.rows' }).orderBy('seq', 'desc').first();
    expect(read.purpose).to.equal('核验企业开办申请材料');

    await consumer.goto(url('/console/sharing/grants?role=consumer'));
    await consumer.getByRole('link', { name: '查看数据' }).first().waitFor();
    await axe(consumer, 'the grants page');
  });

  it('a refusal is disputed and the authority decides', async () => {
    const resource = await publishedResource(t.knex, t.deptB.uscc, { ...CONDITIONAL, name: '企业年报信息' });
    const sent = await request(t.app)
      .post('/api/v1/share-requests')
      .set(t.auth('registrar'))
      .send(shareDoc(resource.code, { legalBasis: '《优化营商环境条例》第三十五条' }))
      .expect(201);
    const id = sent.body.id as number;

    await officer.goto(url(`/console/inbox/share-requests/${id}`));
    await officer.getByLabel('拒绝理由').fill('申请用途与共享条件不符');
    await officer.getByRole('button', { name: '拒绝' }).click();
    await officer.getByRole('status').getByText('已办理：已拒绝').waitFor();

    await consumer.goto(url('/console/sharing/requests'));
    await consumer.getByRole('row').filter({ hasText: '企业年报信息' }).getByText('已拒绝').waitFor();
    await axe(consumer, 'our requests');
    await consumer.getByRole('link', { name: String(id), exact: true }).click();
    await consumer.getByLabel('争议理由').fill('依法履行市场监管职责需要，申请复核');
    await consumer.getByRole('button', { name: '提请裁决' }).click();
    await consumer.getByText('争议待裁决').first().waitFor();

    authority = await signedIn('a.authority');
    await authority.goto(url('/console/oversight/disputes'));
    const row = authority.getByRole('row').filter({ hasText: '企业年报信息' });
    await row.getByText(/剩余 \d+ 个工作日/).waitFor();
    await axe(authority, 'the disputes');
    await row.getByRole('link', { name: `办理 ${id}` }).click();
    await authority.getByLabel('裁决理由').fill('属于依法履职所需，予以共享');
    await axe(authority, 'a dispute to decide');
    await authority.getByRole('button', { name: '予以共享' }).click();
    await authority.getByRole('status').getByText('已办理：已授权').waitFor();
    expect((await t.knex('odx.share_requests').where({ id }).first()).state).to.equal('granted');

    await authority.goto(url('/console/oversight/overdue'));
    await authority.getByText('没有超期的共享申请').waitFor();
    await axe(authority, 'the overdue requests');
  });

  it('a resource waiting for the officer’s approval shows its deadline in working days; an overdue one in red, counted in the bell', async () => {
    const submitted = async (name: string) =>
      runCommand(t.knex, { actor: TEST_ACTOR }, async (ctx) => {
        const created = await documentCreator(ctx, 'resource', resourceDoc(t.deptB.uscc, { name }));
        await resourceStepper(ctx, created.id, 'submit');
      });
    // submitted on Monday 2 November: its five working days ended on Monday 9 November
    setClock(() => new Date('2026-11-02T02:00:00Z'));
    try {
      await submitted('户外广告设施设置许可信息');
    } finally {
      setClock(null);
    }
    await submitted('道路挖掘许可信息');
    await officer.goto(url('/console'));
    await officer.getByRole('link', { name: /待办 \d+ 项，其中超期 [1-9]\d* 项/ }).click();
    await officer.waitForURL(/\/console\/inbox/);
    await officer.getByRole('tab', { name: /待审核的数据目录/ }).click();
    const late = officer.getByRole('row').filter({ hasText: '户外广告设施设置许可信息' });
    const fresh = officer.getByRole('row').filter({ hasText: '道路挖掘许可信息' });
    await late.locator('.deadline.overdue').getByText(/已超期 \d+ 个工作日/).waitFor();
    await fresh.getByText('剩余 5 个工作日').waitFor();
    expect(await fresh.locator('.deadline.overdue').count(), 'a fresh one is not overdue').to.equal(0);
    expect(await late.locator('.ant-tag-red').count(), 'overdue in red').to.equal(1);
    expect(await officer.getByText('无时限').count(), 'no approval without a deadline').to.equal(0);
    await axe(officer, 'the inbox’s resource approvals');
  });

  it('the authority publishes an approved resource', async () => {
    const approved = await runCommand(t.knex, { actor: TEST_ACTOR }, async (ctx) => {
      const created = await documentCreator(ctx, 'resource', resourceDoc(t.deptB.uscc, { name: '个体工商户登记信息' }));
      for (const step of ['submit', 'approve'] as const) await resourceStepper(ctx, created.id, step);
      return created;
    });
    await authority.goto(url('/console/oversight/publish'));
    const row = authority.getByRole('row').filter({ hasText: '个体工商户登记信息' });
    await row.waitFor();
    await axe(authority, 'the publish queue');
    await row.getByRole('button', { name: '发布 个体工商户登记信息' }).click();
    await row.waitFor({ state: 'detached' });
    const published = await t.knex('odx.resources').where({ id: approved.id }).first();
    expect(published.status).to.equal('published');
    expect(published.code).to.match(/^102\/\d{6}$/);
  });
});
