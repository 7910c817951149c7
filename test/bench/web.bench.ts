/**
 * `npm run bench:web` — the portal as a person meets it, each figure against the same run's API
 * call as its floor (docs/benchmarks.md):
 *   - the JavaScript the home page loads, gzipped (goal <= 250 KB), and whether the chart library
 *     (ECharts) is among it (it should load only where a chart is drawn)
 *   - navigation to the first search result painted in Chromium, p50 of 20 fresh contexts, against
 *     the search API call the page makes (goal <= 2x)
 *   - the dataset preview's page 10,000 vs its page 1 (100 rows, keyset cursor) of a 1,000,000-row
 *     dataset loaded with the loader (goal: equal)
 * Embedded PostgreSQL with default durability unless DATABASE_URL is set. Not part of the tests.
 * The console's benchmarks live in their own files and use lib/chromium.ts the same way.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { searchCall } from '../../server/src/http/web-preload.ts';
import { encodeCursor } from '../../server/src/lib/cursor.ts';
import { ensureWebBuild, WEB_DIST } from '../helpers/browser.ts';
import { currentCluster, startCluster } from '../helpers/cluster.ts';
import { freshDatabase } from '../helpers/db.ts';
import { launchChromium, percentiles, repeat, scriptsOf, timeToSelector } from './lib/chromium.ts';
import { registerDataset, serveApp } from './lib/dataset.ts';
import { fmt, report } from './lib/report.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const QUERY = '市场';

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

const esc = (v: unknown) => String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The static floor: the search page's result list as plain HTML (the cards' own markup and the app's
 * stylesheet, no script), written beside a copy of the web build so the same server serves it.
 */
function staticFloor(items: { code: string; name: string; summary?: string; department: { name: string | null }; rows: number | null }[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'odx-bench-web-'));
  for (const entry of fs.readdirSync(WEB_DIST)) fs.symlinkSync(path.join(WEB_DIST, entry), path.join(dir, entry));
  const css = /<link rel="stylesheet"[^>]*>/.exec(fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8'))?.[0] ?? '';
  const cards = items
    .map((d) => `<li><article class="dataset-card"><h3 class="dataset-card-title"><a href="/datasets/${encodeURIComponent(d.code)}">${esc(d.name)}</a></h3><p class="dataset-card-summary">${esc(d.summary)}</p><div class="dataset-card-meta"><span>${esc(d.department.name)}</span><span>${esc(d.rows)} 行</span></div></article></li>`)
    .join('');
  fs.writeFileSync(path.join(dir, 'bench-floor.html'), `<!doctype html><html lang="zh-CN"><head><meta charset="UTF-8"><title>数据目录</title>${css}</head><body><main class="app-main"><h1 class="page-title">数据目录</h1><section class="panel"><ul class="dataset-list">${cards}</ul></section></main></body></html>`);
  return dir;
}

async function apiMs(url: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return performance.now() - t0;
}

