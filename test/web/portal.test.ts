import fs from 'node:fs/promises';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { testApp, type TestApp } from '../helpers/app.ts';
import { ensureWebBuild, launchChromium, listen, seriousViolations, WEB_DIST } from '../helpers/browser.ts';
import { pageChunkKey, PRELOADED_PAGE_MODULES } from '../../server/src/http/web-preload.ts';
import { licenceCsv, loadCsv, publishedResource } from '../helpers/census.ts';

const PARKING_ITEMS = [
  { name: 'lot_name', label: '停车场名称', type: 'C', length: 100, required: true, key: true },
  { name: 'district', label: '所在区', type: 'C', length: 20 },
  { name: 'spaces', label: '泊位数', type: 'I', length: 10 },
  { name: 'fee', label: '首小时收费（元）', type: 'N', length: 10, scale: 2 },
  { name: 'opened_on', label: '启用日期', type: 'D' },
];
const DISTRICTS = ['思明区', '湖里区', '集美区', '海沧区'];
function parkingCsv(n: number, nameOf = (i: number) => `滨海市第${i}公共停车场`): string {
  let s = PARKING_ITEMS.map((i) => i.label).join(',') + '\n';
  for (let i = 1; i <= n; i++) s += `"${nameOf(i).replace(/"/g, '""')}",${DISTRICTS[i % 4]},${i * 10},${(i % 5) + 2}.50,2021-0${(i % 9) + 1}-15\n`;
  return s;
}
const XSS = '<img src=x onerror=alert(1)>';

