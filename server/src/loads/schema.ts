import { QualityProfileShown } from '../policies/data-values.ts';
import { z } from 'zod';
import { csvList, listOf, timestamp } from '../lib/zod-fields.ts';


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
  allowEmpty: z.enum(['true', 'false']).transform((v) => v === 'true').default(false).describe('a replace by a file without rows may empty a resource that has rows'),
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
    .optional()
    .describe('file header → item name, as a JSON object'),
  fileName: z.string().max(255).optional(),
});
export type LoadQuery = z.infer<typeof LoadQuery>;

const int = z.number().int();

export const LoadRecord = z
  .object({
    id: int,
    resourceId: int,
    state: z.string().describe('queued, running, succeeded, failed'),
    mode: z.string().describe('replace, append or upsert'),
    options: z.record(z.string(), z.unknown()).describe('the options the load was started with'),
    fileName: z.string().nullable(),
    progress: z.object({
      rowsRead: int.nullable(),
      bytesRead: int.nullable(),
      totalBytes: int.nullable(),
      percent: z.number().nullable(),
      rowsPerSecond: int.nullable(),
      elapsedSeconds: z.number(),
    }),
    rowsLoaded: int.nullable(),
    rejected: int.nullable().describe('values rejected (see rejects.csv)'),
    version: int.nullable().describe('the version the load made, once it succeeded'),
    result: z.record(z.string(), z.unknown()).nullable(),
    error: z.record(z.string(), z.unknown()).nullable(),
    by: z.string(),
    createdAt: timestamp,
    startedAt: timestamp.nullable(),
    finishedAt: timestamp.nullable(),
  })
  .meta({ id: 'Load', description: 'A load of a data extract: state, progress, the result or the error' });

export const LoadList = listOf(LoadRecord);

export const VersionRecord = z
  .object({
    resourceId: int,
    version: int,
    table: z.string().describe('the table holding the version'),
    items: z.array(z.record(z.string(), z.unknown())).describe('the items (信息项) of the version, as loaded'),
    rows: int,
    profile: QualityProfileShown.nullable().describe('the quality profile of the version, as counts'),
    loadId: int.nullable(),
    createdAt: timestamp,
    droppedAt: timestamp.nullable().describe('when its table was dropped by the retention rule'),
  })
  .meta({ id: 'DataVersion', description: 'A loaded version of a resource’s data' });

export const VersionList = z.object({ current: int.nullable().describe('the version readers see'), items: z.array(VersionRecord) });
