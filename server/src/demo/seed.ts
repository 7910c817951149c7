import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { runCommand, type CommandContext } from '../audit/command.ts';
import type { Actor } from '../audit/chain.ts';
import { randomBytes } from 'node:crypto';
import { principalCreator } from '../auth/accounts/commands.ts';
import { acceptPassword, passwordSetter } from '../auth/passwords.ts';
import type { Role } from '../auth/roles.ts';
import { tokenCreator } from '../auth/tokens.ts';
import { departmentCreator } from '../census/departments/commands.ts';
import type { Config } from '../config.ts';
import { withUsccCheck } from '../lib/identifiers.ts';
import { seedCensus } from './census.ts';
import { seedData } from './data.ts';
import { seedSharing } from './sharing.ts';
import { DEMO_DEVELOPERS, seedOpenApplications } from './open-applications.ts';
import { seedHistory } from './history.ts';
import { now } from '../sharing/clock.ts';

const DEMO: Actor = { kind: 'system', label: 'system:demo' };

/** A fictional city, 滨海市, with real-format codes: GB/T 2260 region codes and USCCs with valid check characters. */
const DEPARTMENTS: { key: string; name: string; short: string; org: string; region: string; kind: 'city' | 'district' | 'bureau'; parent?: string }[] = [
  { key: 'city', name: '滨海市人民政府', short: '市政府', org: '003600018', region: '350200', kind: 'city' },
  { key: 'sjj', name: '滨海市政务服务数据管理局', short: '市数据局', org: 'MB0A31527', region: '350200', kind: 'bureau', parent: 'city' },
  { key: 'scjg', name: '滨海市市场监督管理局', short: '市市场监管局', org: 'MB0H27342', region: '350200', kind: 'bureau', parent: 'city' },
  { key: 'jtys', name: '滨海市交通运输局', short: '市交通运输局', org: '003602108', region: '350200', kind: 'bureau', parent: 'city' },
  { key: 'wjw', name: '滨海市卫生健康委员会', short: '市卫健委', org: 'MB0H18955', region: '350200', kind: 'bureau', parent: 'city' },
  { key: 'rsj', name: '滨海市人力资源和社会保障局', short: '市人社局', org: '003603711', region: '350200', kind: 'bureau', parent: 'city' },
  { key: 'wlj', name: '滨海市文化和旅游局', short: '市文旅局', org: 'MB0H39408', region: '350200', kind: 'bureau', parent: 'city' },
  { key: 'jrj', name: '滨海市地方金融管理局', short: '市金融局', org: 'MB0P52016', region: '350200', kind: 'bureau', parent: 'city' },
  { key: 'gaj', name: '滨海市公安局', short: '市公安局', org: '003601029', region: '350200', kind: 'bureau', parent: 'city' },
  { key: 'smq', name: '滨海市思明区人民政府', short: '思明区政府', org: '003650012', region: '350203', kind: 'district', parent: 'city' },
  { key: 'smmz', name: '滨海市思明区民政局', short: '思明区民政局', org: '003650215', region: '350203', kind: 'bureau', parent: 'smq' },
];

const ACCOUNTS: { login: string; name: string; dept: string; roles: Role[] }[] = [
  { login: 'admin', name: '平台运维管理员', dept: 'sjj', roles: ['admin'] },
  { login: 'sjj.authority', name: '陈静（市数据局）', dept: 'sjj', roles: ['authority'] },
  ...['scjg', 'jtys', 'wjw', 'rsj', 'wlj', 'jrj', 'gaj', 'smmz'].flatMap((dept) => [
    { login: `${dept}.officer`, name: `${dept} 首席数据官`, dept, roles: ['officer'] as Role[] },
    { login: `${dept}.registrar`, name: `${dept} 填报员`, dept, roles: ['registrar'] as Role[] },
  ]),
];

export interface DemoResult {
  adminTokenFile: string;
  /** The demo accounts' logins, roles and passwords (mode 0600). */
  accountsFile: string;
  seeded: boolean;
}

