/**
 * rc-field-form's barrel (its `es/index.js`) attaches Field, List, useForm… to the Form component at
 * its top level, and its package declares no `sideEffects`, so any import of it — Ant Design's Input,
 * Tooltip and Dropdown import only its `FormProvider` — kept the whole form engine and its validator
 * (about 13 KB gzip) in every page's JavaScript, the home page's too. This plugin answers the bare
 * `rc-field-form` with a module that re-exports each part from its own file, and tells Rollup that
 * rc-field-form's modules have no side effects beyond their exports (true: they only attach statics to
 * their own components), so a part nobody uses is left out: the form engine and its validator now
 * come with the pages that show a form.
 * Build only: the dev server pre-bundles Ant Design and never sees these imports.
 */
import type { Plugin } from 'vite';

const PARTS = '\0odx:rc-field-form-parts';
const BARREL = 'rc-field-form/es/index.js';

const code = `
export { default as Field } from 'rc-field-form/es/Field.js';
export { default as List } from 'rc-field-form/es/List.js';
export { default as useForm } from 'rc-field-form/es/useForm.js';
export { FormProvider } from 'rc-field-form/es/FormContext.js';
export { default as FieldContext } from 'rc-field-form/es/FieldContext.js';
export { default as ListContext } from 'rc-field-form/es/ListContext.js';
export { default as useWatch } from 'rc-field-form/es/useWatch.js';
export { default } from '${BARREL}';
`;

export function rcFieldFormParts(): Plugin {
  return {
    name: 'odx:rc-field-form-parts',
    apply: 'build',
    enforce: 'pre',
    config: () => ({ build: { rollupOptions: { treeshake: { moduleSideEffects: (id: string) => !id.includes('/node_modules/rc-field-form/') } } } }),
    resolveId(source) {
      return source === 'rc-field-form' ? PARTS : null;
    },
    load(id) {
      return id === PARTS ? code : null;
    },
  };
}
