import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { RequestListener } from '../../server/src/http/serve.ts';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { closeServices, createApp } from '../../server/src/app.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { HeadSigner } from '../../server/src/audit/signing.ts';
import { principalCreator } from '../../server/src/auth/accounts/commands.ts';
import { acceptPassword, passwordSetter } from '../../server/src/auth/passwords.ts';
import { ROLES, type Role } from '../../server/src/auth/roles.ts';
import { tokenCreator } from '../../server/src/auth/tokens.ts';
import { departmentCreator } from '../../server/src/census/departments/commands.ts';
import { loadConfig } from '../../server/src/config.ts';
import { settleCryptoSuite } from '../../server/src/db/crypto-suite.ts';
import type { RouteSpec, Services } from '../../server/src/http/route.ts';
import { createLogger } from '../../server/src/http/observability.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { credentialCreator } from '../../server/src/sharing/credentials.ts';
import { documentCreator } from '../../server/src/census/documents/commands.ts';
import { TEST_ACTOR } from './actor.ts';
import { systemDoc } from './census.ts';
import { freshDatabase, type TestDatabase } from './db.ts';

export { TEST_ACTOR } from './actor.ts';

export interface Dept {
  id: number;
  uscc: string;
}

export interface TestApp {
  app: RequestListener;
  /** The HTTP server odx serve listens with (not yet listening). */
  server(): Server;
  routes: RouteSpec[];
  services: Services;
  db: TestDatabase;
  knex: Knex;
  home: string;
  /** Two sibling bureaus: a principal of A acting on B is acting on another department. */
  deptA: Dept;
  deptB: Dept;
  /** One account per role in department A (developers stand outside departments). */
  principals: Record<Role, { id: number; token: string }>;
  /** Same roles in department B. */
  principalsB: Record<Role, { id: number; token: string }>;
  auth(role: Role, dept?: 'A' | 'B'): { Authorization: string };
  close(): Promise<void>;
}

let seq = 0;

export async function makeDepartment(knex: Knex, name: string, kind: 'city' | 'district' | 'bureau' = 'bureau'): Promise<Dept> {
  seq++;
  const uscc = withUsccCheck(`11350200${String(700000000 + seq * 7919 + Math.floor(Math.random() * 1000)).slice(0, 9)}`);
  const d = await runCommand(knex, { actor: TEST_ACTOR }, (ctx) => departmentCreator(ctx, { name, uscc, regionCode: '350200', kind, parentId: null }));
  return { id: d.id, uscc: d.uscc };
}

export async function makePrincipal(knex: Knex, login: string, departmentId: number | null, roles: Role[]) {
  return runCommand(knex, { actor: TEST_ACTOR }, async (ctx) => {
    const p = await principalCreator(ctx, { login, displayName: login, departmentId, roles, kind: 'user' });
    const t = await tokenCreator(ctx, { principalId: p.id, name: 'test', scopes: roles.includes('consumer') ? ['read'] : ['read', 'write'], expiresAt: null });
    return { id: p.id as number, token: t.secret };
  });
}

/** Gives an account a password, as `odx user passwd` does. */
export async function setPassword(knex: Knex, principalId: number, password: string): Promise<void> {
  const account = await knex('odx.principals').where({ id: principalId }).first('login', 'email');
  const accepted = await acceptPassword(password, account);
  await runCommand(knex, { actor: TEST_ACTOR }, (ctx) => passwordSetter(ctx, principalId, accepted));
}

/** A consumer is a credential bound to a registered system of its department, with a read-only token (as POST /api/v1/consumer-credentials makes it). */
export async function makeConsumer(knex: Knex, login: string, dept: Dept) {
  return runCommand(knex, { actor: TEST_ACTOR }, async (ctx) => {
    const system = await documentCreator(ctx, 'system', systemDoc(dept.uscc, { name: `${login} 的业务系统` }));
    const created = await credentialCreator(ctx, { systemId: system.id, login, expiresAt: null });
    return { id: created.id as number, token: created.token.secret as string };
  });
}

/**
 * `log`: the app's logger (default: silent, or TEST_LOG's level); a test that reads what ODX logs passes its own.
 * `env`: further settings (ODX_* variables) over the tests' defaults.
 * `emptyCensus`: no census document besides the test's own — the consumer fixtures are then
 * people holding a consumer role that is not honoured (no system to bind a credential to).
 */
export async function testApp(opts: { log?: Logger; env?: Record<string, string>; emptyCensus?: boolean } = {}): Promise<TestApp> {
  const db = await freshDatabase();
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-home-'));
  // no rate limits here: a test file's many calls from one address would trip them (test/integration/rate-limit.test.ts sets its own);
  // no web app: the API alone, as a server-only install (test/integration/web-app.test.ts and test/web/ give one)
  const config = loadConfig({ ODX_HOME: home, ODX_LOG_LEVEL: process.env.TEST_LOG ?? 'silent', ODX_RATE_LIMIT_ANONYMOUS: '0', ODX_RATE_LIMIT_KEY: '0', ODX_RATE_LIMIT_SIGNUP: '0', ODX_WEB_DIR: path.join(home, 'no-web-app'), ...opts.env } as NodeJS.ProcessEnv);
  const log = opts.log ?? createLogger(process.env.TEST_LOG ?? 'silent');
  // as a server starts: the new installation records ODX_CRYPTO's suite (default intl) before anything is hashed
  const suite = await settleCryptoSuite({ knex: db.knex, url: db.url, ownerUrl: db.ownerUrl }, config.crypto);
  const signer = await HeadSigner.load(home, suite);
  const { app, server, routes, services } = createApp({ knex: db.knex, config, log, signer });
  const deptA = await makeDepartment(db.knex, '测试甲局');
  const deptB = await makeDepartment(db.knex, '测试乙局');
  const principals = {} as TestApp['principals'];
  const principalsB = {} as TestApp['principalsB'];
  for (const role of ROLES) {
    if (role === 'consumer' && !opts.emptyCensus) {
      principals[role] = await makeConsumer(db.knex, 'a.consumer', deptA);
      principalsB[role] = await makeConsumer(db.knex, 'b.consumer', deptB);
      continue;
    }
    const inDept = role === 'developer' ? null : undefined;
    principals[role] = await makePrincipal(db.knex, `a.${role}`, inDept === null ? null : deptA.id, [role]);
    principalsB[role] = await makePrincipal(db.knex, `b.${role}`, inDept === null ? null : deptB.id, [role]);
  }
  return {
    app,
    server,
    routes,
    services,
    db,
    knex: db.knex,
    home,
    deptA,
    deptB,
    principals,
    principalsB,
    auth: (role, dept = 'A') => ({ Authorization: `Bearer ${(dept === 'A' ? principals : principalsB)[role].token}` }),
    async close() {
      await closeServices(services);
      await db.drop();
      await fs.rm(home, { recursive: true, force: true });
    },
  };
}
