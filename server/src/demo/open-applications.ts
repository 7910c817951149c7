import type { Knex } from 'knex';
import type { Actor } from '../audit/chain.ts';
import { notifyChainer } from '../audit/chainer.ts';
import { runCommand } from '../audit/command.ts';
import { principalCreator } from '../auth/accounts/commands.ts';
import type { Config } from '../config.ts';
import { maskRulesOf } from '../data/view.ts';
import { applicationApprover, applicationCreator, type ApplicationPolicy } from '../open/applications/commands.ts';
import type { OpenApplication } from '../schemas/validator.ts';

/**
 * Conditional open data (有条件开放) in the demo city: two developer accounts and their applications
 * for 医师执业注册信息 (市卫健委), one approved for fewer items than asked, one waiting for the
 * officer. The developers sign in with the passwords in demo-accounts.txt (seed.ts).
 */

const DEMO: Actor = { kind: 'system', label: 'system:demo' };
const DATASET = '医师执业注册信息';
const ALL_COMMITMENTS = { purposeOnly: true, noRedistribution: true, noReidentification: true, secureStorage: true, reportUse: true, deleteOnExpiry: true } as const;

/** Demo developer accounts: outside every department, signing in by login or e-mail address. */
export const DEMO_DEVELOPERS = [
  { login: 'dev.lin', name: '林晓（滨海大学公共卫生学院）', email: 'lin.xiao@bhu.example.edu.cn' },
  { login: 'dev.zhou', name: '周航（滨海康数科技有限公司）', email: 'zhou.hang@kangshu.example.com' },
] as const;

const APPLICATIONS: { developer: string; doc: Omit<OpenApplication, 'resourceCode'>; approve?: { items: string[]; note: string } }[] = [
  {
    developer: 'dev.lin',
    doc: {
      items: ['practice_type', 'practice_scope', 'org_name', 'registered_on', 'person_name'],
      purpose: '研究滨海市执业医师的执业类别和执业范围结构，为卫生人力资源规划提供依据。',
      scenario: '卫生人力资源统计分析，成果用于年度研究报告，不公开个体记录。',
      organisation: { name: '滨海大学公共卫生学院', kind: 'institution', uscc: '123502004266000002', contact: '林晓', mobile: '13859000001' },
      accessMode: 'query',
      period: { kind: '180d' },
      expectedCallRate: 30,
      commitments: ALL_COMMITMENTS,
    },
    approve: { items: ['practice_type', 'practice_scope', 'registered_on'], note: '研究只需执业类别、执业范围和注册日期；姓名和执业机构不予提供。' },
  },
  {
    developer: 'dev.zhou',
    doc: {
      items: ['practice_type', 'org_name'],
      purpose: '为在线问诊平台核实入驻医师所在执业机构的分布，优化医生排班。',
      scenario: '在线问诊平台医师排班优化',
      organisation: { name: '滨海康数科技有限公司', kind: 'enterprise', uscc: '91350200MA2Y0K3L65', contact: '周航', mobile: '13959000002' },
      accessMode: 'query',
      period: { kind: '90d' },
      expectedCallRate: 60,
      commitments: ALL_COMMITMENTS,
    },
  },
];

/** Runs after the census and its data: the developers, their applications, the officer's answer. */
export async function seedOpenApplications(knex: Knex, config: Config): Promise<{ applications: { developer: string; state: string }[] }> {
  const policy: ApplicationPolicy = { limitDays: config.openApplicationDays, defaultRate: config.shareDefaultRate, maskRules: maskRulesOf(config) };
  const result = await knex.transaction(async (trx) => {
    const resource = await trx('odx.resources').where({ name: DATASET }).whereNotNull('published_doc').first('code');
    if (!resource) throw new Error(`demo open data: no published resource '${DATASET}'`);
    const officer = await trx('odx.principals').where({ login: 'wjw.officer' }).first('id', 'department_id');
    const officerActor: Actor = { kind: 'principal', id: officer.id, label: 'principal:wjw.officer', departmentId: officer.department_id };
    const ids = new Map<string, number>();
    await runCommand(trx, { actor: DEMO }, async (ctx) => {
      for (const d of DEMO_DEVELOPERS) {
        const p = await principalCreator(ctx, { login: d.login, displayName: d.name, departmentId: null, roles: ['developer'], kind: 'user', email: d.email });
        ids.set(d.login, p.id);
      }
    });
    const applications: { developer: string; state: string }[] = [];
    for (const a of APPLICATIONS) {
      const id = ids.get(a.developer)!;
      const actor: Actor = { kind: 'principal', id, label: `principal:${a.developer}`, departmentId: null };
      let row = await runCommand(trx, { actor }, (ctx) => applicationCreator(ctx, policy, id, { ...a.doc, resourceCode: resource.code }));
      if (a.approve) row = await runCommand(trx, { actor: officerActor }, (ctx) => applicationApprover(ctx, policy, row.id, a.approve!, officer.id));
      applications.push({ developer: a.developer, state: row.state });
    }
    return { applications };
  });
  notifyChainer(knex);
  return result;
}
