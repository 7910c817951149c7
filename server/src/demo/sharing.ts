import type { Knex } from 'knex';
import type { Actor } from '../audit/chain.ts';
import { notifyChainer } from '../audit/chainer.ts';
import { runCommand } from '../audit/command.ts';
import type { Config } from '../config.ts';
import { credentialCreator } from '../sharing/credentials.ts';
import { compliancePasser, requestCreator, requestDisputer, requestRefuser, sharingPolicy, type RequestRow } from '../sharing/requests.ts';
import type { ShareRequest } from '../schemas/validator.ts';

/**
 * Sharing in the demo city: consumer departments with system credentials, and requests in the
 * states a visitor should see — an unconditional one granted at once, a conditional one waiting
 * for the provider's officer, and one the provider refused and the consumer disputed, waiting
 * for the data authority. Each step is taken by the account that takes it in real life.
 */

interface DemoRequest {
  consumer: string;
  resource: string;
  demand?: string;
  system: string;
  doc: Omit<ShareRequest, 'resourceCode' | 'demandId' | 'consumerSystem'>;
  refuse?: string;
  dispute?: { reason: string; legalBasis: string };
}

const REQUESTS: DemoRequest[] = [
  {
    consumer: 'rsj',
    resource: '企业营业执照信息',
    demand: '社会保险单位参保登记核验营业执照',
    system: '社会保险经办信息系统',
    doc: {
      items: ['uscc', 'entity_name', 'legal_rep', 'founded_on'],
      purpose: '用人单位办理社会保险登记时自动获取营业执照信息，免于提交营业执照复印件。',
      scenario: '社会保险单位参保登记“免证办”',
      matters: ['社会保险单位参保登记'],
      accessMode: 'query',
      period: { kind: 'long_term' },
      expectedCallRate: 120,
      syncMode: 'full',
    },
  },
  {
    consumer: 'gaj',
    resource: '出生医学证明信息',
    demand: '新生儿户口登记核验出生医学证明',
    system: '人口信息管理系统',
    doc: {
      items: ['cert_no', 'baby_name', 'born_at', 'mother_id'],
      purpose: '“出生一件事”联办中办理新生儿户口登记，免于提交纸质出生医学证明。',
      scenario: '新生儿出生登记时按出生医学证明编号核验',
      matters: ['出生登记'],
      legalBasis: '《中华人民共和国户口登记条例》第七条',
      accessMode: 'query',
      period: { kind: '180d' },
      expectedCallRate: 30,
    },
  },
  {
    consumer: 'rsj',
    resource: '网约车驾驶员证信息',
    demand: '新就业形态劳动者职业伤害保障参保扩面',
    system: '公共就业服务信息系统',
    doc: {
      items: ['person_name', 'id_card', 'platform'],
      purpose: '识别在本市服务的网约车驾驶员，开展新就业形态劳动者职业伤害保障参保宣传和扩面。',
      scenario: '按月批量比对未参保的网约车驾驶员',
      legalBasis: '《关于维护新就业形态劳动者劳动保障权益的指导意见》（人社部发〔2021〕56号）',
      accessMode: 'download',
      period: { kind: '90d' },
      syncMode: 'incremental',
    },
    refuse: '共享条件限于“依职责核验从业资格”，批量获取全部驾驶员身份信息超出该条件；建议改为按身份号码核验。',
    dispute: {
      reason: '职业伤害保障扩面须主动识别全部网约车驾驶员，逐条核验无法发现未参保人员；本局依职责开展参保扩面，申请数据主管部门裁定。',
      legalBasis: '《新就业形态就业人员职业伤害保障办法（试行）》第五条',
    },
  },
];

/** System credentials of consumer departments: login, the system (by name) it is bound to. */
const CREDENTIALS: { dept: string; login: string; system: string }[] = [
  { dept: 'rsj', login: 'rsj.si.api', system: '社会保险经办信息系统' },
  { dept: 'gaj', login: 'gaj.pop.api', system: '人口信息管理系统' },
  { dept: 'smmz', login: 'smmz.aid.api', system: '社会救助信息管理系统' },
];

export interface SharingSummary {
  credentials: number;
  requests: { resource: string; state: string }[];
}

/** Runs after the census; `departments` maps the department keys of seed.ts to their ids. */
export async function seedSharing(knex: Knex, departments: Map<string, number>, config: Config): Promise<SharingSummary> {
  const policy = sharingPolicy(config);
  const summary = await knex.transaction(async (trx) => {
    const people = new Map<string, Actor>(
      (await trx('odx.principals').select('id', 'login', 'department_id')).map((p: { id: number; login: string; department_id: number | null }) => [
        p.login,
        { kind: 'principal', id: p.id, label: `principal:${p.login}`, departmentId: p.department_id },
      ]),
    );
    const as = (login: string): Actor => people.get(login) ?? (() => { throw new Error(`demo sharing: no account '${login}'`); })();
    const deptId = (key: string) => departments.get(key) ?? (() => { throw new Error(`demo sharing: no department '${key}'`); })();
    const systemId = async (dept: string, name: string): Promise<number> => {
      const row = await trx('odx.systems').where({ department_id: deptId(dept), name }).first('id');
      if (!row) throw new Error(`demo sharing: ${dept} has no system '${name}'`);
      return row.id;
    };
    const authority = as('sjj.authority');

    for (const c of CREDENTIALS) {
      const id = await systemId(c.dept, c.system);
      await runCommand(trx, { actor: as(`${c.dept}.officer`) }, (ctx) =>
        credentialCreator(ctx, { systemId: id, login: c.login, expiresAt: new Date(Date.now() + config.tokenDefaultDays * 86_400_000) }),
      );
    }

    const requests: { resource: string; state: string }[] = [];
    for (const r of REQUESTS) {
      const resource = await trx('odx.resources').where({ name: r.resource }).whereNotNull('code').first('code', 'department_id');
      if (!resource) throw new Error(`demo sharing: no published resource '${r.resource}'`);
      const demand = r.demand ? await trx('odx.demands').where({ name: r.demand, department_id: deptId(r.consumer) }).first('id') : undefined;
      if (r.demand && !demand) throw new Error(`demo sharing: no demand '${r.demand}'`);
      const doc: ShareRequest = { ...r.doc, resourceCode: resource.code, consumerSystem: await systemId(r.consumer, r.system), ...(demand ? { demandId: demand.id } : {}) };
      let row: RequestRow = await runCommand(trx, { actor: as(`${r.consumer}.registrar`) }, (ctx) =>
        requestCreator(ctx, policy, { consumerDepartmentId: deptId(r.consumer), requestedBy: as(`${r.consumer}.registrar`).id!, doc }),
      );
      // with the automatic check turned off, the authority checks the demo requests as it would
      if (row.state === 'submitted') row = await runCommand(trx, { actor: authority }, (ctx) => compliancePasser(ctx, policy, row.id, { note: '合规审查通过' }));
      const provider = [...departments].find(([, id]) => id === resource.department_id)![0];
      if (r.refuse) row = await runCommand(trx, { actor: as(`${provider}.officer`) }, (ctx) => requestRefuser(ctx, row.id, r.refuse!));
      if (r.dispute) row = await runCommand(trx, { actor: as(`${r.consumer}.officer`) }, (ctx) => requestDisputer(ctx, policy, row.id, r.dispute!));
      requests.push({ resource: r.resource, state: row.state });
    }
    return { credentials: CREDENTIALS.length, requests };
  });
  notifyChainer(knex);
  return summary;
}
