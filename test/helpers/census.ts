import { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { executeLoad, loadCreator } from '../../server/src/loads/service.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { documentCreator } from '../../server/src/census/documents/commands.ts';
import { resourceStepper } from '../../server/src/census/resources/lifecycle.ts';
import { TEST_ACTOR } from './actor.ts';

/** A valid 数据清单 entry of the given department, like the ones departments register. */
export function resourceDoc(provider: string, over: Record<string, unknown> = {}) {
  return {
    name: '企业营业执照信息',
    summary: '本市登记注册的企业营业执照基本信息，包括统一社会信用代码、企业名称、法定代表人、注册资本和成立日期。',
    category: '102',
    provider,
    format: { type: 'database', subtype: 'postgresql' },
    items: [
      { name: 'credit_code', label: '统一社会信用代码', type: 'C', length: 18, required: true, key: true, check: 'uscc' },
      { name: 'company_name', label: '企业名称', type: 'C', length: 200, required: true },
      { name: 'legal_person', label: '法定代表人', type: 'C', length: 50, sensitivity: 'personal', mask: 'name' },
      { name: 'capital', label: '注册资本（万元）', type: 'N', length: 18, scale: 2 },
      { name: 'founded_on', label: '成立日期', type: 'D' },
    ],
    shareType: 'unconditional',
    shareMethod: 'platform',
    openType: 'open',
    updateCycle: 'daily',
    domain: 'market',
    tags: ['营业执照', '市场主体'],
    ...over,
  };
}

export function systemDoc(owner: string, over: Record<string, unknown> = {}) {
  return {
    name: '企业登记注册系统',
    owner,
    contact: { name: '王敏', phone: '0592-2345678', mobile: '13800138000' },
    description: '企业设立、变更、注销登记业务办理系统。',
    buildStatus: 'built',
    launchedAt: '2018-06-01',
    scope: 'city',
    network: 'gov_extranet',
    ...over,
  };
}

export function demandDoc(requester: string, over: Record<string, unknown> = {}) {
  return {
    name: '企业开办核验营业执照',
    requester,
    resourceName: '营业执照信息',
    items: ['统一社会信用代码', '企业名称', '法定代表人'],
    purpose: '企业开办一网通办时核验营业执照信息，免于提交纸质材料。',
    accessMode: 'query',
    ...over,
  };
}

/** Registers and walks a resource through submit, approve and publish. */
export async function publishedResource(knex: Knex, provider: string, over: Record<string, unknown> = {}) {
  return runCommand(knex, { actor: TEST_ACTOR }, async (ctx) => {
    const created = await documentCreator(ctx, 'resource', resourceDoc(provider, over));
    for (const step of ['submit', 'approve', 'publish'] as const) await resourceStepper(ctx, created.id, step);
    return (await ctx.trx('odx.resources').where({ id: created.id }).first()) as Record<string, any>;
  });
}

/** CSV rows for resourceDoc's items, with the Chinese labels as headers. */
export function licenceCsv(from: number, count: number): string {
  let s = '统一社会信用代码,企业名称,法定代表人,注册资本（万元）,成立日期\n';
  for (let i = from; i < from + count; i++) {
    s += `${withUsccCheck(`91350200MA${String(1000000 + i).padStart(7, '0')}`)},滨海市示例贸易有限公司${i},张${i},${(i * 10.5).toFixed(2)},2021-03-${String((i % 28) + 1).padStart(2, '0')}\n`;
  }
  return s;
}

/** Loads CSV text into a resource as a new version, as a department would. */
export async function loadCsv(knex: Knex, resourceId: number, csv: string, mode: 'replace' | 'append' | 'upsert' = 'replace') {
  const origin = { actor: TEST_ACTOR };
  const id = await loadCreator(knex, origin, resourceId, { mode, maxErrors: 0, encoding: 'auto', fileName: 'test.csv' });
  const outcome = await executeLoad(knex, origin, id, Readable.from([Buffer.from(csv)]), { retention: 3 });
  if (!outcome.ok) throw new Error(`test load failed: ${JSON.stringify(outcome.error)}`);
  return { loadId: id, version: outcome.version! };
}
