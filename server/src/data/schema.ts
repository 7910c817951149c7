import { z } from 'zod';

export const RowsPage = z
  .object({
    items: z.array(z.record(z.string(), z.unknown())).describe('the rows, each with the requested fields (masked where the view masks them)'),
    next: z.string().nullable().describe('cursor of the next page; null on the last page'),
    count: z.number().int().optional().describe('how many rows match (with count=exact|estimate)'),
    countKind: z.string().optional().describe('exact or estimate'),
    version: z.number().int().describe('the data version the rows come from'),
    grant: z.number().int().optional().describe('the grant the rows were read under (shared data)'),
  })
  .meta({ id: 'RowsPage', description: 'A page of rows of a dataset' });

export const DOWNLOAD_MEDIA_TYPES = [
  'text/csv',
  'application/x-ndjson',
  'application/json',
  'application/vnd.apache.arrow.stream',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
] as const;
