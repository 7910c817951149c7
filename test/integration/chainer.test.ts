import fs from 'node:fs';
import os from 'node:os';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import pino from 'pino';
import { runCommand } from '../../server/src/audit/command.ts';
import { AuditChainer, registerChainer } from '../../server/src/audit/chainer.ts';
import { verifyChain } from '../../server/src/audit/verify.ts';
import { TEST_ACTOR } from '../helpers/app.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { eventually } from '../helpers/wait.ts';

/** A logger whose lines the test reads. */
function capturedLog() {
  const lines: Record<string, any>[] = [];
  const log = pino({ level: 'error' }, new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) }));
  return { log, lines };
}


describe('the audit chainer thread (AuditChainer)', () => {
  let db: TestDatabase;
  beforeEach(async () => (db = await freshDatabase()));
  afterEach(() => db.drop());

  const record = (n: number) =>
    runCommand(db.knex, { actor: TEST_ACTOR }, async (ctx) => {
      for (let i = 0; i < n; i++) ctx.audit({ action: 'test.event', targetType: 'thing', targetId: i, detail: { i, note: '审计' } });
    });
  const pending = async () => Number((await db.knex('odx.audit_pending').count('* as n'))[0].n);
  const head = async () => (await db.knex('odx.audit_head').first()).seq as number;

  it('chains recorded events soon after they are recorded, in a thread of its own, and the chain verifies', async () => {
    const { log, lines } = capturedLog();
    const chainer = new AuditChainer(db.url, log, 60_000).start(); // no sweep in this test: the kick alone must do it
    registerChainer(db.knex, chainer);
    try {
      await record(3);
      expect(await eventually(async () => (await head()) === 3), JSON.stringify(lines)).to.equal(true);
      expect(await pending()).to.equal(0);
      expect((await verifyChain(db.knex)).ok).to.equal(true);
      expect(lines).to.deep.equal([]);
    } finally {
      await chainer.stop();
    }
  });

  it('sweeps an idle database without locking the head, a write that would cost a transaction id and a disk sync', async () => {
    const xmax = async () => String((await db.knex.raw('select xmax from odx.audit_head')).rows[0].xmax);
    await record(1);
    const chainer = new AuditChainer(db.url, capturedLog().log, 20).start(); // a sweep every 20 ms
    try {
      expect(await eventually(async () => (await head()) === 1)).to.equal(true);
      const locked = await xmax(); // the pass that chained the event locked the head
      await new Promise((r) => setTimeout(r, 300)); // ~15 sweeps with nothing pending
      expect(await xmax(), 'no sweep locked the head').to.equal(locked);
      await record(2);
      expect(await eventually(async () => (await head()) === 3)).to.equal(true);
      expect(await xmax(), 'a sweep with work locks it').to.not.equal(locked);
    } finally {
      await chainer.stop();
    }
  });

  it('chains what is still pending when it stops', async () => {
    const chainer = new AuditChainer(db.url, capturedLog().log, 60_000).start(); // not registered: nothing kicks it
    await record(5);
    expect(await pending()).to.equal(5);
    await chainer.stop();
    expect(await pending()).to.equal(0);
    expect(await head()).to.equal(5);
  });

  it('sweeps for events recorded by other processes, which do not kick it', async () => {
    const chainer = new AuditChainer(db.url, capturedLog().log, 50).start();
    try {
      await record(2);
      expect(await eventually(async () => (await head()) === 2)).to.equal(true);
    } finally {
      await chainer.stop();
    }
  });

  it('logs a failing pass and leaves the events pending', async () => {
    const { log, lines } = capturedLog();
    const unreachable = new URL(db.url);
    unreachable.pathname = '/odx_no_such_database';
    const chainer = new AuditChainer(unreachable.toString(), log, 50).start();
    try {
      await record(1);
      expect(await eventually(async () => lines.length > 0)).to.equal(true);
      expect(lines[0].msg).to.equal('audit chaining failed; events stay pending');
      expect(lines[0].err.message).to.match(/odx_no_such_database/);
      expect(await pending()).to.equal(1);
    } finally {
      await chainer.stop();
    }
  });

  it('runs below the request thread\'s priority on Linux, and leaves the process\'s own alone', async () => {
    const before = os.getPriority();
    /** The nice value of each of this process's threads (/proc/self/task/<tid>/stat, field 19). */
    const nices = () =>
      fs.readdirSync('/proc/self/task').map((tid) => {
        const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      });
    const chainer = new AuditChainer(db.url, capturedLog().log, 60_000).start();
    try {
      if (process.platform === 'linux') expect(await eventually(async () => nices().includes(before + 10))).to.equal(true);
      expect(os.getPriority()).to.equal(before);
    } finally {
      await chainer.stop();
    }
  });

  it('starts its thread again when it dies', async () => {
    const { log, lines } = capturedLog();
    const chainer = new AuditChainer(db.url, log, 50).start();
    try {
      await (chainer as unknown as { worker: import('node:worker_threads').Worker }).worker.terminate();
      expect(lines.map((l) => l.msg)).to.include('the audit chainer thread exited; starting it again in a second');
      await record(4);
      expect(await eventually(async () => (await head()) === 4)).to.equal(true);
    } finally {
      await chainer.stop();
    }
  });
});
