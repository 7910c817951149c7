/**
 * The census forms' validator: react-jsonschema-form's Ajv 8 validator over the functions
 * web/build/census-validators.ts compiled at build time from catalog-schemas/ (Ajv 2020-12, ODX's
 * formats and keywords), so nothing is compiled in the browser and the CSP needs no 'unsafe-eval'.
 * The localizer words each error in the person's language from the schema's own titles and x-labels.
 */
import { deepEquals, type RJSFSchema, type ValidatorType } from '@rjsf/utils';
import { createPrecompiledValidator } from '@rjsf/validator-ajv8';
import type { ErrorObject } from 'ajv';
import { FORMAT_TEXT, formatDetail } from '../../../../server/src/schemas/keywords.ts';
import type { Translate } from '../../i18n/i18n.tsx';
import type { Lang } from '../../i18n/format.ts';
import type { CensusKind } from './kinds.ts';

export interface CensusSchema {
  schema: RJSFSchema;
  validator: ValidatorType;
}

// each kind's precompiled module is its own chunk, loaded with its form
const MODULES = {
  system: () => import('virtual:census-validator/system'),
  resource: () => import('virtual:census-validator/resource'),
  demand: () => import('virtual:census-validator/demand'),
} as const;

/** One error in the person's language; `null` for an error that says nothing on its own (`if`, whose `then` errors carry the reason). */
export function errorMessage(e: ErrorObject, t: Translate, lang: Lang): string | null {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return t('census.err.required');
    case 'minLength':
      return Number(p.limit) === 1 ? t('census.err.minLength1') : t('census.err.minLength', { n: Number(p.limit) });
    case 'maxLength':
      return t('census.err.maxLength', { n: Number(p.limit) });
    case 'pattern':
      return t('census.err.pattern');
    case 'enum':
    case 'const':
      return t('census.err.enum');
    case 'type':
      return t('census.err.type');
    case 'minimum':
    case 'exclusiveMinimum':
      return t('census.err.minimum', { n: Number(p.limit) });
    case 'maximum':
    case 'exclusiveMaximum':
      return t('census.err.maximum', { n: Number(p.limit) });
    case 'minItems':
      return t('census.err.minItems', { n: Number(p.limit) });
    case 'maxItems':
      return t('census.err.maxItems', { n: Number(p.limit) });
    case 'uniqueItems':
      return t('census.err.uniqueItems');
    case 'x-unique-by':
      return t('census.err.unique', { n: Number(p.firstIndex) + 1 });
    case 'x-lte': {
      const props = (e.parentSchema?.properties ?? {}) as Record<string, { title?: string }>;
      return t('census.err.lte', { other: props[String(p.limitProperty)]?.title ?? String(p.limitProperty) });
    }
    case 'additionalProperties':
      return t('census.err.additional');
    case 'format': {
      const format = String(p.format);
      const text = FORMAT_TEXT[format];
      const detail = formatDetail(format, e.data);
      const what = text ? text[lang] : format;
      return t('census.err.format', { what }) + (detail ? (lang === 'zh' ? `：${detail.zh}` : `: ${detail.en}`) : '');
    }
    case 'if':
    case 'anyOf':
    case 'oneOf':
    case 'allOf':
      return null;
    default:
      return t('census.err.other');
  }
}

/** The two checks the precompiled validator repeats on every call, by value, that need doing once per object. */
interface PrecompiledInternals {
  rootSchema: RJSFSchema;
  ensureSameRootSchema(schema: RJSFSchema, formData?: unknown): boolean;
  getValidator(schema: RJSFSchema): unknown;
}

/**
 * The form resolves the schema's if/then branches by asking the validator, many times for each
 * change; each ask compared the whole root schema with the validator's by value and hashed the
 * branch's schema to find its function — most of a keystroke's time in a 200-item resource. Schemas
 * are never mutated here, so a root schema found equal stays equal and a schema object keeps its
 * function: both remembered per object.
 */
function rememberPerSchema(validator: ValidatorType): ValidatorType {
  const v = validator as unknown as PrecompiledInternals;
  const sameRoots = new WeakSet<object>([v.rootSchema]);
  const ensure = v.ensureSameRootSchema.bind(v);
  v.ensureSameRootSchema = (schema, formData) => {
    if (sameRoots.has(schema)) return true;
    if (deepEquals(schema, v.rootSchema)) {
      sameRoots.add(schema);
      return true;
    }
    return ensure(schema, formData);
  };
  const functions = new WeakMap<object, unknown>();
  const find = v.getValidator.bind(v);
  v.getValidator = (schema) => {
    let fn = functions.get(schema);
    if (fn === undefined) functions.set(schema, (fn = find(schema)));
    return fn;
  };
  return validator;
}

/** Loads a kind's schema and precompiled validator; errors are worded by `t`. */
export async function loadCensusSchema(kind: CensusKind, t: Translate, lang: Lang): Promise<CensusSchema> {
  const { schema, validators } = await MODULES[kind]();
  const localizer = (errors?: ErrorObject[] | null) => {
    if (!errors) return;
    for (const e of errors) e.message = errorMessage(e, t, lang) ?? '';
  };
  return { schema, validator: rememberPerSchema(createPrecompiledValidator(validators, schema, localizer)) };
}
