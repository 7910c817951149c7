import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { chainPending } from './chain.ts';

/**
 * Keeps the chain current in a server process: chains soon after each recorded change
 * (`kick`) and sweeps on an interval for events other processes recorded. Any number of
 * processes may run one; the head row lock makes them take turns.
 */
export class AuditChainer {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;

  constructor(
    private readonly knex: Knex,
    private readonly log: Logger,
    private readonly intervalMs = 200,
  ) {}

  start(): this {
    this.timer = setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Chains soon; calls that arrive while a pass runs coalesce into one more pass. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await chainPending(this.knex, { wait: false }).catch((err) => this.log.error({ err }, 'audit chaining failed; events stay pending'));
      } while (this.again);
    })().finally(() => (this.running = undefined));
  }

  /** Stops the sweep and chains whatever is pending, waiting for other chainers if need be. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await chainPending(this.knex);
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
