import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { createKnex } from '../db/connect.ts';
import { chainPending } from './chain.ts';
import type { FromChainer, ToChainer } from './chainer.ts';

/**
 * The audit chainer's thread (see AuditChainer): chains after kicks and on an interval, one
 * pass at a time, with a connection of its own.
 */
const { url, intervalMs } = workerData as { url: string; intervalMs: number };
const port = parentPort!;
const knex = createKnex(url, { min: 0, max: 1 });
const send = (m: FromChainer) => port.postMessage(m);
const failed = (err: Error) => send({ failed: { message: err.message, stack: err.stack } });

// passes start at least this far apart: each is a transaction with a disk sync, and a busy API
// kicks hundreds of times a second, so back-to-back passes of a few events each cost the
// database more than the reads they record
const GAP_MS = 50;

let running: Promise<void> | undefined;
let again = false;
let soon: NodeJS.Timeout | undefined;
let lastStart = 0;

/** Chains soon; kicks that arrive while a pass runs or waits coalesce into one more pass. */
function kick(): void {
  if (running) {
    again = true;
    return;
  }
  if (soon) return;
  const wait = lastStart + GAP_MS - Date.now();
  if (wait > 0) {
    soon = setTimeout(() => {
      soon = undefined;
      kick();
    }, wait);
    return;
  }
  lastStart = Date.now();
  running = chainPending(knex, { wait: false }).then(() => undefined, failed).finally(() => {
    running = undefined;
    if (again) {
      again = false;
      kick();
    }
  });
}

// Background work yields to requests: on Linux a thread's nice value is its own, so this lowers the
// chainer thread alone (elsewhere it would lower the whole process, so it is left as it is). The
// events wait durably in odx.audit_pending, and the thread catches up whenever the CPU is not
// saturated; at 32 concurrent lookups the slowest answers came ~2 ms sooner in alternated runs.
if (process.platform === 'linux') {
  try {
    os.setPriority(10);
  } catch {
    // not allowed here: chain at the process's priority
  }
}

const timer = setInterval(kick, intervalMs);

port.on('message', (m: ToChainer) => {
  if (m === 'kick') return kick();
  clearInterval(timer);
  clearTimeout(soon);
  void (async () => {
    await running;
    await chainPending(knex).catch(failed);
    await knex.destroy();
    send('stopped');
    port.close();
  })();
});
