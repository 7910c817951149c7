/**
 * `node --import tsx test/bench/web-inbox.bench.ts` — the officer's inbox with 10,000 share
 * requests waiting (issue 16: server-side paging, first page painted within 2x its API call).
 *
 * In Chromium, signed in as the providing department's officer, on the console already loaded:
 *   - the API call the inbox makes (GET /api/v1/share-requests?role=provider&state=provider_review&limit=20),
 *     timed in the page with fetch, median of 15
 *   - the inbox opened from the menu: from the click to the first row painted (the next animation
 *     frame after the row is in the DOM), median of 15, each on a fresh query cache (a reload first)
 * and their ratio (goal <= 2). Embedded PostgreSQL; not part of the tests.
 */
import { chromium } from 'playwright-core';
import { setPassword, testApp } from '../helpers/app.ts';
import { currentCluster, startCluster } from '../helpers/cluster.ts';
import { ensureWebBuild, listen } from '../helpers/browser.ts';
import { requestBetween } from '../helpers/sharing.ts';

const WAITING = Number(process.env.BENCH_WAITING ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const PASSWORD = 'bench-inbox-密码-2026';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await startCluster({ durable: true });
// BENCH_WEB_DIR: another build of the web app (before/after a change, measured alternately)
const t = await testApp({ env: { ODX_WEB_DIR: process.env.BENCH_WEB_DIR ?? ensureWebBuild() } });
try {
  // one real request walked by the commands, then copies of it: WAITING requests for B's officer to answer
  const { request } = await requestBetween(t.knex, t.deptA, t.deptB, { to: 'provider_review' });
  await t.knex.raw(
    `insert into odx.share_requests (state, share_type, access_mode, resource_id, resource_code, consumer_department_id, provider_department_id, requested_by, doc, data_on_platform,
       submitted_at, stage_started_at, limit_days, due_at, checked_at, created_at, updated_at)
     select state, share_type, access_mode, resource_id, resource_code, consumer_department_id, provider_department_id, requested_by, doc, data_on_platform,
       submitted_at - (n || ' minutes')::interval, stage_started_at, limit_days, due_at - ((n % 20) || ' days')::interval, checked_at, created_at, updated_at
     from odx.share_requests, generate_series(1, ?) n where id = ?`,
    [WAITING - 1, request.id],
  );
  await t.knex.raw('analyze odx.share_requests');
  await setPassword(t.knex, t.principalsB.officer.id, PASSWORD);
  const server = await listen(t);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${server.base}/sign-in?next=/console`);
    await page.getByLabel('账号或邮箱').fill('b.officer');
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((u) => u.pathname === '/console');

    const api: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      api.push(
        await page.evaluate(async () => {
          const t0 = performance.now();
          const r = await fetch('/api/v1/share-requests?role=provider&state=provider_review&limit=20', { credentials: 'same-origin' });
          await r.json();
          return performance.now() - t0;
        }),
      );
    }
    const paint: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await page.goto(`${server.base}/console`);
      await page.getByRole('link', { name: '待办事项' }).first().waitFor();
      // a string, not a function: tsx would wrap a named function in a helper the page does not have
      const ms = await page.evaluate<number>(`new Promise((resolve) => {
        const t0 = performance.now();
        const seen = () => {
          if (document.querySelector('.ant-table-tbody tr.ant-table-row')) requestAnimationFrame(() => resolve(performance.now() - t0));
          else requestAnimationFrame(seen);
        };
        document.querySelector('nav a[href="/console/inbox"]').click();
        requestAnimationFrame(seen);
      })`);
      paint.push(ms);
    }
    const a = median(api);
    const p = median(paint);
    console.log(JSON.stringify({ waiting: WAITING, runs: RUNS, apiMedianMs: +a.toFixed(1), firstRowPaintedMedianMs: +p.toFixed(1), ratio: +(p / a).toFixed(2), goal: 2 }, null, 2));
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  await t.close();
  await currentCluster().stop();
}
