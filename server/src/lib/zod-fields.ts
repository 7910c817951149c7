import { z } from 'zod';
import { isRegionCode, isUscc } from './identifiers.ts';
import { LIST_MAX } from './lists.ts';

export const id = z.coerce.number().int().positive();
export const idParams = z.object({ id });
export const uscc = z.string().refine(isUscc, { message: 'not a valid 统一社会信用代码 (GB 32100-2015: 18 characters with a check character)' });
export const regionCode = z.string().refine(isRegionCode, { message: 'not a valid GB/T 2260 行政区划代码 (6 or 12 digits)' });
export const limit = (max = 500, dflt = 100) => z.coerce.number().int().min(1).max(max).default(dflt);

/** A comma-separated list in a query string: trimmed, distinct, at most `max` values (lib/lists.ts). */
export const csvList = (max = LIST_MAX) =>
  z.string().transform((s, ctx) => {
    const values = [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))];
    if (values.length <= max) return values;
    ctx.addIssue({ code: 'custom', message: `at most ${max} distinct values (got ${values.length})` });
    return z.NEVER;
  });
