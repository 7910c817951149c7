/**
 * The dependency check `npm test` runs (`npm run deps`): no import cycle anywhere in server/,
 * loaders/, test/ or bin/. Type-only imports count too: a cycle of types is still two modules that
 * cannot be understood, or moved, one without the other.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'modules import each other, directly or through others; move what both need into a third module',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
