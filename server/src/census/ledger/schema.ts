import { z } from 'zod';

const int = z.number().int();
const text = z.string();
const dept = { departmentId: int, department: text.describe('department name'), departmentCode: text.describe('统一社会信用代码 of the department') };
const kept = { version: int, updatedAt: text.meta({ format: 'date-time' }) };

export const LedgerSystem = z
  .object({
    id: int,
    name: text,
    ...dept,
    status: text,
    buildStatus: text,
    systemType: text.nullable(),
    scope: text,
    deployment: text.nullable(),
    network: text,
    protectionLevel: int.nullable().describe('等级保护 level 1–5'),
    classified: z.boolean().nullable(),
    zombie: z.boolean().nullable().describe('僵尸系统: in use on paper only'),
    launchedAt: text.nullable(),
    storageGb: z.number().nullable(),
    contact: z.object({ name: text, mobile: text.optional(), phone: text.optional() }).nullable(),
    resources: z.array(z.object({ id: int, code: text.nullable(), name: text })).describe('resources that name this system as their source'),
    ...kept,
  })
  .meta({ id: 'LedgerSystem', description: 'A line of the 系统清单 in the ledger' });

export const LedgerResource = z
  .object({
    id: int,
    code: text.nullable(),
    name: text,
    ...dept,
    status: text,
    category: text,
    categoryName: text.nullable(),
    shareType: text,
    openType: text,
    updateCycle: text,
    domain: text.nullable(),
    format: text,
    items: int.describe('how many items (信息项)'),
    sourceSystem: z.object({ id: int, name: text }).nullable(),
    linked: z.boolean(),
    publishedAt: text.nullable(),
    demands: int.describe('how many demands (of any department) are linked to this resource'),
    ...kept,
  })
  .meta({ id: 'LedgerResource', description: 'A line of the 数据清单 in the ledger' });

export const LedgerDemand = z
  .object({
    id: int,
    name: text,
    ...dept,
    status: text,
    resourceName: text,
    items: z.array(text),
    provider: text.nullable(),
    providerName: text.nullable(),
    accessMode: text,
    updateCycle: text.nullable(),
    resources: z.array(z.object({ id: int, code: text.nullable(), name: text, departmentId: int })).describe('catalogue entries the demand is linked to (供需对接)'),
    reason: text.nullable(),
    ...kept,
  })
  .meta({ id: 'LedgerDemand', description: 'A line of the 需求清单 in the ledger' });

export const Ledger = z
  .object({
    generatedAt: text.meta({ format: 'date-time' }),
    department: int.nullable().describe('the department asked for; null for all in reach'),
    counts: z.object({ systems: int, resources: int, demands: int }).describe('totals of the lists as filtered, before paging'),
    next: int.nullable().describe('when one list is paged (limit): pass as `after` for its next page; null on the last page or unpaged'),
    systems: z.array(LedgerSystem),
    resources: z.array(LedgerResource),
    demands: z.array(LedgerDemand),
  })
  .meta({ id: 'Ledger', description: 'The ledger (一本账): every system, resource and demand in reach' });
