import { Worker } from 'node:worker_threads';
import type { Knex } from 'knex';
import type { Logger } from 'pino';

export type ToChainer = 'kick' | 'stop';
export type FromChainer = 'stopped' | { failed: { message: string; stack?: string } };

/**
 * Keeps the chain current in a server process: chains soon after each recorded change
 * (`kick`) and sweeps on an interval for events other processes recorded. The hashing, the
 * canonical JSON and the chain's statements run in a worker thread with a database
 * connection of its own, so they take neither the request thread's CPU nor its heap: at 32
 * concurrent lookups chaining in-line cost a third of the request thread and added its
 * pauses to the slowest answers. Any number of processes may run one; an advisory lock makes
 * them take turns. A worker that dies is started again; its events stay pending meanwhile.
 */
export class AuditChainer {
  private worker?: Worker;
  private stopping = false;
  private throttle?: NodeJS.Timeout;
  private missed = false;
  private stopped?: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly intervalMs = 200,
  ) {}

  start(): this {
    const worker = new Worker(new URL('./chain-worker.mjs', import.meta.url), {
      name: 'odx-audit-chainer',
      workerData: { url: this.url, intervalMs: this.intervalMs },
    });
    worker.on('message', (m: FromChainer) => {
      if (m !== 'stopped') this.log.error({ err: m.failed }, 'audit chaining failed; events stay pending');
    });
    worker.on('error', (err) => this.log.error({ err }, 'the audit chainer thread failed'));
    this.stopped = new Promise((resolve) =>
      worker.once('exit', (code) => {
        this.worker = undefined;
        resolve();
        if (this.stopping) return;
        this.log.error({ code }, 'the audit chainer thread exited; starting it again in a second');
        setTimeout(() => this.stopping || this.start(), 1000).unref();
      }),
    );
    this.worker = worker;
    return this;
  }

  /** Chains soon. Kicks go to the thread at most every 10 ms (a busy API kicks thousands of times a second); none is lost. */
  kick(): void {
    if (this.throttle) {
      this.missed = true;
      return;
    }
    this.worker?.postMessage('kick' satisfies ToChainer);
    this.throttle = setTimeout(() => {
      this.throttle = undefined;
      if (this.missed) {
        this.missed = false;
        this.kick();
      }
    }, 10);
  }

  /** Stops the sweep and chains whatever is pending, waiting for other chainers if need be. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.throttle);
    this.worker?.postMessage('stop' satisfies ToChainer);
    await this.stopped;
  }
}

const chainers = new WeakMap<Knex, AuditChainer>();

export function registerChainer(knex: Knex, chainer: AuditChainer): void {
  chainers.set(knex, chainer);
}

/** Tells this process's chainer, if it has one, that events were recorded. */
export function notifyChainer(knex: Knex): void {
  chainers.get(knex)?.kick();
}
