import type { Knex } from 'knex';
import pg from 'pg';
import type { Logger } from 'pino';
import { PerDatabase } from './per-database.ts';

/**
 * Read-through caches for rows every data request needs but that rarely change: an open dataset's
 * current version, a department's grants on a resource. They stay correct across processes:
 * triggers on those tables NOTIFY `odx_changes` at commit (migration 008) and every process LISTENs
 * and drops all its caches. A command run in this process (runCommand) drops them before it
 * returns, so its change is in force for this process's next request at once and for the others as
 * soon as the notification arrives (well under a millisecond on one host). While the LISTEN
 * connection is down nothing is cached: every read goes to the database.
 * docs/architecture.md ("The hot read path") has the reasoning.
 */
export class ChangeFeed {
  private client?: pg.Client;
  private listening = false;
  private started = false;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  /** Bumped by every change; a value read before a change is not stored after it. */
  private generation = 0;
  private readonly memos = new Map<string, Memo<unknown>>();
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  /** Connects and listens in the background, on first use; reconnects after a failure (caching stays off meanwhile). */
  private start(): void {
    if (this.started) return;
    this.started = true;
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, application_name: 'odx-changes' });
    this.client = client;
    client.on('notification', () => this.changed());
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query('listen odx_changes');
      if (this.stopped || this.client !== client) return;
      // whatever changed while nobody listened
      this.changed();
      this.listening = true;
    } catch (err) {
      this.lost(client, err);
    }
  }

  private lost(client: pg.Client, err?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.listening = false;
    this.changed();
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.log.warn({ err }, 'lost the change feed connection; caching is off until it is back');
    this.retry = setTimeout(() => void this.connect(), 1000);
    this.retry.unref();
  }

  /** Something cached may have changed: forget it all. */
  changed(): void {
    this.generation++;
    for (const m of this.memos.values()) m.clear();
    for (const l of this.listeners) l();
  }

  /** Called at every change (and whenever caching has to stop): the read replicas' caches follow it. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.listening = false;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** The cache called `name`: at most `max` entries, forgotten all at once when full. */
  memo<T>(name: string, max = 10_000): Memo<T> {
    let m = this.memos.get(name);
    if (!m) this.memos.set(name, (m = new Memo<unknown>(this, max)));
    return m as Memo<T>;
  }

  /** Whether values may be cached now, and the generation they belong to. */
  state(): { listening: boolean; generation: number } {
    this.start();
    return { listening: this.listening, generation: this.generation };
  }
}

export class Memo<T> {
  private readonly values = new Map<string, T>();

  constructor(
    private readonly feed: ChangeFeed,
    private readonly max: number,
  ) {}

  /**
   * The cached value of `key`, else `load()`'s. Only values accepted by `keep` are stored (callers
   * do not cache "not found": a row that appears later must be seen at once).
   */
  async get(key: string, load: () => Promise<T>, keep: (v: T) => boolean = () => true): Promise<T> {
    const before = this.feed.state();
    if (before.listening) {
      const hit = this.values.get(key);
      if (hit !== undefined) return hit;
    }
    const value = await load();
    const after = this.feed.state();
    if (after.listening && after.generation === before.generation && keep(value)) {
      if (this.values.size >= this.max) this.values.clear();
      this.values.set(key, value);
    }
    return value;
  }

  clear(): void {
    this.values.clear();
  }
}

export const changeFeeds = new PerDatabase<ChangeFeed>();

/** The cache called `name` of the database's change feed, or null where nothing caches (a CLI, a test without an app). */
export function memoOf<T>(knex: Knex, name: string): Memo<T> | null {
  return changeFeeds.first(knex)?.memo<T>(name) ?? null;
}

/** Called after a command committed: this process's caches of that database drop what they hold. */
export function dataChanged(knex: Knex): void {
  for (const feed of changeFeeds.all(knex)) feed.changed();
}
