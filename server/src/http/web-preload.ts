/**
 * What a portal page asks for as soon as its code runs, named in the `Link` header of the HTML
 * response (docs/web.md, "Preload"): the browser then fetches the page's own chunks and its first
 * API call while it is still loading the entry script, instead of one after the other. A
 * client-rendered page otherwise waits for the entry (parse, run, route) before it even asks for
 * its chunk, and for that chunk before it asks for its data.
 *
 * The API URLs are built exactly as the page builds them (web/src/api/client.ts `queryString`:
 * parameters in the page's order, empty ones left out, lists comma-joined), so the browser hands
 * the preloaded answer to the page's `fetch` instead of asking twice; a browser test checks that
 * the search page makes exactly one call, to the URL named here.
 */
import path from 'node:path';

/** Vite's build manifest (`build.manifest`): source module -> its chunk and the chunks it imports. */
export type ViteManifest = Record<string, { file: string; name?: string; imports?: string[]; isEntry?: boolean; isDynamicEntry?: boolean; css?: string[] }>;

interface Page {
  /** The page's module in the web app's source (the key of the build manifest). */
  module: string;
  /** The API calls the page makes on arrival, from its URL's query. */
  fetches?: (query: URLSearchParams) => string[];
}

/** The portal's pages (web/src/app/router.tsx) by their path, each with what it loads first. */
const PAGES: [RegExp, Page][] = [
  [/^\/$/, { module: 'src/features/portal/HomePage.tsx', fetches: () => ['/api/v1/open/summary', '/api/v1/datasets?limit=1'] }],
  [/^\/search$/, { module: 'src/features/search/SearchPage.tsx', fetches: (q) => [searchCall(q)] }],
  [/^\/datasets\/[^/]+$/, { module: 'src/features/dataset/DatasetPage.tsx' }],
  [/^\/departments$/, { module: 'src/features/departments/DepartmentsPage.tsx' }],
  [/^\/developers$/, { module: 'src/features/developers/DevelopersPage.tsx' }],
  [/^\/sign-in$/, { module: 'src/features/session/SignInPage.tsx' }],
];

/** The modules of every page named above, for the test that the build still has them. */
export const PRELOADED_PAGE_MODULES: readonly string[] = PAGES.map(([, p]) => p.module);

const list = (v: string | null) => (v ? v.split(',').filter(Boolean) : []);

/** GET /api/v1/datasets as the search page (web/src/features/search/SearchPage.tsx) asks it for its URL's query. */
export function searchCall(query: URLSearchParams): string {
  const pages = list(query.get('pages'));
  const params: [string, string | string[] | undefined][] = [
    ['q', query.get('q') ?? undefined],
    ['department', query.get('department') ?? undefined],
    ['domain', list(query.get('domain'))],
    ['format', list(query.get('format'))],
    ['updateCycle', list(query.get('updateCycle'))],
    ['cursor', pages.at(-1)],
  ];
  const out = new URLSearchParams();
  for (const [k, v] of params) {
    if (Array.isArray(v)) {
      if (v.length) out.set(k, v.join(','));
    } else if (v) out.set(k, v);
  }
  const s = out.toString();
  return `/api/v1/datasets${s ? `?${s}` : ''}`;
}

/**
 * A page module's key in the manifest: its source path, or — when Rollup placed code the page shares
 * with a chunk it loads lazily in the page's own chunk (the dataset page and its chart view), which
 * Vite then lists under the chunk's name — the dynamic entry named after the module's file.
 */
export function pageChunkKey(manifest: ViteManifest, module: string): string | null {
  if (manifest[module]) return module;
  const name = path.basename(module, path.extname(module));
  return Object.entries(manifest).find(([, c]) => c.isDynamicEntry && c.name === name)?.[0] ?? null;
}

/** The files of a page's chunk and of every chunk it imports, the entry's left out (named first, on its own). */
function chunksOf(manifest: ViteManifest, module: string): string[] {
  const files: string[] = [];
  const seen = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || seen.has(key) || chunk.isEntry) return;
    seen.add(key);
    files.push(`/${chunk.file}`);
    for (const i of chunk.imports ?? []) visit(i);
  };
  const key = pageChunkKey(manifest, module);
  if (key) visit(key);
  return files;
}

function entryOf(manifest: ViteManifest): { file: string; css: string[] } | null {
  const entry = Object.values(manifest).find((c) => c.isEntry);
  return entry ? { file: `/${entry.file}`, css: (entry.css ?? []).map((f) => `/${f}`) } : null;
}

/**
 * The `Link` header value for a page of the portal, or null for a path that is no page named
 * above. Query values reach the header only re-encoded by URLSearchParams (no `>`, `,`, `;` or
 * line break survives), so a crafted URL cannot add a link of its own.
 */
export function preloadLinks(manifest: ViteManifest | null, pathname: string, query: URLSearchParams): string | null {
  const page = PAGES.find(([re]) => re.test(pathname))?.[1];
  if (!page) return null;
  const entry = manifest && entryOf(manifest);
  // in the order the page needs them: the browser starts them in this order on a few connections, and
  // the entry script, the longest to load and run, must not wait behind the page's small chunks
  const links = [
    ...(entry ? [`<${entry.file}>; rel=modulepreload`, ...entry.css.map((f) => `<${f}>; rel=preload; as=style; crossorigin`)] : []),
    // `crossorigin`: the app's fetch is a CORS-mode request with same-origin credentials, which is what a preload with crossorigin="anonymous" makes, so the browser may reuse it
    ...(page.fetches?.(query) ?? []).map((url) => `<${url}>; rel=preload; as=fetch; crossorigin`),
    ...(manifest ? chunksOf(manifest, page.module) : []).map((file) => `<${file}>; rel=modulepreload`),
  ];
  return links.length ? links.join(', ') : null;
}
