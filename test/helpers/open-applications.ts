import type { Knex } from 'knex';
import type { Actor } from '../../server/src/audit/chain.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { DEFAULT_MASK_RULES } from '../../server/src/data/masking.ts';
import { applicationApprover, applicationCreator, type ApplicationPolicy } from '../../server/src/open/applications/commands.ts';
import type { ApplicationApproveBody } from '../../server/src/open/applications/schema.ts';
import { loadCsv, publishedResource } from './census.ts';

/** 有条件开放 with its condition; the legal person's name (personal, masked) may be applied for, masked. */
export const CONDITIONALLY_OPEN = { openType: 'conditional', openCondition: '仅向经审核的研究机构开放，用于市场主体结构研究，须签订数据使用协议' };

/** A published, conditionally open resource of a department. */
export function conditionalResource(knex: Knex, providerUscc: string, over: Record<string, unknown> = {}) {
  return publishedResource(knex, providerUscc, { ...CONDITIONALLY_OPEN, ...over });
}

export const ALL_COMMITMENTS = { purposeOnly: true, noRedistribution: true, noReidentification: true, secureStorage: true, reportUse: true, deleteOnExpiry: true };

/** An application document for a dataset code. */
export function applicationDoc(resourceCode: string, over: Record<string, unknown> = {}) {
  return {
    resourceCode,
    items: ['credit_code', 'company_name', 'legal_person', 'capital'],
    purpose: '研究本市市场主体的注册资本结构',
    scenario: '市场主体结构研究报告',
    organisation: { name: '滨海大学经济学院', kind: 'institution', uscc: '123502004266000002' },
    accessMode: 'query',
    period: { kind: '90d' },
    expectedCallRate: 30,
    commitments: ALL_COMMITMENTS,
    ...over,
  };
}

/** The workflow's defaults: 10 working days, 60 calls a minute, the default mask rules. */
export const APPLICATION_POLICY: ApplicationPolicy = { limitDays: 10, defaultRate: 60, maskRules: DEFAULT_MASK_RULES };

/**
 * A fresh conditionally open resource of the provider and a developer's application for it, walked
 * by the commands to `to`; with data loaded when `load` is given (CSV text).
 */
export async function applicationOf(
  knex: Knex,
  providerUscc: string,
  developerId: number,
  opts: { to: 'provider_review' | 'granted'; mode?: 'query' | 'download'; load?: string; approve?: ApplicationApproveBody } = { to: 'provider_review' },
) {
  const resource = await conditionalResource(knex, providerUscc, { name: `有条件开放测试资源${++made}` });
  if (opts.load) await loadCsv(knex, resource.id, opts.load);
  const actor: Actor = { kind: 'system', label: 'system:test' };
  let application = await runCommand(knex, { actor }, (ctx) => applicationCreator(ctx, APPLICATION_POLICY, developerId, applicationDoc(resource.code, { accessMode: opts.mode ?? 'query' })));
  if (opts.to === 'granted') application = await runCommand(knex, { actor }, (ctx) => applicationApprover(ctx, APPLICATION_POLICY, application.id, opts.approve ?? {}, null));
  return { application, resource };
}
let made = 0;
