import { z } from 'zod';
import { csvList } from '../lib/zod-fields.ts';


export const ResourceRefParams = z.object({ ref: z.string().min(1).max(100) });
export const LoadParams = ResourceRefParams.extend({ id: z.coerce.number().int().positive() });
export const VersionParams = ResourceRefParams.extend({ version: z.coerce.number().int().positive() });

export const LoadQuery = z.object({
  format: z.enum(['csv', 'tsv', 'ndjson', 'json', 'arrow', 'xlsx']).optional(),
  encoding: z.enum(['auto', 'utf8', 'gb18030']).default('auto'),
  sheet: z.string().max(100).optional(),
  mode: z.enum(['replace', 'append', 'upsert']).default('replace'),
  key: csvList().optional(),
  maxErrors: z.coerce.number().int().min(0).default(0),
  /** A replace by a file without rows may empty a resource that has rows. */
  allowEmpty: z.enum(['true', 'false']).transform((v) => v === 'true').default(false),
  /** File header -> item name, as JSON. */
  mapping: z
    .string()
    .transform((s, ctx) => {
      try {
        const v = JSON.parse(s);
        if (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string')) return v as Record<string, string>;
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'mapping must be a JSON object of header -> item name' });
      return z.NEVER;
    })
    .optional(),
  fileName: z.string().max(255).optional(),
});
export type LoadQuery = z.infer<typeof LoadQuery>;
