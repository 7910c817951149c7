/**
 * Timing pages in real Chromium for the web benchmarks (web.bench.ts and the console's): a fresh
 * browser context per run (no cache, no service worker), the JavaScript a page loads, and the time
 * from navigation to a selector painted.
 */
import zlib from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../helpers/browser.ts';

export { launchChromium };

export interface ScriptSent {
  url: string;
  bytes: number;
  gzip: number;
}

/**
 * The scripts a page loads until the network is idle, each with its size and its size gzipped (level
 * 9, what a compressing proxy in front of ODX would send), in the order they were requested.
 */
export async function scriptsOf(browser: Browser, url: string, opts: { width?: number } = {}): Promise<ScriptSent[]> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: 900 } });
  const page = await context.newPage();
  const seen: Promise<ScriptSent | null>[] = [];
  page.on('response', (res) => {
    if (res.request().resourceType() !== 'script') return;
    seen.push(
      res.body().then(
        (body) => ({ url: res.url(), bytes: body.length, gzip: zlib.gzipSync(body, { level: 9 }).length }),
        () => null,
      ),
    );
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  const scripts = (await Promise.all(seen)).filter((s): s is ScriptSent => s !== null);
  await context.close();
  return scripts;
}

/**
 * Milliseconds from the start of navigation (the page's time origin) to the first frame after
 * `selector` is in the document: the element painted, as a person would see it.
 */
export async function timeToSelector(browser: Browser, url: string, selector: string, opts: { width?: number; timeoutMs?: number } = {}): Promise<number> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: 900 } });
  const page: Page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForSelector(selector, { timeout: opts.timeoutMs ?? 30_000 });
    return await page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => resolve(performance.now()))));
  } finally {
    await context.close();
  }
}

/** The median and 90th percentile of a sample, in its own unit. */
export function percentiles(xs: number[]): { p50: number; p90: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: s[Math.floor((s.length - 1) / 2)], p90: s[Math.min(s.length - 1, Math.ceil(0.9 * (s.length - 1)))] };
}

/** Runs `fn` `n` times one after another and returns the timings (ms) it gave. */
export async function repeat(n: number, fn: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return out;
}
