import base from './vite.config.ts';
import { mergeConfig } from 'vite';
import fs from 'node:fs';
export default mergeConfig(base, {
  build: { outDir: '/tmp/pp-inspect', sourcemap: true },
  plugins: [{
    name: 'inspect',
    generateBundle(_o: any, bundle: any) {
      const out: any = {};
      for (const [name, c] of Object.entries<any>(bundle)) {
        if (c.type !== 'chunk') continue;
        out[name] = { isEntry: c.isEntry, imports: c.imports, dynamicImports: c.dynamicImports, modules: Object.fromEntries(Object.entries<any>(c.modules).map(([id, m]) => [id, { len: m.renderedLength, importers: (this as any).getModuleInfo(id)?.importers ?? [] }])) };
      }
      const all: any = {}; for (const id of (this as any).getModuleIds()) { const i = (this as any).getModuleInfo(id); all[id] = { importers: i.importers, dyn: i.dynamicImporters }; }
      fs.writeFileSync('/tmp/pp/graph.json', JSON.stringify(out)); fs.writeFileSync('/tmp/pp/all.json', JSON.stringify(all));
    },
  }],
});
