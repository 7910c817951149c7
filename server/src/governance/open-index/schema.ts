import { z } from 'zod';
import { IndicatorFigures } from '../schema.ts';

export const OpenIndexQuery = z
  .object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM / 月份格式应为 YYYY-MM').optional().describe('a month with a snapshot; the latest one when left out') })
  .strict();

/** The open-data figures of the indicators: counts only (datasets, capacity, downloads…), never a value of the data. */
const OpenFigures = IndicatorFigures.shape.open;

export const OpenIndexRow = z
  .object({ department: z.object({ id: z.number().int(), name: z.string() }), open: OpenFigures })
  .meta({ id: 'OpenIndexRow', description: 'One department’s open-data figures for the month' });

export const OpenIndex = z
  .object({
    month: z.string().nullable().describe('YYYY-MM; null when no month has a snapshot yet'),
    months: z.array(z.string()).describe('every month with a snapshot, newest first'),
    city: OpenFigures.nullable().describe('the whole city; null when no month has a snapshot yet'),
    departments: z.array(OpenIndexRow),
  })
  .meta({ id: 'OpenIndex', description: 'The open-data index (开放指数): each department’s open-data indicators for a month, from the monthly snapshots (docs/indicators.md)' });