/** Loads the demo city once; later starts reuse it. Everything goes through the audited commands. */
export async function seedDemo(knex: Knex, config: Config): Promise<DemoResult> {
  const seeded = !(await knex('odx.departments').first('id'));
  if (seeded) {
    const ids = await runCommand(knex, { actor: DEMO }, async (ctx) => {
      const ids = new Map<string, number>();
      for (const d of DEPARTMENTS) {
        const created = await departmentCreator(ctx, {
          name: d.name,
          shortName: d.short,
          uscc: withUsccCheck(`11${d.region}${d.org}`),
          regionCode: d.region,
          kind: d.kind,
          parentId: d.parent ? ids.get(d.parent)! : null,
        });
        ids.set(d.key, created.id);
      }
      for (const a of ACCOUNTS) {
        await principalCreator(ctx, { login: a.login, displayName: a.name, departmentId: ids.get(a.dept)!, roles: a.roles, kind: 'user' });
      }
      return ids;
    });
    await seedCensus(knex, ids, config);
    await seedData(knex, ids, config);
    await seedSharing(knex, ids, config);
    await seedOpenApplications(knex, config);
    await seedHistory(knex, config.homeDir, now());
  }
  return { adminTokenFile: await ensureAdminToken(knex, config), accountsFile: await ensureDemoPasswords(knex, config), seeded };
}

/**
 * Gives each demo person a random password and writes them to $ODX_HOME/demo-accounts.txt (0600),
 * unless that file is already there: a restart keeps the passwords it holds.
 */
export async function ensureDemoPasswords(knex: Knex, config: Config): Promise<string> {
  const file = path.join(config.homeDir, 'demo-accounts.txt');
  if (await fs.stat(file).then((s) => s.size > 0, () => false)) return file;
  // developers stand outside every department
  const people = await knex('odx.principals as p')
    .leftJoin('odx.departments as d', 'd.id', 'p.department_id')
    .whereIn('p.login', [...ACCOUNTS.map((a) => a.login), ...DEMO_DEVELOPERS.map((d) => d.login)])
    .whereNull('p.disabled_at')
    .orderBy('p.id')
    .select('p.id', 'p.login', 'p.email', 'p.roles', knex.raw(`coalesce(d.name, '（社会开发者）') as department`));
  const passwords = people.map(() => randomBytes(12).toString('base64url'));
  const accepted = await Promise.all(people.map((p, i) => acceptPassword(passwords[i], p)));
  await runCommand(knex, { actor: DEMO }, async (ctx) => {
    for (const [i, p] of people.entries()) await passwordSetter(ctx, p.id, accepted[i]);
  });
  const lines = people.map((p, i) => [p.login, p.roles.join(','), p.department, passwords[i]].join('\t'));
  const text = `# ODX demo accounts (滨海市): sign in with a login and its password. Keep this file private.\n# login\troles\tdepartment\tpassword\n${lines.join('\n')}\n`;
  await fs.writeFile(file, text, { mode: 0o600 });
  return file;
}

/** Writes a fresh admin token to $ODX_HOME/admin-token (0600) unless one is already there. */
export async function ensureAdminToken(knex: Knex, config: Config): Promise<string> {
  const file = path.join(config.homeDir, 'admin-token');
  const present = await fs.readFile(file, 'utf8').then((s) => s.trim(), () => '');
  if (present) return file;
  const admin = await knex('odx.principals').whereRaw(`'admin' = any(roles)`).whereNull('disabled_at').orderBy('id').first('id');
  if (!admin) throw new Error('no admin account exists; create one with `odx user add --roles admin`');
  const token = await runCommand(knex, { actor: DEMO }, (ctx: CommandContext) =>
    tokenCreator(ctx, { principalId: admin.id, name: 'admin token written by odx serve --demo', scopes: ['read', 'write'], expiresAt: null }),
  );
  await fs.writeFile(file, token.secret + '\n', { mode: 0o600 });
  return file;
}
