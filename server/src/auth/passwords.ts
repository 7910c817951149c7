import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { CommandContext } from '../audit/command.ts';
import { badRequest, notFound, text } from '../http/errors.ts';

/**
 * Passwords of people (docs/accounts.md). Stored as scrypt hashes in a PHC-style string that
 * carries its own salt and cost, `$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, so the cost can be raised
 * later and hashes written before still verify.
 */
const COST = { ln: 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
export const MIN_LENGTH = 10;
const MAX_LENGTH = 200;

function derive(password: string, salt: Buffer, cost: typeof COST): Promise<Buffer> {
  // 128 * N * r bytes of memory: 32 MiB at the default cost, which is node's default ceiling
  const options: ScryptOptions = { N: 2 ** cost.ln, r: cost.r, p: cost.p, maxmem: 256 * 2 ** cost.ln * cost.r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, COST);
  return `$scrypt$ln=${COST.ln},r=${COST.r},p=${COST.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

const STORED = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([\w-]+)\$([\w-]+)$/;

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = STORED.exec(stored);
  if (!m) return false;
  const expected = Buffer.from(m[5], 'base64url');
  const key = await derive(password, Buffer.from(m[4], 'base64url'), { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Letters and digits a person cannot mistake for one another when reading them aloud or copying by hand (no 0/O, 1/l/I). */
const ISSUED_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * A password an administrator hands to a person (POST /api/v1/principals/:id/password): 16 random
 * characters (about 93 bits) in four groups, e.g. `Hq7m-xK3p-…`, so it can be read out over the phone.
 */
export function issuedPassword(): string {
  const out: string[] = [];
  while (out.length < 16) {
    // rejection sampling keeps every character equally likely
    for (const b of randomBytes(32)) if (b < 224 && out.length < 16) out.push(ISSUED_ALPHABET[b % 56]);
  }
  return [0, 4, 8, 12].map((i) => out.slice(i, i + 4).join('')).join('-');
}

let dummy: Promise<string> | undefined;

/**
 * A hash of no one's password: a sign-in with an unknown login is checked against it, so it
 * takes as long as one with a known login and a wrong password.
 */
export function dummyHash(): Promise<string> {
  return (dummy ??= hashPassword(randomBytes(16).toString('hex')));
}

/**
 * Passwords people pick first (from published leak lists, and the ones common in China), of the
 * policy's length or longer: shorter ones fail the length rule anyway.
 */
const COMMON = new Set([
  '0123456789', '1234567890', '0987654321', '1111111111', '1234512345', '1234567891', '12345678910', '123456789a', 'a123456789',
  '123123123123', '123456123456', '1234qwer1234', '123qweasdzxc', '1q2w3e4r5t', '1qaz2wsx3edc', '1qazxsw23edc', 'qwertyuiop',
  'qwerty1234', 'qwerty123456', 'asdfghjkl1', 'zxcvbnm123', 'abc1234567', 'abcd123456', 'abcdefghij', 'password12', 'password123',
  'password1234', 'passw0rd123', 'p@ssw0rd123', 'p@ssword123', 'iloveyou123', 'welcome123', 'admin12345', 'admin123456',
  'administrator', 'letmein123', 'football123', 'woaini1314', 'woaini520', '5201314520', '52013145201314', 'qq123456789',
  'aa123456789', 'a1234567890', '8888888888', '6666666666', '1314520520', 'zhang123456', 'wang123456', 'li123456789',
]);

export interface PolicyProblem {
  in: 'body';
  path: string;
  rule: 'min-length' | 'max-length' | 'not-login' | 'common';
  message: string;
  messageZh: string;
}

/** What is wrong with a new password under the policy: length, not the account's own name, not a common password. */
export function passwordProblems(password: string, account: { login: string; email?: string | null }, path = '/new'): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const length = [...password].length;
  const lower = password.trim().toLowerCase();
  if (length < MIN_LENGTH) {
    problems.push({ in: 'body', path, rule: 'min-length', message: `the password must have at least ${MIN_LENGTH} characters (it has ${length})`, messageZh: `密码至少需要 ${MIN_LENGTH} 个字符（现为 ${length} 个）` });
  }
  if (length > MAX_LENGTH) {
    problems.push({ in: 'body', path, rule: 'max-length', message: `the password may have at most ${MAX_LENGTH} characters (it has ${length})`, messageZh: `密码最多 ${MAX_LENGTH} 个字符（现为 ${length} 个）` });
  }
  if (lower === account.login.toLowerCase() || (account.email && lower === account.email.toLowerCase())) {
    problems.push({ in: 'body', path, rule: 'not-login', message: 'the password must not be the login name or the e-mail address', messageZh: '密码不能与登录名或电子邮箱相同' });
  }
  if (COMMON.has(lower)) {
    problems.push({ in: 'body', path, rule: 'common', message: 'the password is on the list of commonly used passwords; choose another', messageZh: '该密码属于常用密码，容易被猜中，请另选一个' });
  }
  return problems;
}

declare const accepted: unique symbol;
/** A password that passed the policy, hashed: the only thing `passwordSetter` stores. */
export type AcceptedPassword = { readonly hash: string; readonly [accepted]: true };

/** Checks a new password against the policy (400 naming each broken rule, in Chinese and English) and hashes it. */
export async function acceptPassword(password: string, account: { login: string; email?: string | null }, path = '/new'): Promise<AcceptedPassword> {
  const problems = passwordProblems(password, account, path);
  if (problems.length) {
    throw badRequest(
      text(`密码不符合要求：${problems.map((p) => p.messageZh).join('；')}`, `the password does not meet the policy: ${problems.map((p) => p.message).join('; ')}`),
      problems,
    );
  }
  return { hash: await hashPassword(password) } as AcceptedPassword;
}

/**
 * Sets an account's password and ends its sessions (but `keepSession`, the one that changed it):
 * whoever knew the old password is signed out. Audited without the password.
 */
export async function passwordSetter(ctx: CommandContext, principalId: number, password: AcceptedPassword, keepSession: number | null = null): Promise<number> {
  const principal = await ctx.trx('odx.principals').where({ id: principalId }).first('login', 'department_id');
  if (!principal) throw notFound(text(`账号 ${principalId}`, `principal ${principalId}`));
  await ctx.trx('odx.passwords')
    .insert({ principal_id: principalId, hash: password.hash, changed_at: ctx.trx.fn.now() })
    .onConflict('principal_id')
    .merge();
  const ended = await ctx.trx('odx.sessions')
    .where({ principal_id: principalId })
    .whereNull('ended_at')
    .modify((q) => void (keepSession !== null && q.whereNot('id', keepSession)))
    .update({ ended_at: ctx.trx.fn.now() });
  ctx.audit({ action: 'principal.password', departmentId: principal.department_id, targetType: 'principal', targetId: principalId, detail: { login: principal.login, sessionsEnded: ended } });
  return ended;
}
