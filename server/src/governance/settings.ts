/**
 * The evaluation settings the authority edits: the weights of the monthly score and the grace
 * days of timeliness, in a JSON file checked against catalog-schemas/evaluation.schema.json.
 * ODX reads `<ODX_HOME>/evaluation.json` when it exists, else the shipped default; the file's
 * `version` is recorded with every evaluation so a score names the weights it was made with.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { SCHEMA_DIR } from '../schemas/catalog.ts';

export interface EvaluationSettings {
  version: number;
  graceDays: number;
  weights: Record<string, number>;
}

export const DEFAULT_SETTINGS_FILE = fileURLToPath(new URL('../../data/governance/evaluation.json', import.meta.url));

export class SettingsError extends Error {}

const validate = new Ajv2020({ allErrors: true, strict: false }).compile<EvaluationSettings>(JSON.parse(readFileSync(path.join(SCHEMA_DIR, 'evaluation.schema.json'), 'utf8')));

/** Checks a settings document; a failure names the file, each JSON path and the rule broken, in Chinese and English. */
export function parseSettings(data: unknown, origin: string): EvaluationSettings {
  if (validate(data)) {
    if (!Object.values(data.weights).some((w) => w > 0)) throw new SettingsError(`${origin}: /weights: 至少一项权重须大于 0 / at least one weight must be above 0`);
    return data;
  }
  const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}${e.params && 'propertyName' in e.params ? ` (${String(e.params.propertyName)})` : ''}`);
  throw new SettingsError(`${origin}: 考核评价权重文件不符合 evaluation.schema.json / the evaluation settings do not match evaluation.schema.json: ${problems.join('; ')}`);
}

/** The settings in force for an ODX home. */
export function loadSettings(homeDir: string): EvaluationSettings {
  const own = path.join(homeDir, 'evaluation.json');
  const file = existsSync(own) ? own : DEFAULT_SETTINGS_FILE;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SettingsError(`${file}: 不是有效的 JSON / not valid JSON: ${(err as Error).message}`);
  }
  return parseSettings(data, file);
}
