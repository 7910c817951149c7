import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { chainPending } from '../../server/src/audit/chain.ts';
import { verifyPassword } from '../../server/src/auth/passwords.ts';
import { makeDepartment, makePrincipal } from '../helpers/app.ts';
import { ODX_BIN, odx } from '../helpers/cli.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';

/**
 * Runs `odx user passwd` on a terminal (a pseudo-terminal made by util-linux `script`), typing
 * each answer only once its prompt is shown, as a person would.
 */
function passwdOnTerminal(login: string, env: Record<string, string>, answers: string[]): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, ODX_BIN, 'user', 'passwd', login].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let answered = 0;
  const prompts = [/new password: $/, /again: $/];
  child.stdout.on('data', (d) => {
    output += d;
    if (answered < answers.length && prompts[answered].test(output)) child.stdin.write(answers[answered++] + '\r');
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('odx user passwd', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let home: string;
  let env: Record<string, string>;
  let id: number;
  const stored = async () => (await db.knex('odx.passwords').where({ principal_id: id }).first())?.hash as string | undefined;

  before(async () => {
    db = await freshDatabase();
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-passwd-'));
    env = { DATABASE_URL: db.url, ODX_HOME: home };
    const dept = await makeDepartment(db.knex, '口令测试局');
    id = (await makePrincipal(db.knex, 'pw.registrar', dept.id, ['registrar'])).id;
  });
  after(async () => {
    await db.drop();
    await fs.rm(home, { recursive: true, force: true });
  });

  it('sets the password from the first line of a pipe, ends the account\'s sessions, and audits it without the password', async () => {
    await db.knex('odx.sessions').insert({ principal_id: id, hash: Buffer.alloc(32, 7), method: 'password', expires_at: db.knex.raw(`now() + interval '1 hour'`) });
    const res = await odx(['user', 'passwd', 'pw.registrar'], env, 'Piped-Password-2026\nignored second line\n');
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stdout).to.contain('password of pw.registrar set');
    expect(res.stdout + res.stderr).not.to.contain('Piped-Password-2026');
    expect(await verifyPassword('Piped-Password-2026', (await stored())!)).to.equal(true);
    expect(await db.knex('odx.sessions').where({ principal_id: id }).whereNull('ended_at')).to.have.length(0);
    await chainPending(db.knex);
    const event = await db.knex('odx.audit_events').where({ action: 'principal.password' }).first();
    expect(event.actor).to.match(/^cli:/);
    expect(event.detail).to.deep.equal({ login: 'pw.registrar', sessionsEnded: 1 });
  });

  it('refuses a password that breaks the policy, naming the rule in Chinese and English, and changes nothing', async () => {
    const before = await stored();
    const short = await odx(['user', 'passwd', 'pw.registrar'], env, 'short\n');
    expect(short.code).to.equal(2);
    expect(short.stderr).to.contain('密码至少需要 10 个字符（现为 5 个）').and.contain('the password must have at least 10 characters (it has 5)');
    const login = await odx(['user', 'passwd', 'pw.registrar'], env, 'PW.Registrar\n');
    expect(login.code).to.equal(2);
    expect(login.stderr).to.contain('密码不能与登录名或电子邮箱相同').and.contain('must not be the login name');
    const common = await odx(['user', 'passwd', 'pw.registrar'], env, 'qwertyuiop\n');
    expect(common.code).to.equal(2);
    expect(common.stderr).to.contain('常用密码').and.contain('commonly used');
    expect(await stored()).to.equal(before);
  });

  it('says which login is unknown, and that a system credential has no password', async () => {
    const unknown = await odx(['user', 'passwd', 'no.such.login'], env, 'Whatever-Password-1\n');
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.contain('no account has the login no.such.login');
    const dept = await makeDepartment(db.knex, '系统凭证局');
    await db.knex('odx.principals').insert({ login: 'sys.api', display_name: '接口', department_id: dept.id, roles: ['consumer'], kind: 'system' });
    const system = await odx(['user', 'passwd', 'sys.api'], env, 'Whatever-Password-1\n');
    expect(system.code).to.equal(2);
    expect(system.stderr).to.contain('system credential');
  });

  it('asks twice on a terminal without echoing, and refuses two different answers', async () => {
    const before = await stored();
    const differ = await passwdOnTerminal('pw.registrar', env, ['Terminal-Password-1', 'Terminal-Password-2']);
    expect(differ.code).to.equal(2);
    expect(differ.output).to.contain('the two passwords differ');
    expect(await stored()).to.equal(before);
    const ok = await passwdOnTerminal('pw.registrar', env, ['Terminal-Password-1', 'Terminal-Password-1']);
    expect(ok.code, ok.output).to.equal(0);
    expect(ok.output).to.contain('新密码 / new password:').and.contain('password of pw.registrar set');
    expect(ok.output).not.to.contain('Terminal-Password');
    expect(await verifyPassword('Terminal-Password-1', (await stored())!)).to.equal(true);
  });
});
