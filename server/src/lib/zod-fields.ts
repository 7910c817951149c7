import { z } from 'zod';
import { formatProblem } from '../schemas/keywords.ts';
import { isRegionCode, isUscc } from './identifiers.ts';
import { LIST_MAX } from './lists.ts';

export const id = z.coerce.number().int().positive();
export const idParams = z.object({ id });
/**
 * A checked identifier, refused in both languages as the census validator words it (the gate,
 * http/mount.ts, answers `params.zh` to a Chinese reader), the reason included: "校验位错误，应为 5".
 */
const checked = (format: string, check: (v: string) => boolean) =>
  z.string().superRefine((v, ctx) => {
    if (check(v)) return;
    const problem = formatProblem(format, v);
    ctx.addIssue({ code: 'custom', message: problem.en, params: { zh: problem.zh } });
  });
export const uscc = checked('uscc', isUscc);
export const regionCode = checked('region-code', isRegionCode);
export const limit = (max = 500, dflt = 100) => z.coerce.number().int().min(1).max(max).default(dflt);

/** A time: a Date (or ISO 8601 text) in the code, ISO 8601 text on the wire, as JSON.stringify writes it. */
export const timestamp = z.codec(z.string().meta({ format: 'date-time' }), z.union([z.date(), z.string()]), {
  decode: (s) => s,
  encode: (d) => (typeof d === 'string' ? d : d.toISOString()),
});

/** A list answer. */
export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** A page of a list with keyset paging: `next` is the cursor of the following page, null on the last. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), next: z.string().nullable().describe('cursor of the next page (pass as `cursor`); null on the last page') });

/** The JSON Schema keyword marking where a catalog-schemas/ document stands; openapi.ts replaces it with a reference. */
export const CATALOG_DOCUMENT = 'x-odx-catalog-document';

/**
 * A census document: checked against its JSON Schema in catalog-schemas/ by the command that
 * stores it (with every problem reported), not here. The OpenAPI shows that schema in its place.
 */
export const catalogDocument = (kind: 'system' | 'resource' | 'demand' | 'share-request' | 'open-application') =>
  z.record(z.string(), z.unknown()).meta({ [CATALOG_DOCUMENT]: kind });

/** A comma-separated list in a query string: trimmed, distinct, at most `max` values (lib/lists.ts). */
export const csvList = (max = LIST_MAX) =>
  z.string().transform((s, ctx) => {
    const values = [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))];
    if (values.length <= max) return values;
    ctx.addIssue({ code: 'custom', message: `at most ${max} distinct values (got ${values.length})` });
    return z.NEVER;
  });
