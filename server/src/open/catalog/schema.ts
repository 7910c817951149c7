import { z } from 'zod';
import { csvList, limit } from '../../lib/zod-fields.ts';


/** A date (`YYYY-MM-DD`, midnight in Asia/Shanghai) or an ISO 8601 date-time. */
const since = z
  .string()
  .max(40)
  .transform((s, ctx) => {
    const d = /^\d{4}-\d{2}-\d{2}$/.test(s) ? new Date(`${s}T00:00:00+08:00`) : new Date(s);
    if (!/^\d{4}-\d{2}-\d{2}/.test(s) || Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'an ISO 8601 date (YYYY-MM-DD) or date-time' });
      return z.NEVER;
    }
    return d;
  });

export const DatasetListQuery = z.object({
  q: z.string().max(200).optional(),
  /** Department id or 统一社会信用代码. */
  department: z.string().regex(/^(\d{1,15}|[0-9A-HJ-NPQRTUWXY]{18})$/, 'a department id or 统一社会信用代码').optional(),
  domain: csvList().optional(),
  /** Download formats (csv, ndjson, json, arrow, xlsx: datasets with data to download) or 信息资源格式 types (database, spreadsheet, ...). */
  format: csvList().optional(),
  updateCycle: csvList().optional(),
  tag: z.string().max(100).optional(),
  updated_since: since.optional(),
  facets: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  cursor: z.string().max(200).optional(),
  limit: limit(100, 20),
});
export type DatasetListQuery = z.infer<typeof DatasetListQuery>;

export const CodeParams = z.object({ code: z.string().min(1).max(100) });
