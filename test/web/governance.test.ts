import { expect } from 'chai';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import request from 'supertest';
import { makeDepartment, setPassword, testApp, type Dept, type TestApp } from '../helpers/app.ts';
import { ensureWebBuild, launchChromium, listen, seriousViolations } from '../helpers/browser.ts';
import { buildHistory } from '../helpers/governance.ts';
import { snapshotMonth } from '../../server/src/governance/snapshots.ts';

const PASSWORD = 'governance-test-密码-2026';
const MONTH = '2026-10';
/** The twelve months the dashboard's trend shows for MONTH. */
const TREND = Array.from({ length: 12 }, (_, i) => {
  const n = 2026 * 12 + 9 - 11 + i;
  return `${Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
});

/** Figures as the page writes them for a person reading Chinese: zh-CN grouping, two decimals at most, shares as percentages. */
const nf = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 });
const share = (v: number | null) => (v === null ? '—' : `${nf.format(Math.round(v * 10_000) / 100)}%`);
const count = (v: number | null) => (v === null ? '—' : nf.format(v));

/** The cells' text of a table's body rows. */
async function cells(table: Locator): Promise<string[][]> {
  await table.locator('tbody tr.ant-table-row').first().waitFor();
  return table.locator('tbody tr.ant-table-row').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
}

/**
 * The governance dashboard (治理看板) and the public open-data index (开放指数) in Chromium, on the
 * constructed history of test/helpers/governance.ts with its months snapshotted: charts drawn with
 * their aria descriptions, each chart's table view equal to the API's answer, an officer scoped to
 * their own department, axe clean on every page.
 */
describe('the governance dashboard and the open-data index in Chromium', function () {
  this.timeout(600_000);
  let t: TestApp;
  let c: Dept;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const url = (p: string) => server.base + p;
  const axe = async (page: Page, what: string) => expect(await seriousViolations(page), `axe on ${what}`).to.deep.equal([]);

  before(async () => {
    t = await testApp({ env: { ODX_WEB_DIR: ensureWebBuild() } });
    c = await makeDepartment(t.knex, '测试丙局');
    await buildHistory(t.knex, t.deptA, t.deptB, c);
    for (const m of ['2026-09', '2026-10', '2026-11']) await snapshotMonth(t.knex, m, 3);
    for (const id of [t.principals.authority.id, t.principalsB.officer.id]) await setPassword(t.knex, id, PASSWORD);
    server = await listen(t);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') for (const [n, ctx] of contexts.entries()) for (const p of ctx.pages()) await p.screenshot({ path: `/tmp/governance-${n}.png`, fullPage: true }).catch(() => {});
    expect(pageErrors, 'errors in the page').to.deep.equal([]);
  });

  async function browse(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    return page;
  }

  async function signedIn(login: string): Promise<Page> {
    const page = await browse();
    await page.goto(url('/sign-in?next=/console'));
    await page.getByLabel('账号或邮箱').fill(login);
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((u) => u.pathname === '/console');
    return page;
  }

  /** A chart of a section: drawn on a canvas, with ECharts' aria label on its container. */
  async function chartOf(section: Locator): Promise<string> {
    const chart = section.getByTestId('chart');
    await chart.locator('canvas').waitFor();
    // ECharts writes the aria label once the option is set
    await chart.locator('[aria-label]').or(section.locator('[data-testid=chart][aria-label]')).first().waitFor();
    return (await chart.evaluate((el) => el.getAttribute('aria-label') ?? el.querySelector('[aria-label]')?.getAttribute('aria-label'))) ?? '';
  }

  /** Switches a section's chart to its table view (the radio's input is hidden behind its label, as antd draws it). */
  const asTable = (s: Locator) => s.locator('label.ant-radio-button-wrapper').filter({ hasText: '表格' }).click();
  const section = (page: Page, heading: string) => page.locator('section.panel').filter({ has: page.getByRole('heading', { name: heading, exact: true }) });

  it('shows the authority the city: a trend, the ranking and the heat table whose table views equal the API', async () => {
    const page = await signedIn('a.authority');
    await page.getByRole('navigation', { name: '工作台菜单' }).getByRole('link', { name: '治理看板' }).click();
    await page.waitForURL(/\/console\/governance/);
    await page.goto(url(`/console/governance?month=${MONTH}`));
    const trendSection = section(page, '月度趋势');
    const trendLabel = await chartOf(trendSection);
    // the aria description names the chart and reads its figures
    expect(trendLabel).to.match(/^挂接率月度趋势（全市）。/);
    expect(trendLabel).to.contain('2026-10：66.67%');
    expect(trendLabel).to.contain('2026-08：—');
    await axe(page, 'the dashboard with its charts');

    const trend = (await request(t.app).get(`/api/v1/indicators/trend?from=${TREND[0]}&to=${MONTH}`).set(t.auth('authority')).expect(200)).body.items;
    await asTable(trendSection);
    const trendRows = await cells(trendSection.getByTestId('trend-table'));
    const city = (m: string) => trend.find((p: any) => p.month === m && p.department === null);
    expect(trendRows).to.deep.equal(TREND.map((m) => [m, share(city(m)?.indicators.census.linkRate ?? null)]));
    // September: R1 loaded, R4 a service interface, R2 neither (worked out in test/helpers/governance.ts); August had no snapshot
    expect(trendRows.filter((r) => ['2026-08', '2026-09'].includes(r[0]))).to.deep.equal([['2026-08', '—'], ['2026-09', '66.67%']]);

    const evaluation = (await request(t.app).get(`/api/v1/evaluations?month=${MONTH}`).set(t.auth('authority')).expect(200)).body;
    const rankSection = section(page, '部门排名');
    const rankLabel = await chartOf(rankSection);
    expect(rankLabel).to.match(new RegExp(`^${MONTH} 各部门考核得分。`));
    for (const r of evaluation.items.filter((x: any) => x.score !== null)) expect(rankLabel).to.contain(`${r.department.name}：${count(r.score)}`);
    await asTable(rankSection);
    expect(await cells(rankSection.getByTestId('rank-table'))).to.deep.equal(
      evaluation.items.map((r: any) => [r.rank === null ? '—' : String(r.rank), r.department.name, count(r.score)]),
    );

    // the heat table: each department's main indicators of the month, as the snapshot has them
    const heat = await cells(section(page, '部门 × 指标一览').getByTestId('heat-table'));
    const departments = trend.filter((p: any) => p.month === MONTH && p.department);
    expect(heat.map((r) => r[0]).sort()).to.deep.equal(departments.map((p: any) => p.department.name).sort());
    for (const p of departments) {
      const i = p.indicators;
      const score = evaluation.items.find((r: any) => r.department.id === p.department.id).score;
      expect(heat.find((r) => r[0] === p.department.name), p.department.name).to.deep.equal([
        p.department.name, count(score), share(i.census.linkRate), share(i.timeliness.onTimeRate), count(i.quality.score), share(i.sharing.realTimeRate),
        share(i.sharing.inTimeRate), share(i.sharing.demandFulfilmentRate), share(i.open.machineReadableShare), share(i.quality.errorReportInTimeRate),
      ]);
    }
    expect(heat.find((r) => r[0] === '测试甲局')!.slice(2, 4)).to.deep.equal(['50%', '50%']);

    // what is stale today, each linked to its resource
    const now = (await request(t.app).get('/api/v1/indicators').set(t.auth('authority')).expect(200)).body;
    const stale = await cells(section(page, '未按时更新的资源').getByTestId('stale-table'));
    const expected = now.departments.flatMap((d: any) => d.timeliness.stale.map((s: any) => ({ ...s, department: d.department.name }))).sort((a: any, b: any) => b.daysOverdue - a.daysOverdue || a.resourceId - b.resourceId);
    expect(expected.length).to.be.above(0);
    expect(stale.map((r) => [r[0], r[2], r[5]])).to.deep.equal(expected.map((s: any) => [s.name, s.department, `${count(s.daysOverdue)} 天`]));
    await section(page, '未按时更新的资源').getByRole('link', { name: expected[0].name }).click();
    await page.waitForURL(new RegExp(`/console/resources/${expected[0].resourceId}$`));
    await page.goBack();

    // the exports are the API's, for the month shown
    const csv = page.getByRole('link', { name: '指标 CSV' });
    expect(await csv.getAttribute('href')).to.equal(`/api/v1/indicators?from=${MONTH}-01&to=${MONTH}-31&as_of=${MONTH}-31&format=csv`);
    await section(page, '超期事项').getByRole('link', { name: '查看全部超期申请' }).waitFor();
    await axe(page, 'the dashboard with its table views');
  });

  it('shows a department’s officer their own department only', async () => {
    const page = await signedIn('b.officer');
    await page.getByRole('navigation', { name: '工作台菜单' }).getByRole('link', { name: '治理看板' }).click();
    await page.waitForURL(/\/console\/governance/);
    await page.goto(url(`/console/governance?month=${MONTH}`));
    const trendSection = section(page, '月度趋势');
    expect(await chartOf(trendSection)).to.match(/^挂接率月度趋势（测试乙局）。/);
    expect(await trendSection.getByText('部门', { exact: true }).count(), 'no department to choose').to.equal(0);
    await axe(page, 'the officer’s dashboard');

    const trend = (await request(t.app).get(`/api/v1/indicators/trend?from=${TREND[0]}&to=${MONTH}`).set(t.auth('officer', 'B')).expect(200)).body.items;
    expect(trend.every((p: any) => p.department?.id === t.deptB.id)).to.equal(true);
    await asTable(trendSection);
    const own = (m: string) => trend.find((p: any) => p.month === m);
    expect(await cells(trendSection.getByTestId('trend-table'))).to.deep.equal(TREND.map((m) => [m, share(own(m)?.indicators.census.linkRate ?? null)]));

    const rankSection = section(page, '部门排名');
    await asTable(rankSection);
    expect((await cells(rankSection.getByTestId('rank-table'))).map((r) => r[1])).to.deep.equal(['测试乙局']);
    expect((await cells(section(page, '部门 × 指标一览').getByTestId('heat-table'))).map((r) => r[0])).to.deep.equal(['测试乙局']);
    // nothing of another department anywhere on the page
    await section(page, '未按时更新的资源').getByText('检测接口').waitFor();
    const text = await page.locator('#main').innerText();
    for (const other of ['测试甲局', '测试丙局', '企业登记信息', '许可信息']) expect(text, other).not.to.contain(other);
    await section(page, '超期事项').getByRole('link', { name: '到待办处理' }).waitFor();
    await axe(page, 'the officer’s dashboard with its table views');
  });

  it('shows anyone the open-data index without sign-in, with the figures of its API', async () => {
    const page = await browse();
    await page.goto(url('/'));
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '开放指数' }).click();
    await page.waitForURL(/\/open-index$/);
    const index = (await request(t.app).get('/api/v1/open/index').expect(200)).body;
    expect(index.month).to.equal('2026-11');

    const chartSection = section(page, '2026-11 各部门开放数据集数');
    const label = await chartOf(chartSection);
    expect(label).to.match(/^2026-11 各部门开放数据集数。/);
    for (const d of index.departments) expect(label).to.contain(`${d.department.name}：${count(d.open.datasets)}`);
    await axe(page, 'the open-data index');

    const table = await cells(page.getByTestId('open-index-table'));
    const row = (name: string, o: any) => [name, count(o.datasets), count(o.capacity), share(o.machineReadableShare), count(o.domains), count(o.downloads), count(o.apiCalls), count(o.developersActive), count(o.developers)];
    // columns the API does not give (conditional applications on a server without them) are not shown
    const headers = (await page.getByTestId('open-index-table').locator('thead th').allInnerTexts()).map((h) => h.trim());
    expect(headers.slice(0, 9)).to.deep.equal(['部门', '开放数据集数', '开放容量（行×项）', '机器可读比例', '覆盖领域数', '下载次数', '接口调用次数', '活跃开发者数', '注册开发者数']);
    expect(table.map((r) => r.slice(0, 9))).to.deep.equal([...index.departments.map((d: any) => row(d.department.name, d.open)), row('全市', index.city)]);

    await asTable(chartSection);
    const bars = index.departments.filter((d: any) => d.open.datasets !== null).sort((a: any, b: any) => b.open.datasets - a.open.datasets);
    expect(await cells(page.getByTestId('open-chart-table'))).to.deep.equal(bars.map((d: any) => [d.department.name, count(d.open.datasets)]));
    await axe(page, 'the open-data index’s table view');
  });
});
