import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TestApp } from './app.ts';

export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** The built web app; built here when missing (`npm install` builds it, a fresh checkout may not have). */
export function ensureWebBuild(): string {
  if (!fs.existsSync(`${WEB_DIST}index.html`)) execFileSync('npm', ['run', 'build:web'], { stdio: 'inherit', cwd: fileURLToPath(new URL('../../', import.meta.url)) });
  return WEB_DIST;
}

/** Debian's Chromium, as CI installs it (.ci/run). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Listens with the app's own server on a free loopback port; returns its base URL and how to stop it. */
export async function listen(t: TestApp): Promise<{ base: string; close(): Promise<void> }> {
  const server = t.server();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** WCAG 2.1 A and AA violations axe rates serious or critical, as `rule: target` lines (empty when none). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // a button just enabled fades to its colours (antd's 0.2 s transition): axe would read a colour half-way;
  // endless animations (spinners) are not waited for
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => Number.isFinite(Number(a.effect?.getComputedTiming().endTime)))
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary?.split('\n')[1]?.trim() ?? v.help}`));
}
