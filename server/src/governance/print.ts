/**
 * The evaluation report as PDF, printed by Chromium from the web app's printable page
 * (/print/evaluation, web/src/features/evaluation/). The headless browser is given no credential
 * at all — no cookie, token or ticket that a log, a crash dump or the page itself could leak: it
 * loads the built app from `webDir` under a made-up origin, and every API request the page makes
 * is answered inside this process (Playwright's request routing) with the report the caller's
 * own request computed within the caller's reach; anything else the page asks of the API is
 * refused with 403. So the PDF shows exactly what the caller may see, and printing needs nothing
 * from the network. One print at a time: each one is a Chromium of its own (≈ 150 MB).
 */
import fs from 'node:fs';
import path from 'node:path';
import { HttpError, text, type Lang } from '../http/errors.ts';

/** The printable page's origin inside the headless browser: nothing is fetched from it, every request is answered in-process. */
const ORIGIN = 'http://print.odx.invalid';
const TIMEOUT_MS = 60_000;

export interface PrintJob {
  chromium: string;
  webDir: string;
  lang: Lang;
  /** The page's path and query under ORIGIN, e.g. /print/evaluation?month=2026-11. */
  page: string;
  /** The API answers the page may have, by path and query exactly as the page asks (`/api/v1/evaluations?month=2026-11`). */
  answers: ReadonlyMap<string, unknown>;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json', '.html': 'text/html' };

const unavailable = (zh: string, en: string) => new HttpError(503, 'unavailable', text(zh, en));

let queue: Promise<unknown> = Promise.resolve();

/** Prints the page to an A4 PDF; 503 when Chromium or the web app's build is not installed. */
export function printPdf(job: PrintJob): Promise<Buffer> {
  const run = queue.then(() => print(job));
  queue = run.catch(() => undefined);
  return run;
}

async function print(job: PrintJob): Promise<Buffer> {
  if (!fs.existsSync(job.chromium)) {
    throw unavailable(`服务器未安装 Chromium（${job.chromium}），无法生成 PDF；可下载 Excel 版或在浏览器中打印`, `Chromium is not installed on the server (${job.chromium}), so no PDF can be made; download the .xlsx or print the page from the browser`);
  }
  const index = path.join(job.webDir, 'index.html');
  if (!fs.existsSync(index)) throw unavailable('服务器上没有网页应用的构建（npm run build:web），无法打印', 'the web app is not built on the server (npm run build:web), so nothing can be printed');
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    throw unavailable('服务器未安装 playwright-core，无法生成 PDF', 'playwright-core is not installed on the server, so no PDF can be made');
  }
  const browser = await chromium.launch({
    executablePath: job.chromium,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    timeout: TIMEOUT_MS,
  });
  try {
    // laid out at the paper's width (A4 less the margins, at 96 px an inch), so the charts are drawn at the size they print
    const context = await browser.newContext({ locale: job.lang === 'en' ? 'en-US' : 'zh-CN', viewport: { width: 703, height: 1000 } });
    await context.addInitScript((lang) => localStorage.setItem('odx.lang', lang), job.lang);
    // nothing leaves the process: the app's files from webDir, the API from the answers, the rest refused
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== ORIGIN) return route.abort('blockedbyclient');
      if (url.pathname.startsWith('/api/')) {
        const answer = job.answers.get(url.pathname + url.search);
        if (answer === undefined || route.request().method() !== 'GET') {
          return route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ error: { code: 'forbidden', message: 'not part of the printed report' } }) });
        }
        return route.fulfill({ status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify(answer) });
      }
      const file = path.resolve(job.webDir, '.' + decodeURIComponent(url.pathname));
      const inside = file.startsWith(path.resolve(job.webDir) + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile();
      // the app's router draws every other path from index.html
      const served = inside ? file : index;
      return route.fulfill({ status: 200, contentType: TYPES[path.extname(served)] ?? 'application/octet-stream', body: await fs.promises.readFile(served) });
    });
    const page = await context.newPage();
    await page.emulateMedia({ media: 'print' });
    await page.goto(ORIGIN + job.page, { timeout: TIMEOUT_MS });
    // the page says when its data and charts are drawn, or that it could not load them
    const state = await page.waitForSelector('[data-print-state="ready"], [data-print-state="error"]', { timeout: TIMEOUT_MS }).then((el) => el.getAttribute('data-print-state'));
    if (state !== 'ready') throw new Error(`the printable page reports '${state}': ${(await page.locator('main').innerText()).slice(0, 500)}`);
    return await page.pdf({ format: 'A4', printBackground: true, margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' } });
  } finally {
    await browser.close();
  }
}
