import { z } from 'zod';
import { searchPageOf } from '../../census/resources/schema.ts';
import { csvList, limit, timestamp } from '../../lib/zod-fields.ts';


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
  department: z
    .string()
    .regex(/^(\d{1,15}|[0-9A-HJ-NPQRTUWXY]{18})$/, 'a department id or 统一社会信用代码')
    .optional()
    .describe('a department id or its 统一社会信用代码'),
  domain: csvList().optional(),
  format: csvList().optional().describe('download formats (csv, ndjson, json, arrow, xlsx: datasets with data to download) or 信息资源格式 types (database, spreadsheet, …), comma-separated'),
  updateCycle: csvList().optional(),
  tag: z.string().max(100).optional(),
  updated_since: since.optional(),
  facets: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  cursor: z.string().max(200).optional(),
  limit: limit(100, 20),
});
export type DatasetListQuery = z.infer<typeof DatasetListQuery>;

export const CodeParams = z.object({ code: z.string().min(1).max(100) });

const links = { self: z.string().meta({ format: 'uri' }) };

/** 信息资源格式 (catalog-schemas/common.schema.json#/$defs/format). */
const ResourceFormat = z.object({ type: z.string().describe('the format type code (database, spreadsheet, …)'), subtype: z.string().optional() }).describe('信息资源格式');

export const DatasetSummary = z
  .object({
    code: z.string().describe('信息资源代码'),
    name: z.string(),
    summary: z.string(),
    department: z.object({ id: z.number().int(), name: z.string().nullable() }),
    domain: z.string().nullable(),
    format: ResourceFormat,
    updateCycle: z.string(),
    tags: z.array(z.string()),
    publishedAt: timestamp.nullable(),
    dataUpdatedAt: timestamp.nullable(),
    rows: z.number().int().nullable(),
    score: z.number().optional().describe('relevance to `q`'),
    links: z.object(links),
  })
  .meta({ id: 'DatasetSummary', description: 'An open dataset in a search result' });

export const DatasetSearchPage = searchPageOf(DatasetSummary).meta({
  id: 'DatasetSearchPage',
  description: 'A page of the open catalogue’s search: datasets, the next cursor, the total and the facet counts (department, domain, format, updateCycle)',
});

export const PublishedItem = z
  .object({
    name: z.string().describe('the field name in rows and downloads'),
    label: z.string().describe('the item’s Chinese name (信息项名称)'),
    type: z.string().describe('the item’s data type code (C, N, D, …)'),
    length: z.number().int().optional(),
    scale: z.number().int().optional(),
    required: z.boolean().optional(),
    key: z.boolean().optional(),
    description: z.string().optional(),
    masked: z.string().nullable().describe('the mask rule applied to its values; null when they are served as stored'),
  })
  .meta({ id: 'PublishedItem', description: 'An item (信息项) of an open dataset as published' });

/** The quality profile of an open dataset's last load: its smallest and largest values are open data, except a masked item's. */
const OpenQualityProfile = z
  .object({
    rows: z.number().int(),
    columns: z.record(
      z.string(),
      z.object({
        nulls: z.number().int().nullable().optional(),
        invalid: z.number().int().nullable().optional(),
        distinctEstimate: z.number().nullable().optional(),
        min: z.string().nullable().optional().describe('smallest value as text; null for a masked item'),
        max: z.string().nullable().optional().describe('largest value as text; null for a masked item'),
      }),
    ),
  })
  .meta({ id: 'OpenQualityProfile', description: 'Rows, and per published item nulls, invalid values, a distinct estimate and the range (withheld for masked items)' });
export type OpenQualityProfile = z.output<typeof OpenQualityProfile>;

export const Dataset = z
  .object({
    code: z.string(),
    name: z.string(),
    summary: z.string(),
    department: z.object({ id: z.number().int(), name: z.string(), uscc: z.string() }),
    category: z.unknown(),
    domain: z.string().nullable(),
    format: ResourceFormat,
    tags: z.array(z.string()),
    updateCycle: z.string(),
    publishedAt: timestamp.nullable(),
    dataUpdatedAt: timestamp.nullable().describe('when the data was last loaded'),
    rows: z.number().int().nullable(),
    licence: z.object({ id: z.string(), url: z.string(), title: z.string() }),
    items: z.array(PublishedItem).describe('the items (信息项) as published, with how personal ones are masked'),
    quality: OpenQualityProfile.nullable().describe('the quality profile of the published items; null before the first load'),
    scenario: z.unknown().optional(),
    related: z.unknown().optional(),
    matters: z.unknown().optional(),
    links: z.object({
      ...links,
      rows: z.string().nullable(),
      datapackage: z.string().nullable(),
      downloads: z.record(z.string(), z.string()).describe('a download URL per format'),
      catalog: z.string(),
    }),
  })
  .meta({ id: 'Dataset', description: 'An open dataset: metadata, items, quality, licence and links' });

export const DataPackage = z.record(z.string(), z.unknown()).describe('a Frictionless Data Package (datapackage.json)');

const SummaryDataset = z
  .object({
    code: z.string(),
    name: z.string(),
    department: z.object({ id: z.number().int(), name: z.string() }),
    domain: z.string().nullable(),
    rows: z.number().int().nullable(),
    publishedAt: timestamp,
    uses: z.number().int().optional().describe('reads and downloads in the last 30 days (most-used only)'),
  })
  .meta({ id: 'SummaryDataset', description: 'An open dataset on the portal’s home page' });

export const OpenSummary = z
  .object({
    datasets: z.number().int().describe('open datasets'),
    departments: z.number().int().describe('departments with an open dataset'),
    rows: z.number().int().describe('rows across the open datasets'),
    downloadsThisMonth: z.number().int().describe('downloads since the first of this month, Asia/Shanghai'),
    newest: z.array(SummaryDataset),
    mostUsed: z.array(SummaryDataset),
  })
  .meta({ id: 'OpenSummary', description: 'The open catalogue in figures, for the portal’s home page' });