describe('the open-data portal in Chromium', function () {
  this.timeout(300_000);
  let t: TestApp;
  let server: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let licence: Record<string, any>;
  let parking: Record<string, any>;
  let xss: Record<string, any>;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  const url = (p: string) => server.base + p;
  const datasetPath = (code: string) => `/datasets/${encodeURIComponent(code)}`;
  const api = async (p: string) => {
    const res = await fetch(url(p));
    expect(res.status, p).to.equal(200);
    return res.json();
  };
  const pickOption = async (label: string, option: string) => {
    // the combobox input sits under the shown value: click through it as a person clicks the box
    await page.getByLabel(label, { exact: true }).click({ force: true });
    await page.locator(`.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option[title="${option}"]`).click();
    // the list closes with an animation: a page is judged (axe) as a person sees it once it settled, not mid-animation
    await page.waitForFunction(() => [...document.querySelectorAll('.ant-select-dropdown')].every((e) => getComputedStyle(e).display === 'none'));
  };
  const noSeriousViolations = async (what: string) => expect(await seriousViolations(page), `axe on ${what}`).to.deep.equal([]);

  before(async () => {
    t = await testApp({ env: { ODX_WEB_DIR: ensureWebBuild() } });
    licence = await publishedResource(t.knex, t.deptA.uscc, {});
    await loadCsv(t.knex, licence.id, licenceCsv(1, 45));
    parking = await publishedResource(t.knex, t.deptB.uscc, { name: '公共停车场信息', summary: '全市公共停车场的名称、所在区、泊位数和收费。', domain: 'transport', updateCycle: 'monthly', tags: ['停车'], items: PARKING_ITEMS, format: { type: 'spreadsheet', subtype: 'xlsx' } });
    await loadCsv(t.knex, parking.id, parkingCsv(40));
    xss = await publishedResource(t.knex, t.deptB.uscc, { name: XSS, summary: '<script>alert(2)</script>名称里有 HTML 的数据集', domain: 'other', tags: ['<b>标签</b>'], items: PARKING_ITEMS });
    await loadCsv(t.knex, xss.id, parkingCsv(3, (i) => `<b>粗体${i}</b><img src=y onerror=alert(3)>`));
    server = await listen(t);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });
  afterEach(() => {
    expect(pageErrors, 'errors in the page').to.deep.equal([]);
  });

  it('home: counts, the six priority domains, newest datasets; no serious accessibility violation', async () => {
    await page.goto(url('/'));
    await page.getByRole('heading', { level: 1, name: '找数据、用数据' }).waitFor();
    const stats = page.locator('.stats');
    await stats.locator('.stat', { hasText: '开放数据集' }).locator('dd', { hasText: /^3$/ }).waitFor();
    await page.locator('.stat', { hasText: '数据量（行）' }).locator('dd', { hasText: '88' }).waitFor();
    for (const d of ['普惠金融', '交通出行', '医疗健康', '市场监管', '社会保障', '文化旅游']) await page.getByRole('link', { name: new RegExp(`^${d}`) }).waitFor();
    expect(await page.getByRole('link', { name: /^交通出行/ }).textContent()).to.equal('交通出行1 个数据集');
    await page.getByRole('link', { name: '公共停车场信息' }).first().waitFor();
    await noSeriousViolations('home');
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth), 'no sideways scrolling on a phone').to.be.at.most(360);
    await noSeriousViolations('home at 360 px');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('search -> facet -> dataset -> filter and sort the preview -> download the filtered CSV and read it back', async () => {
    await page.goto(url('/search'));
    await page.getByRole('heading', { name: '共 3 个数据集' }).waitFor();
    await page.getByLabel('关键词').fill('营业执照');
    await page.getByLabel('关键词').press('Enter');
    await page.waitForURL(/q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7/);
    await page.getByRole('heading', { name: '共 1 个数据集' }).waitFor();
    // the click changes the URL, and the box is checked because the URL says so
    await page.getByRole('checkbox', { name: /市场监管/ }).click();
    await page.waitForURL(/domain=market/);
    await page.waitForFunction(() => (document.querySelector('input[type=checkbox][value=market]') as HTMLInputElement | null)?.checked === true);
    await noSeriousViolations('search');
    // the URL is the state: opened afresh it shows the same results
    await page.goto(page.url());
    await page.getByRole('heading', { name: '共 1 个数据集' }).waitFor();
    expect(await page.getByRole('checkbox', { name: /市场监管/ }).isChecked()).to.equal(true);
    await page.getByRole('link', { name: '企业营业执照信息' }).click();

    await page.waitForURL(url(datasetPath(licence.code)));
    await page.getByRole('heading', { level: 1, name: '企业营业执照信息' }).waitFor();
    expect(await page.locator('.meta-grid').textContent()).to.include('测试甲局').and.include('每日').and.include('45');
    await page.getByText('45 行').first().waitFor();
    await pickOption('信息项', '注册资本（万元）');
    await pickOption('条件', '大于');
    await page.getByLabel('值', { exact: true }).fill('300');
    await page.getByRole('button', { name: '添加筛选' }).click();
    await page.getByText('符合条件 17 行').waitFor();
    expect(decodeURIComponent(page.url())).to.include('filter[capital][gt]=300');
    await page.getByRole('columnheader', { name: /注册资本/ }).click();
    await page.waitForURL(/sort=capital/);
    // JSON numbers: 304.50 reads as 304.5
    await page.locator('.ant-table-tbody tr.ant-table-row').first().getByText('304.5', { exact: true }).waitFor();
    const shown = await page.locator('.ant-table-tbody tr.ant-table-row td:nth-child(4)').allTextContents();
    expect(shown.length).to.equal(17);
    expect(shown.map(Number)).to.deep.equal([...shown.map(Number)].sort((a, b) => a - b));
    expect(shown.every((v) => Number(v) > 300)).to.equal(true);
    // the masked item is shown masked, and cannot be filtered on
    expect(await page.locator('.ant-table-thead').textContent()).to.include('已脱敏');
    await noSeriousViolations('dataset preview');

    await page.getByRole('tab', { name: '下载' }).click();
    const link = page.locator('a[data-scope="filtered"][data-format="csv"]');
    expect(await link.getAttribute('href')).to.include('bom=1').and.include('header=label').and.include('filter[capital][gt]=300');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const bytes = await fs.readFile((await download.path())!);
    expect([...bytes.subarray(0, 3)], 'UTF-8 BOM for Excel').to.deep.equal([0xef, 0xbb, 0xbf]);
    const records = parse(bytes, { bom: true, columns: true }) as Record<string, string>[];
    const rows = (await api(`/api/v1/datasets/${encodeURIComponent(licence.code)}/rows?filter[capital][gt]=300&sort=capital&limit=1000`)).items as Record<string, string>[];
    expect(records.length).to.equal(17);
    // the people's CSV is headed by the items' Chinese labels
    expect(records.map((r) => r['统一社会信用代码']).sort()).to.deep.equal(rows.map((r) => r.credit_code).sort());
    expect(records.map((r) => Number(r['注册资本（万元）'])).sort((a, b) => a - b)).to.deep.equal(shown.map(Number));
    expect(records.every((r) => /^张\*+$/.test(r['法定代表人'])), 'masked in the download too').to.equal(true);
    await noSeriousViolations('dataset downloads');

    await page.getByRole('tab', { name: 'API' }).click();
    const curl = await page.locator('.snippet pre').first().textContent();
    expect(curl).to.include(`${server.base}/api/v1/datasets/${encodeURIComponent(licence.code)}/rows?filter[capital][gt]=300`);
    expect(await page.getByRole('link', { name: 'CKAN 接口' }).getAttribute('href')).to.equal(`/api/3/action/package_show?id=${encodeURIComponent(licence.code)}`);
    await noSeriousViolations('dataset API');
    for (const tab of ['信息项', '质量']) {
      await page.getByRole('tab', { name: tab }).click();
      await page.getByRole('tabpanel').getByText('注册资本（万元）').first().waitFor();
      await noSeriousViolations(`dataset ${tab}`);
    }
  });

  it('draws a chart of the filtered rows, and its table view holds what the API\'s rows add up to', async () => {
    await page.goto(url(`${datasetPath(parking.code)}?tab=chart`));
    await page.getByRole('heading', { level: 1, name: '公共停车场信息' }).waitFor();
    await pickOption('横轴（分组）', '所在区');
    await pickOption('汇总方式', '求和');
    await pickOption('数值', '泊位数');
    await page.waitForURL(/agg=sum/);
    const canvas = page.locator('[data-testid="chart"] canvas');
    await canvas.waitFor();
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="chart"] canvas') as HTMLCanvasElement | null;
      if (!c) return false;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let coloured = 0;
      // the bars: pixels of the palette's first colour (#0b57d0)
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - 11) < 24 && Math.abs(d[i + 1] - 87) < 24 && Math.abs(d[i + 2] - 208) < 24) coloured++;
      return coloured > 500;
    });
    expect(await page.locator('[data-testid="chart"]').getAttribute('aria-label'), 'ECharts aria text').to.match(/泊位数/);
    await noSeriousViolations('chart');

    await page.getByText('表格', { exact: true }).click();
    await page.locator('.chart-table').waitFor();
    const table = await page.locator('.chart-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    const rows = (await api(`/api/v1/datasets/${encodeURIComponent(parking.code)}/rows?fields=district,spaces&limit=1000`)).items as { district: string; spaces: number }[];
    const sums = new Map<string, number>();
    for (const r of rows) sums.set(r.district, (sums.get(r.district) ?? 0) + Number(r.spaces));
    expect(new Map(table.map(([k, v]) => [k, Number(v!.replace(/,/g, ''))]))).to.deep.equal(sums);
    expect(sums.size).to.equal(4);
  });

  it('keeps the language chosen, on every page and after a reload', async () => {
    await page.goto(url('/'));
    await page.getByRole('button', { name: /English/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Find data, use data' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).to.equal('en');
    expect(await page.getByRole('link', { name: /^Transport/ }).textContent()).to.equal('Transport1 datasets');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Find data, use data' }).waitFor();
    await page.goto(url(datasetPath(parking.code)));
    await page.getByRole('tab', { name: 'Download' }).waitFor();
    expect(await page.locator('.meta-grid').textContent()).to.include('Update cycle').and.include('Monthly');
    await noSeriousViolations('dataset in English');
    await page.getByRole('button', { name: /中文/ }).click();
    await page.getByRole('tab', { name: '下载' }).waitFor();
    expect(await page.evaluate(() => [document.documentElement.lang, localStorage.getItem('odx.lang')])).to.deep.equal(['zh-CN', 'zh']);
  });

  it('shows a dataset named <img src=x onerror=alert(1)> as text, its values too', async () => {
    await page.goto(url('/search'));
    const link = page.getByRole('link', { name: XSS, exact: true });
    await link.waitFor();
    expect(await page.locator('img[src="x"], img[src="y"], script:not([src])').count()).to.equal(0);
    await link.click();
    await page.getByRole('heading', { level: 1 }).filter({ hasText: XSS }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal(XSS);
    await page.getByText('<b>粗体1</b><img src=y onerror=alert(3)>').waitFor();
    expect(await page.locator('main img, main b, main script').count()).to.equal(0);
    await page.goto(url('/'));
    await page.getByRole('link', { name: XSS, exact: true }).first().waitFor();
    expect(dialogs).to.deep.equal([]);
  });

  it('works with the keyboard alone: search -> dataset, the focus visible', async () => {
    await page.goto(url('/'));
    await page.getByRole('heading', { level: 1 }).waitFor();
    const focused = () => page.evaluate(() => ({ id: document.activeElement?.id ?? '', text: document.activeElement?.textContent ?? '', outline: getComputedStyle(document.activeElement!).outlineStyle }));
    let f = await focused();
    for (let i = 0; i < 15 && f.id !== 'home-q'; i++) {
      await page.keyboard.press('Tab');
      f = await focused();
    }
    expect(f.id, 'the search box is reached by Tab').to.equal('home-q');
    await page.keyboard.type('停车场');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?q=/);
    await page.getByRole('heading', { name: /^共 \d+ 个数据集$/ }).waitFor();
    for (let i = 0; i < 40 && f.text !== '公共停车场信息'; i++) {
      await page.keyboard.press('Tab');
      f = await focused();
    }
    expect(f.text, 'the result is reached by Tab').to.equal('公共停车场信息');
    expect(f.outline, 'focus is visible').not.to.equal('none');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: '公共停车场信息' }).waitFor();
  });

  it('departments list their open datasets; an unknown page says where to go', async () => {
    await page.goto(url('/departments'));
    await page.getByRole('button', { name: /测试乙局/ }).click();
    await page.getByRole('link', { name: '公共停车场信息' }).waitFor();
    await noSeriousViolations('departments');
    await page.goto(url('/no/such/page'));
    await page.getByRole('heading', { name: '找不到这个页面' }).waitFor();
    await noSeriousViolations('not found');
    await page.goto(url(datasetPath('999/999999')));
    await page.getByRole('heading', { name: '找不到这个页面' }).waitFor();
  });

  it('asks the search API once, for the very URL the server preloaded, while the page\'s code loads', async () => {
    // a fresh context: nothing cached, as a person arriving from a shared link
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await fresh.newPage();
    const calls: { url: string; type: string }[] = [];
    const warnings: string[] = [];
    p.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/datasets') calls.push({ url: r.url().slice(server.base.length), type: r.resourceType() });
    });
    p.on('console', (m) => warnings.push(m.text()));
    try {
      const res = await p.goto(url('/search?q=%E5%81%9C%E8%BD%A6&domain=transport&updateCycle='));
      const link = (await res!.allHeaders()).link;
      const preloaded = /<([^>]+)>; rel=preload; as=fetch; crossorigin/.exec(link)?.[1];
      expect(preloaded).to.equal('/api/v1/datasets?q=%E5%81%9C%E8%BD%A6&domain=transport');
      await p.getByRole('link', { name: '公共停车场信息' }).waitFor();
      await p.waitForLoadState('networkidle');
      // one request: the preload's; the page's fetch was handed its answer
      expect(calls).to.deep.equal([{ url: preloaded, type: 'other' }]);
      expect(warnings.filter((w) => /preload/i.test(w)), 'Chromium says a preload went unused').to.deep.equal([]);
    } finally {
      await fresh.close();
    }
    // the pages the server names chunks for are in this build (a renamed page would silently lose its preload)
    const manifest = JSON.parse(await fs.readFile(`${WEB_DIST}.vite/manifest.json`, 'utf8'));
    expect(PRELOADED_PAGE_MODULES.filter((m) => !pageChunkKey(manifest, m))).to.deep.equal([]);
  });
});
