import { z } from 'zod';
import { shanghaiDay } from '../../governance/period.ts';
import { route } from '../../http/route.ts';
import { ledgerCsv, ledgerXlsx } from './export.ts';
import { buildLedger, LEDGER_LISTS, LEDGER_SHEETS, RESOURCE_FILTERS } from './ledger.ts';
import { Ledger } from './schema.ts';

const code = (what: string) => z.string().regex(/^[a-z][a-z_]{0,39}$/, `${what}: a code as the census schemas name it / ${what}：须为普查表中的代码`);

const LedgerQuery = z
  .object({
    format: z.enum(['json', 'csv', 'xlsx']).default('json'),
    department: z.coerce.number().int().positive().optional().describe('only this department (its id); outside the caller’s reach the lists are empty'),
    list: z.enum(LEDGER_LISTS).optional().describe('only this list'),
    status: code('status').optional().describe('only entries in this status (draft, submitted, approved, published, retired; active; open, matched …)'),
    q: z.string().trim().max(100).optional().describe('only entries whose name holds each of these words'),
    category: z.string().regex(/^[1-3][0-9]{0,29}$/, 'a class code: digits starting with 1, 2 or 3 / 分类代码：以 1、2 或 3 开头的数字').optional().describe('resources of this class or any class under it (list=resources)'),
    shareType: code('shareType').optional().describe('resources of this share type (list=resources)'),
    openType: code('openType').optional().describe('resources of this open type (list=resources)'),
    domain: code('domain').optional().describe('resources of this domain (list=resources)'),
    limit: z.coerce.number().int().min(1).max(500).optional().describe('JSON of one list only: at most this many entries (keyset paging; counts stay the totals)'),
    after: z.coerce.number().int().min(0).optional().describe('with limit: the `next` of the previous page'),
  })
  .refine((q) => !RESOURCE_FILTERS.some((k) => q[k] !== undefined) || q.list === 'resources', {
    message: 'category, shareType, openType and domain filter resources: give list=resources / 分类、共享类型、开放属性和领域只适用于数据清单：须同时给出 list=resources',
    path: ['list'],
  })
  .refine((q) => q.limit === undefined || (q.list !== undefined && q.format === 'json'), {
    message: 'paging is for the JSON of one list: give list, and no format or format=json; an export holds every entry / 分页只适用于单个清单的 JSON：须给出 list；导出文件包含全部条目',
    path: ['limit'],
  })
  .refine((q) => q.after === undefined || q.limit !== undefined, { message: '`after` goes with `limit` / after 须与 limit 同时给出', path: ['after'] });

export const ledgerRoutes = [
  route({
    method: 'get',
    path: '/api/v1/census/ledger',
    operationId: 'getLedger',
    summary: 'The ledger (一本账): every system, resource and demand with department, status and links, filtered, as JSON (one list paged on request), CSV (UTF-8 with BOM) or .xlsx (a sheet per list)',
    tags: ['census'],
    access: { admin: 'any', authority: 'any', officer: 'own', registrar: 'own' },
    query: LedgerQuery,
    response: Ledger,
    alsoWrites: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    scoped: true,
    handler: async ({ query, scoping, services, res }) => {
      const { format, list, ...filters } = query;
      const lists = list ? [list] : LEDGER_LISTS;
      const ledger = await buildLedger(services.knex, { scoping, ...filters, lists });
      if (format === 'json') return { body: ledger };
      // 一本账-数据清单-2026-12-08.csv, the city's date: a person keeps several exports side by side
      const name = ['一本账', ...(list ? [LEDGER_SHEETS[list]] : []), shanghaiDay(new Date(ledger.generatedAt))].join('-');
      if (format === 'csv') {
        res.type('text/csv; charset=utf-8').attachment(`${name}.csv`).send(ledgerCsv(ledger, lists));
        return;
      }
      res
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .attachment(`${name}.xlsx`)
        .send(await ledgerXlsx(ledger, lists));
    },
  }),
];
