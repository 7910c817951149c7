import fs from 'node:fs';
import path from 'node:path';
import type { Response } from 'express';
import type { Logger } from 'pino';
import type { RequestStage } from './serve.ts';
import { preloadLinks, type ViteManifest } from './web-preload.ts';

/** The built web app's hashed files (Vite names them after their content), cached for a year. */
const ASSETS = '/assets/';

/**
 * Serves the built web app (`web/dist`, see docs/web.md) to GET and HEAD requests outside the
 * API: hashed files under /assets/ as immutable, other top-level files of the build as they are,
 * and index.html (never cached) for every other path, so the app's own router shows deep links;
 * for a portal page, with a `Link` header naming its chunks and first API call (web-preload.ts).
 * A path whose first segment is one of the route table's (`api`, `docs`, `catalog`, `healthz`…)
 * is left to the API, which answers its JSON 404 for unknown ones. Without a build (the API's
 * tests, a server-only install) there is nothing to serve and the API runs alone.
 */
export function webApp(dir: string, routePaths: readonly string[], log: Logger): RequestStage | null {
  const indexFile = path.join(dir, 'index.html');
  const manifestFile = path.join(dir, '.vite', 'manifest.json');
  if (!fs.existsSync(indexFile)) {
    log.info({ dir }, 'no web app build found: serving the API only (npm run build:web builds it)');
    return null;
  }
  const apiSegments = new Set(routePaths.map(firstSegment));
  const topFiles = new Set(fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && e.name !== 'index.html').map((e) => '/' + e.name));
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return;
    const p = req.path;
    if (apiSegments.has(firstSegment(p))) return;
    if (p.startsWith(ASSETS)) return sendFile(res, dir, p, { immutable: true, maxAge: '365d' });
    if (topFiles.has(p)) return sendFile(res, dir, p, { maxAge: 0 });
    // read each time (small files the OS caches): after `npm run build:web` the running server serves the new build
    return Promise.all([fs.promises.readFile(indexFile), readManifest(manifestFile)]).then(([index, manifest]) => {
      const links = preloadLinks(manifest, p, new URL(req.url, 'http://odx').searchParams);
      if (links) res.set('Link', links);
      res.set('Cache-Control', 'no-cache');
      res.type('html').send(index);
    });
  };
}

/** The build's manifest, or null (a build without one still serves; its pages just get no module preloads). */
async function readManifest(file: string): Promise<ViteManifest | null> {
  try {
    return JSON.parse(await fs.promises.readFile(file, 'utf8')) as ViteManifest;
  } catch {
    return null;
  }
}

function firstSegment(p: string): string {
  const end = p.indexOf('/', 1);
  return end === -1 ? p.slice(1) : p.slice(1, end);
}

/** A file of the build, or 404 for a missing one (an old asset name must not get index.html). */
function sendFile(res: Response, root: string, file: string, cache: { immutable?: boolean; maxAge: string | number }): Promise<void> {
  return new Promise((resolve, reject) => {
    res.sendFile(file, { root, dotfiles: 'deny', ...cache }, (err?: Error & { status?: number }) => {
      if (!err) return resolve();
      if (res.headersSent) return resolve();
      if (err.status === 404) {
        res.status(404).type('text/plain').send('not found');
        return resolve();
      }
      reject(err);
    });
  });
}
