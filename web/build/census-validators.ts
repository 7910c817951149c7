/**
 * The census forms' validators, compiled at build time (Ajv standalone code) so the browser never
 * compiles a schema: the CSP has no 'unsafe-eval'. A Vite plugin serves one virtual module per
 * document kind, `virtual:census-validator/<kind>`, exporting the bundled schema (the same file
 * the server validates with, its `$ref`s into common.schema.json copied in) and react-jsonschema-form's
 * map of validate functions for it. The functions use the very checks the server uses: the formats and
 * keyword checks of server/src/schemas/keywords.ts are imported by the generated code, not copied.
 */
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Ajv, KeywordCxt, KeywordDefinition } from 'ajv';
import { _, getProperty, Name, stringify, strConcat } from 'ajv/dist/compile/codegen/index.js';
import addFormats from 'ajv-formats';
import { compileSchemaValidatorsCode } from '@rjsf/validator-ajv8/compileSchemaValidators';
import type { Plugin } from 'vite';
import { bundledSchemaOf, DOCUMENT_KINDS, SCHEMA_DIR, type DocumentKind } from '../../server/src/schemas/catalog.ts';
import { CUSTOM_FORMATS, lteErrors, uniqueByErrors } from '../../server/src/schemas/keywords.ts';

const KEYWORDS_MODULE = fileURLToPath(new URL('../../server/src/schemas/keywords.ts', import.meta.url));
const FORMATS_MODULE = fileURLToPath(new URL('../src/features/census/formats.ts', import.meta.url));
const PREFIX = 'virtual:census-validator/';
// the variables of Ajv's generated functions (ajv/dist/compile/names.js, whose CommonJS default export Node's and esbuild's interop disagree on)
const names = { instancePath: new Name('instancePath'), vErrors: new Name('vErrors'), errors: new Name('errors') };

/**
 * A keyword whose check is a function of keywords.ts, emitted as a call to it: the generated code
 * `require`s the module (rewritten to an import below) and appends the errors the function returns.
 */
function externalKeyword(keyword: string, type: 'array' | 'object', schemaType: 'string' | 'array', fn: 'uniqueByErrors' | 'lteErrors'): KeywordDefinition {
  const impl = fn === 'uniqueByErrors' ? uniqueByErrors : lteErrors;
  return {
    keyword,
    type,
    schemaType,
    code(cxt: KeywordCxt) {
      const { gen, data, schema, it } = cxt;
      const check = gen.scopeValue('func', { ref: impl, code: _`require("odx:keywords")${getProperty(fn)}` });
      const errs = gen.const('errs', _`${check}(${stringify(schema)}, ${data}, ${strConcat(names.instancePath, it.errorPath)})`);
      gen.forOf('e', errs, (e) => {
        gen.code(_`${e}.schemaPath = ${it.errSchemaPath + '/' + keyword}`);
        gen.if(_`${names.vErrors} === null`, () => gen.assign(names.vErrors, _`[${e}]`), () => gen.code(_`${names.vErrors}.push(${e})`));
        gen.code(_`${names.errors}++`);
      });
    },
  };
}

function extend(ajv: Ajv): Ajv {
  // the formats of the ajv-formats formats.ts imports (rjsf adds those of its own, older copy)
  addFormats.default(ajv, { mode: 'full', keywords: false });
  for (const [name, check] of Object.entries(CUSTOM_FORMATS)) ajv.addFormat(name, check);
  ajv.addKeyword({ keyword: 'x-labels', schemaType: 'object' });
  ajv.addKeyword({ keyword: 'x-message', schemaType: 'object' });
  ajv.addKeyword(externalKeyword('x-unique-by', 'array', 'string', 'uniqueByErrors'));
  ajv.addKeyword(externalKeyword('x-lte', 'object', 'array', 'lteErrors'));
  return ajv;
}

/** Ajv's CommonJS output as an ES module: its `require`s → imports (the formats' object by default import, the rest by namespace). */
function asEsModule(code: string): string {
  const imports = new Map<string, string>();
  const body = code.replace(/require\("([^"]+)"\)/g, (_m, spec: string) => {
    let local = imports.get(spec);
    if (!local) imports.set(spec, (local = `__import${imports.size}`));
    return local;
  });
  const lines = [...imports].map(([spec, local]) => {
    if (spec === 'odx:formats') return `import ${local} from ${JSON.stringify(FORMATS_MODULE)};`;
    // Ajv's runtime modules are CommonJS marked __esModule: the namespace's .default is their exports.default, as `require(...).default` wants
    return `import * as ${local} from ${JSON.stringify(spec === 'odx:keywords' ? KEYWORDS_MODULE : spec)};`;
  });
  // the CommonJS `exports[...] =` of each schema's function (keys are $ids and hashes, not identifiers) fill one object
  return `${lines.join('\n')}\nconst exports = {};\n${body.replace(/^"use strict";/, '')}\nexport const validators = exports;`;
}

/** The module of one kind: its bundled schema and its precompiled validate functions. */
export function censusValidatorModule(kind: DocumentKind): string {
  // without its $id: react-jsonschema-form rewrites the $refs of a schema with an $id into absolute
  // ones, and the precompiled validator then no longer recognises the root schema it was compiled from
  const { $id: _id, ...schema } = bundledSchemaOf(kind);
  const code = compileSchemaValidatorsCode(schema as never, {
    AjvClass: Ajv2020 as never,
    customFormats: CUSTOM_FORMATS as never,
    ajvOptionsOverrides: { code: { formats: _`require("odx:formats")` }, strictRequired: false },
    extenderFn: extend as never,
  });
  return `${asEsModule(code)}\nexport const schema = ${JSON.stringify(schema)};\n`;
}

/** Vite plugin: `import { schema, validators } from 'virtual:census-validator/resource'`. */
export function censusValidators(): Plugin {
  return {
    name: 'odx-census-validators',
    resolveId: (id) => (id.startsWith(PREFIX) ? `\0${id}` : undefined),
    load(id) {
      if (!id.startsWith(`\0${PREFIX}`)) return undefined;
      const kind = id.slice(PREFIX.length + 1) as DocumentKind;
      if (!DOCUMENT_KINDS.includes(kind)) throw new Error(`no census schema ${kind}`);
      // rebuild when a schema file changes (dev server)
      for (const f of ['common', kind]) this.addWatchFile(`${SCHEMA_DIR}${f}.schema.json`);
      return censusValidatorModule(kind);
    },
  };
}
