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
import os from 'node:os';
import { encodeCursor } from '../../server/src/lib/cursor.ts';
import { ensureWebBuild } from '../helpers/browser.ts';
import { currentCluster, startCluster } from '../helpers/cluster.ts';
import { freshDatabase } from '../helpers/db.ts';
import { launchChromium, percentiles, repeat, scriptsOf, timeToSelector } from './lib/chromium.ts';
import { registerDataset, serveApp } from './lib/dataset.ts';
import { fmt, report } from './lib/report.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const QUERY = '市场';

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
    const served = await serveApp(db);
    try {
      // 1. the home page's JavaScript
      const scripts = await scriptsOf(browser, `${served.base}/`);
      const gzip = scripts.reduce((n, s) => n + s.gzip, 0);
      const raw = scripts.reduce((n, s) => n + s.bytes, 0);
      const chart = scripts.filter((s) => /echarts|chart/i.test(s.url));
      report('home page JavaScript (gzip)', { scripts: scripts.length, 'KB gzip': (gzip / 1024).toFixed(1), 'KB raw': (raw / 1024).toFixed(1), goal: '<= 250 KB', 'chart chunks': chart.length });
      for (const s of [...scripts].sort((a, b) => b.gzip - a.gzip)) report(`  ${new URL(s.url).pathname}`, { 'KB gzip': (s.gzip / 1024).toFixed(1) });

      // 2. navigation to the first search result painted vs the search API call itself
      const searchUrl = `${served.base}/search?q=${encodeURIComponent(QUERY)}`;
      const apiUrl = `${served.base}/api/v1/datasets?q=${encodeURIComponent(QUERY)}&limit=20&facets=true`;
      await apiMs(apiUrl);
      await timeToSelector(browser, searchUrl, '.dataset-list .dataset-card');
      const api = percentiles(await repeat(RUNS, () => apiMs(apiUrl)));
      const page = percentiles(await repeat(RUNS, () => timeToSelector(browser, searchUrl, '.dataset-list .dataset-card')));
      report('search: first result painted vs API call', {
        'page p50/p90 ms': `${page.p50.toFixed(0)}/${page.p90.toFixed(0)}`,
        'API p50/p90 ms': `${api.p50.toFixed(1)}/${api.p90.toFixed(1)}`,
        ratio: (page.p50 / api.p50).toFixed(1),
        goal: '<= 2x',
      });

      // 3. the preview table's page 10,000 vs page 1 (the rows API call the preview makes)
      const rowsUrl = `${served.base}/api/v1/datasets/${encodeURIComponent(resource.code)}/rows?limit=100`;
      const deep = (await db.knex(table).select('uscc').orderBy('uscc').offset(100 * 9999 - 1).limit(1))[0]?.uscc;
      if (!deep) throw new Error(`the dataset has fewer than ${100 * 9999} rows`);
      await apiMs(rowsUrl);
      const first = percentiles(await repeat(100, () => apiMs(rowsUrl)));
      const tenThousandth = percentiles(await repeat(100, () => apiMs(`${rowsUrl}&cursor=${encodeCursor([deep])}`)));
      report(`preview page 10,000 vs page 1 (${fmt(ROWS)} rows)`, {
        'page 1 p50 ms': first.p50.toFixed(2),
        'page 10,000 p50 ms': tenThousandth.p50.toFixed(2),
        ratio: (tenThousandth.p50 / first.p50).toFixed(2),
        goal: 'equal',
      });
    } finally {
      await served.close();
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
