import type { Knex } from 'knex';
import type { Actor } from '../../server/src/audit/chain.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { documentCreator } from '../../server/src/census/documents/commands.ts';
import { loadConfig } from '../../server/src/config.ts';
import { requestCreator, requestDisputer, requestRefuser, sharingPolicy, type RequestRow, type SharingPolicy } from '../../server/src/sharing/requests.ts';
import { TEST_ACTOR } from './actor.ts';
import type { Dept } from './app.ts';
import { publishedResource, systemDoc } from './census.ts';

/** The workflow's defaults (2/5/10/5 working days, automatic compliance check). */
export const POLICY: SharingPolicy = sharingPolicy(loadConfig({} as NodeJS.ProcessEnv));

export const CONDITIONAL = { shareType: 'conditional', shareCondition: '仅限依职责核验企业登记信息使用', openType: 'closed' };
export const NOT_SHARED = { shareType: 'none', shareBasis: '《中华人民共和国保守国家秘密法》第十三条', openType: 'closed' };

/** A share-request document for a resource code. */
export function shareDoc(resourceCode: string, over: Record<string, unknown> = {}) {
  return {
    resourceCode,
    items: ['credit_code', 'company_name', 'legal_person'],
    purpose: '企业开办一网通办时核验营业执照信息，免于提交纸质材料。',
    scenario: '企业开办审批时核验营业执照',
    accessMode: 'query',
    period: { kind: '90d' },
    ...over,
  };
}

export async function systemOf(knex: Knex, dept: Dept, name = '企业开办一网通办系统'): Promise<number> {
  const row = await runCommand(knex, { actor: TEST_ACTOR }, (ctx) => documentCreator(ctx, 'system', systemDoc(dept.uscc, { name })));
  return row.id;
}

export interface Walk {
  /** Stop in this state (submitted needs the manual compliance check). */
  to: 'submitted' | 'provider_review' | 'refused' | 'disputed' | 'granted';
  mode?: 'query' | 'download' | 'verify';
  doc?: Record<string, unknown>;
  resource?: Record<string, unknown>;
}

/** A published resource of `provider` and a request of `consumer` for it, walked by the commands to a state. */
export async function requestBetween(knex: Knex, consumer: Dept, provider: Dept, walk: Walk): Promise<{ request: RequestRow; resource: Record<string, any> }> {
  const conditional = walk.to !== 'granted' && walk.to !== 'submitted';
  const resource = await publishedResource(knex, provider.uscc, walk.resource ?? (conditional ? CONDITIONAL : {}));
  const actor: Actor = { kind: 'system', label: 'system:test', departmentId: consumer.id };
  const policy = { ...POLICY, autoCompliance: walk.to !== 'submitted' };
  let request = await runCommand(knex, { actor }, (ctx) =>
    requestCreator(ctx, policy, {
      consumerDepartmentId: consumer.id,
      requestedBy: null,
      doc: shareDoc(resource.code, { accessMode: walk.mode ?? 'query', ...(conditional ? { legalBasis: '《优化营商环境条例》第三十五条' } : {}), ...(walk.doc ?? {}) }),
    }),
  );
  if (walk.to === 'refused' || walk.to === 'disputed') {
    request = await runCommand(knex, { actor }, (ctx) => requestRefuser(ctx, request.id, '申请用途与共享条件不符'));
  }
  if (walk.to === 'disputed') {
    request = await runCommand(knex, { actor }, (ctx) => requestDisputer(ctx, policy, request.id, { reason: '依法履职需要，申请复核' }));
  }
  return { request, resource };
}
