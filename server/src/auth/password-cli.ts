/**
 * `odx user passwd LOGIN`: sets an account's password. The password is typed at a prompt that
 * does not echo it (twice, to catch a typo), or read from the first line of stdin when that is a
 * pipe; never from the arguments, which other users of the machine can read in the process list.
 */
import type { Command } from 'commander';
import { runCommand } from '../audit/command.ts';
import { cliActor, UsageError, withDatabase } from '../cli-support.ts';
import { HttpError } from '../http/errors.ts';
import { acceptPassword, passwordSetter, type PolicyProblem } from './passwords.ts';

/** Reads a line from the terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new UsageError('interrupted; nothing changed'));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else if (ch >= ' ') typed += ch;
      }
    };
    stdin.setEncoding('utf8');
    // echo off before the prompt shows: what is typed as soon as it appears must not be echoed
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
    process.stderr.write(prompt);
  });
}

async function firstLineOfStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text.split(/\r?\n/)[0];
}

async function readNewPassword(): Promise<string> {
  if (!process.stdin.isTTY) return firstLineOfStdin();
  const first = await promptHidden('新密码 / new password: ');
  const again = await promptHidden('再次输入 / again: ');
  if (first !== again) throw new UsageError('两次输入的密码不一致 / the two passwords differ; nothing changed');
  return first;
}

export function registerPasswordCommand(user: Command): void {
  user
    .command('passwd')
    .description('set the password an account signs in with (typed without echo, or the first line of stdin); its sessions end')
    .argument('<login>', 'the account')
    .action((login: string) =>
      withDatabase(async (db) => {
        const account = await db.knex('odx.principals').where({ login }).first('id', 'login', 'email', 'kind');
        if (!account) throw new UsageError(`no account has the login ${login}`);
        if (account.kind !== 'user') throw new UsageError(`${login} is a system credential: it authenticates with tokens, not a password`);
        const password = await readNewPassword();
        const accepted = await acceptPassword(password, account).catch((err: unknown) => {
          if (!(err instanceof HttpError)) throw err;
          const problems = err.details as PolicyProblem[];
          throw new UsageError(`密码不符合要求 / the password does not meet the policy:\n${problems.map((p) => `  ${p.messageZh}\n  ${p.message}`).join('\n')}`);
        });
        await runCommand(db.knex, { actor: cliActor() }, (ctx) => passwordSetter(ctx, account.id, accepted));
        console.log(`password of ${login} set; its sessions ended`);
      }),
    );
}
