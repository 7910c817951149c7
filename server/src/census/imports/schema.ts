import { z } from 'zod';

export const ImportResult = z
  .object({
    list: z.enum(['systems', 'resources', 'demands']),
    department: z.object({ id: z.number().int(), uscc: z.string(), name: z.string() }),
    format: z.string().describe('the file format read: xlsx or csv'),
    encoding: z.string().optional().describe('the text encoding of a CSV file'),
    rows: z.number().int().describe('data rows of the main sheet'),
    created: z.number().int().describe('entries created'),
    items: z.number().int().describe('items (信息项) created with the resources'),
    ids: z.array(z.number().int()).describe('ids of the created entries'),
    ms: z.object({ parse: z.number(), validate: z.number(), store: z.number() }).describe('time spent in each phase'),
  })
  .meta({ id: 'CensusImportResult', description: 'A census workbook imported whole' });
