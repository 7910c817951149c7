/**
 * CKAN action parameters: a flat dict of strings on GET (a repeated key gives a list), any JSON on
 * POST. These readers accept both, the way CKAN's validators do, and name the parameter in a
 * Validation Error when it does not fit.
 */
import { LIST_MAX, boundedList } from '../../lib/lists.ts';
import { tooLongError, validationError } from './envelope.ts';

export type Params = Record<string, unknown>;

function scalar(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

export function str(p: Params, name: string): string | undefined {
  const v = scalar(p[name]);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw validationError(name, 'Must be a string');
}

export function int(p: Params, name: string, opts: { min?: number; max?: number; dflt: number }): number {
  const raw = scalar(p[name]);
  if (raw === undefined || raw === null || raw === '') return opts.dflt;
  const n = typeof raw === 'number' ? raw : /^\s*-?\d+\s*$/.test(String(raw)) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n)) throw validationError(name, 'Invalid integer');
  if (opts.min !== undefined && n < opts.min) throw validationError(name, opts.min === 0 ? 'Must be a natural number' : `Must be at least ${opts.min}`);
  return opts.max !== undefined ? Math.min(n, opts.max) : n;
}

export function bool(p: Params, name: string, dflt: boolean): boolean {
  const raw = scalar(p[name]);
  if (raw === undefined || raw === null || raw === '') return dflt;
  if (typeof raw === 'boolean') return raw;
  const s = String(raw).toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  throw validationError(name, 'Value must be one of: true, false');
}

/** A list given as a JSON array (GET: its text), a comma-separated string, or repeated keys: distinct values, at most `max`. */
export function list(p: Params, name: string, max = LIST_MAX): string[] | undefined {
  const values = anyList(p, name);
  return values && boundedList(values, max, (m) => tooLongError(name, m));
}

function anyList(p: Params, name: string): string[] | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== 'string') throw validationError(name, 'Must be a list of strings');
  const t = v.trim();
  if (t.startsWith('[')) {
    try {
      const parsed = JSON.parse(t);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // falls through to the error below
    }
    throw validationError(name, 'Must be a JSON list of strings');
  }
  return t.split(',').map((s) => s.trim()).filter(Boolean);
}

/** An object given as JSON (GET: its text). */
export function object(p: Params, name: string): Record<string, unknown> | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  if (typeof v === 'string') {
    try {
      const parsed = JSON.parse(v);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
    } catch {
      // falls through to the error below
    }
  }
  throw validationError(name, 'Must be a JSON object');
}

export function required(p: Params, name: string): string {
  const v = str(p, name);
  if (v === undefined || v.trim() === '') throw validationError(name, 'Missing value');
  return v;
}