export async function webBench(): Promise<void> {
  ensureWebBuild();
  const db = await freshDatabase();
  const browser = await launchChromium();
  try {
    const { resource, table } = await registerDataset(db.knex, ROWS, {}, db.superuser);
    // the search page's own API call (the URL it fetches, which the server also preloads)
    const searchPath = `/search?q=${encodeURIComponent(QUERY)}`;
    const apiPath = searchCall(new URL(searchPath, 'http://odx').searchParams);
    let served = await serveApp(db);
    const answer = await (await fetch(served.base + apiPath, { headers: { Accept: 'application/json' } })).json();
    await served.close();
    const webDir = staticFloor(answer.items);
    served = await serveApp(db, { webDir });
    try {
      report('load average (1, 5, 15 min) at start', { load: load() });
      // 1. the home page's JavaScript
      const scripts = await scriptsOf(browser, `${served.base}/`);
      const gzip = scripts.reduce((n, s) => n + s.gzip, 0);
      const raw = scripts.reduce((n, s) => n + s.bytes, 0);
      const chart = scripts.filter((s) => /echarts|chart/i.test(s.url));
      report('home page JavaScript (gzip)', { scripts: scripts.length, 'KB gzip': (gzip / 1024).toFixed(1), 'KB raw': (raw / 1024).toFixed(1), goal: '<= 250 KB', 'chart chunks': chart.length });
      for (const s of [...scripts].sort((a, b) => b.gzip - a.gzip)) report(`  ${new URL(s.url).pathname}`, { 'KB gzip': (s.gzip / 1024).toFixed(1) });

      // 2. navigation to the first search result painted vs the search API call itself
      const searchUrl = served.base + searchPath;
      const apiUrl = served.base + apiPath;
      const floorUrl = `${served.base}/bench-floor.html`;
      const card = '.dataset-list .dataset-card';
      await apiMs(apiUrl);
      await timeToSelector(browser, searchUrl, card);
      await timeToSelector(browser, floorUrl, card);
      // interleaved, so a burst of load on the shared machine falls on all three alike
      const apiRuns: number[] = [];
      const pageRuns: number[] = [];
      const floorRuns: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        apiRuns.push(await apiMs(apiUrl));
        pageRuns.push(await timeToSelector(browser, searchUrl, card));
        floorRuns.push(await timeToSelector(browser, floorUrl, card));
      }
      const [api, page, floor] = [apiRuns, pageRuns, floorRuns].map(percentiles);
      report('search: first result painted vs its floors', {
        'page p50/p90 ms': `${page.p50.toFixed(0)}/${page.p90.toFixed(0)}`,
        'API p50/p90 ms': `${api.p50.toFixed(1)}/${api.p90.toFixed(1)}`,
        'static page p50/p90 ms': `${floor.p50.toFixed(0)}/${floor.p90.toFixed(0)}`,
        'ratio to API': (page.p50 / api.p50).toFixed(1),
        'ratio to static': (page.p50 / floor.p50).toFixed(2),
        goal: '<= 2x the API',
      });
      report('load average (1, 5, 15 min) after the search timings', { load: load() });

      // 3. the preview table's page 10,000 vs page 1 (the rows API call the preview makes)
      const rowsUrl = `${served.base}/api/v1/datasets/${encodeURIComponent(resource.code)}/rows?limit=100`;
      // page 10,000 of a million rows; the last full page of a smaller dataset (BENCH_ROWS)
      const deepPage = Math.min(10_000, Math.floor(ROWS / 100));
      if (deepPage < 2) throw new Error(`BENCH_ROWS=${ROWS}: the preview needs at least 200 rows for a page past the first`);
      const deep = (await db.knex(table).select('uscc').orderBy('uscc').offset(100 * (deepPage - 1) - 1).limit(1))[0]?.uscc;
      if (!deep) throw new Error(`the dataset has fewer than ${100 * (deepPage - 1)} rows`);
      await apiMs(rowsUrl);
      const first = percentiles(await repeat(100, () => apiMs(rowsUrl)));
      const deepRuns = percentiles(await repeat(100, () => apiMs(`${rowsUrl}&cursor=${encodeCursor([deep])}`)));
      report(`preview page ${deepPage.toLocaleString('en-US')} vs page 1 (${fmt(ROWS)} rows)`, {
        'page 1 p50 ms': first.p50.toFixed(2),
        [`page ${deepPage.toLocaleString('en-US')} p50 ms`]: deepRuns.p50.toFixed(2),
        ratio: (deepRuns.p50 / first.p50).toFixed(2),
        goal: 'equal',
      });
    } finally {
      await served.close();
      fs.rmSync(webDir, { recursive: true, force: true });
    }
  } finally {
    await browser.close();
    await db.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`ODX web benchmark — ${os.cpus().length} cores, node ${process.version}, ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PostgreSQL'}`);
  await startCluster({ durable: true });
  try {
    await webBench();
  } finally {
    await currentCluster().stop();
  }
}
