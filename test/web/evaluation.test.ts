import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { makeDepartment, setPassword, testApp, type TestApp } from '../helpers/app.ts';
import { ensureWebBuild, launchChromium, listen, seriousViolations } from '../helpers/browser.ts';
import { buildHistory } from '../helpers/governance.ts';
import { setClock } from '../../server/src/sharing/clock.ts';

const PASSWORD = 'evaluation-test-密码-2026';

describe('the evaluation report (考核评价) in Chromium', function () {
  this.timeout(300_000);
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  const pageErrors: string[] = [];
  const url = (p: string) => server.base + p;

  async function signIn(login: string, width = 1280): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url('/sign-in?next=/console'));
    await page.getByLabel('账号或邮箱').fill(login);
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((u) => u.pathname === '/console');
    return page;
  }

  before(async () => {
    setClock(() => new Date('2026-12-07T02:00:00Z'));
    t = await testApp({ env: { ODX_WEB_DIR: ensureWebBuild() } });
    await buildHistory(t.knex, t.deptA, t.deptB, await makeDepartment(t.knex, '测试丙局'));
    await setPassword(t.knex, t.principals.authority.id, PASSWORD);
    await setPassword(t.knex, t.principals.officer.id, PASSWORD);
    server = await listen(t);
    browser = await launchChromium();
  });
  after(async () => {
    setClock(null);
    await browser?.close();
    await server?.close();
    await t?.close();
  });
  afterEach(() => expect(pageErrors, 'errors in the page').to.deep.equal([]));

  it('shows the authority the month’s ranking and its make-up as charts with aria, and tables equal to the API', async () => {
    const api = (await request(t.app).get('/api/v1/evaluations?month=2026-10').set(t.auth('authority')).expect(200)).body;
    const page = await signIn('a.authority');
    await page.getByRole('navigation', { name: '工作台菜单' }).getByRole('link', { name: '考核评价' }).click();
    await page.goto(url('/console/evaluation?month=2026-10'));
    await page.getByRole('heading', { level: 1, name: '2026-10 月度考核评价' }).waitFor();
    // both charts drawn, each described for screen readers
    await page.locator('.evaluation-chart canvas').nth(1).waitFor();
    const labels = await page.locator('.evaluation-chart[aria-label]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    expect(labels).to.have.length(2);
    expect(labels[0]).to.contain('各部门得分排名');
    const ranking = page.locator('.evaluation-table').first().locator('tbody tr.ant-table-row');
    const rows = await ranking.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
    expect(rows).to.deep.equal(api.items.map((r: any) => [r.rank === null ? '不参与排名' : String(r.rank), r.department.name, r.score === null ? '—' : String(r.score)]));
    expect(rows.length).to.equal(3);
    // the breakdown: every weighted indicator of every department
    const breakdown = await page.locator('.evaluation-breakdown tbody tr.ant-table-row').first().locator('td').allTextContents();
    expect(breakdown.slice(1, -1)).to.deep.equal(api.items[0].parts.map((p: any) => (p.value === null ? '不计' : String(p.value))));
    expect(await seriousViolations(page)).to.deep.equal([]);
    // the files: the PDF link only where the person may print it
    expect(await page.getByRole('link', { name: '下载 PDF' }).getAttribute('href')).to.equal('/api/v1/evaluations/report.pdf?month=2026-10');
    expect(await page.getByRole('link', { name: '下载 Excel' }).getAttribute('href')).to.equal('/api/v1/evaluations?month=2026-10&format=xlsx');
    await page.context().close();
  });

  it('shows an officer their own department’s row and no PDF to print', async () => {
    const page = await signIn('a.officer', 360);
    await page.goto(url('/console/evaluation?month=2026-10'));
    await page.getByRole('heading', { level: 1, name: '2026-10 月度考核评价' }).waitFor();
    const names = await page.locator('.evaluation-table').first().locator('tbody tr.ant-table-row td:nth-child(2)').allTextContents();
    expect(names).to.deep.equal(['测试甲局']);
    expect(await page.getByRole('link', { name: '下载 PDF' }).count()).to.equal(0);
    expect(await seriousViolations(page)).to.deep.equal([]);
    await page.context().close();
  });

  it('refuses the printable page to a browser without a session, and prints nothing of the report', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(url('/print/evaluation?month=2026-10'));
    await page.locator('[data-print-state="error"]').waitFor();
    expect(await page.locator('main').innerText()).to.contain('需要有效的访问令牌或登录会话');
    expect(await page.locator('.evaluation-table').count()).to.equal(0);
    expect(await seriousViolations(page)).to.deep.equal([]);
    await page.context().close();
  });
});
