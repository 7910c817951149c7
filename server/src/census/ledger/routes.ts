import { z } from 'zod';
import { route } from '../../http/route.ts';
import { ledgerCsv, ledgerXlsx } from './export.ts';
import { buildLedger, LEDGER_LISTS } from './ledger.ts';
import { Ledger } from './schema.ts';

const LedgerQuery = z.object({
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
  /** Only this department (its id); outside the caller's reach the lists are empty. */
  department: z.coerce.number().int().positive().optional(),
  /** Only this list. */
  list: z.enum(LEDGER_LISTS).optional(),
});

export const ledgerRoutes = [
  route({
    method: 'get',
    path: '/api/v1/census/ledger',
    operationId: 'getLedger',
    summary: 'The ledger (一本账): every system, resource and demand with department, status and links, as JSON, CSV (UTF-8 with BOM) or .xlsx (a sheet per list)',
    tags: ['census'],
    access: { admin: 'any', authority: 'any', officer: 'own', registrar: 'own' },
    query: LedgerQuery,
    response: Ledger,
    alsoWrites: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    scoped: true,
    handler: async ({ query, scoping, services, res }) => {
      const lists = query.list ? [query.list] : LEDGER_LISTS;
      const ledger = await buildLedger(services.knex, { scoping, department: query.department, lists });
      if (query.format === 'json') return { body: ledger };
      const stamp = ledger.generatedAt.slice(0, 10);
      if (query.format === 'csv') {
        res.type('text/csv; charset=utf-8').attachment(`一本账-${stamp}.csv`).send(ledgerCsv(ledger, lists));
        return;
      }
      res
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .attachment(`一本账-${stamp}.xlsx`)
        .send(await ledgerXlsx(ledger, lists));
    },
  }),
];
