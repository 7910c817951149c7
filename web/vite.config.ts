import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { censusValidators } from './build/census-validators.ts';
import { rcFieldFormParts } from './build/rc-field-form-parts.ts';

/** The portal's build (docs/web.md): `npm run build:web` writes web/dist, which `odx serve` serves at /. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), censusValidators(), rcFieldFormParts()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // no inline script anywhere: the CSP allows scripts from 'self' only
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1200,
    // dist/.vite/manifest.json: the server names a page's chunks in its Link header (server/src/http/web-preload.ts)
    manifest: true,
  },
  server: {
    // `npm run dev:web`: the API of an ODX already running (ODX_DEV_API, default localhost:8080)
    proxy: Object.fromEntries(['/api', '/catalog', '/openapi.json', '/docs/api'].map((p) => [p, process.env.ODX_DEV_API ?? 'http://localhost:8080'])),
    fs: { allow: ['..'] },
  },
});
