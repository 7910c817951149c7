import type { Knex } from 'knex';
import pg from 'pg';
import type { Logger } from 'pino';
import promClient from 'prom-client';
import type { ChangeFeed } from './change-feed.ts';
import { createKnex, redact } from './connect.ts';
import { positional, PreparedPool, preparedPools } from './prepared.ts';

/**
 * Where open and shared data reads run: a streaming standby (ODX_REPLICA_URLS) when one is
 * healthy and has replayed the caller's own last write, else the primary. Read paths ask for "a
 * reader" through `Replicas.read` and nothing else; writes, read audit events, grants and
 * sessions stay on the primary (docs/operations.md, "Read replicas").
 *
 * A replica's health is checked every ODX_REPLICA_CHECK_MS, never per request: its lag is how
 * long ago the primary was at a WAL position the replica has not replayed yet (the primary's
 * position is sampled at each check), so an idle primary does not look like a lagging replica and
 * no clocks are compared. A replica lagging more than ODX_REPLICA_MAX_LAG seconds, or not
 * answering, is skipped until a check finds it well. A read that meets a broken replica
 * connection is run again on the primary, so a standby that stops fails no request.
 */
export interface Reader {
  /** `primary`, or the replica's host:port/database. */
  name: string;
  replica: boolean;
  knex: Knex;
  /**
   * Runs `read` on one snapshot: on a replica a REPEATABLE READ transaction, so the
   * current-version pointer and the version's table are read as of the same replayed moment and a
   * version switch is never seen half-done. On the primary the plain knex: a switch commits the
   * pointer in one transaction and the previous version's table outlives it (retention).
   */
  snapshot<T>(read: (knex: Knex) => Promise<T>): Promise<T>;
  /** The same for a streamed read: `query` and the stream run on one connection and one snapshot. */
  streamed<T>(read: (s: StreamSnapshot) => Promise<T>): Promise<T>;
  /**
   * A read of what a pointer names (a resource's current version): `lookup` finds the pointer,
   * `read` reads by it. The pointer is cached under `cache`/`key` (when `keep` accepts it) while it
   * is known current: on the primary until a change notice; on a replica only while the replica
   * has replayed every change noticed — then `read` runs alone, on the replica's pipelined
   * prepared statements. Otherwise `lookup` and `read` run in one snapshot.
   */
  pointed<P, T>(cache: string, key: string, lookup: (query: Query) => Promise<P>, read: (knex: Knex, pointer: P) => Promise<T>, keep?: (pointer: P) => boolean): Promise<T>;
}

/** Runs `sql` written with knex's `?` placeholders; its rows. */
export type Query = (sql: string, bindings: readonly unknown[]) => Promise<Record<string, any>[]>;

const queryOf = (knex: Knex): Query => async (sql, bindings) => (await knex.raw(sql, bindings as Knex.RawBinding[])).rows;

export interface StreamSnapshot {
  query: Query;
  /** Hands out the snapshot's connection (on the primary: the streaming pool). */
  pool: Pick<pg.Pool, 'connect'>;
}

export type ReplicaHealth = 'starting' | 'ok' | 'lagging' | 'down';

export interface ReplicaStatus {
  name: string;
  state: ReplicaHealth;
  /** Seconds behind the primary at the last check; null before the first or when unreachable. */
  lagSeconds: number | null;
  replayLsn: string | null;
  checkedAt: string | null;
  error?: string;
  reads: number;
}

interface Replica {
  reader: Reader;
  knex: Knex;
  /** One connection of its own for the health check, so pg_stat_activity tells checks from reads. */
  check: Knex;
  prepared: PreparedPool;
  /** Pointers read on this replica, by cache name and key: kept only while they are known current. */
  memos: Map<string, Map<string, unknown>>;
  streams: pg.Pool;
  state: ReplicaHealth;
  lag: number | null;
  replay: bigint | null;
  checkedAt: number | null;
  error?: string;
  reads: number;
}

export interface ReplicaOptions {
  maxLagSeconds: number;
  checkMs: number;
  pool: number;
  streamPool: number;
  prepared: number;
}

/** A WAL position `16/B374D848` as a number. */
export function lsnOf(text: string): bigint {
  const [hi, lo] = text.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

const UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_MESSAGE = /Connection terminated|Timeout acquiring a connection|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|not queryable|ECONNREFUSED/;

/** A failure of the replica rather than of the read: it could not be reached, or went away. */
function unreachable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; errors?: unknown[] };
  if (typeof e?.code === 'string' && (UNAVAILABLE.has(e.code) || e.code.startsWith('08'))) return true;
  if (Array.isArray(e?.errors) && e.errors.some(unreachable)) return true;
  return typeof e?.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message);
}

/**
 * A standby cancelled the read because replaying WAL needed what it held, or replayed the drop of
 * an old version's table between the snapshot's pointer and the table (tables are looked up in
 * the newest catalogue): the primary answers it.
 */
function replayedUnderneath(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return (e?.code === '40001' && typeof e.message === 'string' && /conflict with recovery/.test(e.message)) || e?.code === '42P01';
}

function primaryReader(knex: Knex, streams: pg.Pool, changes: ChangeFeed | null): Reader {
  return {
    name: 'primary',
    replica: false,
    knex,
    snapshot: (read) => read(knex),
    streamed: (read) => read({ query: queryOf(knex), pool: streams }),
    async pointed(cache, key, lookup, read, keep) {
      const memo = changes?.memo<unknown>(cache);
      const load = () => lookup(queryOf(knex));
      const pointer = (memo ? await memo.get(key, load, keep as (v: unknown) => boolean) : await load()) as Awaited<ReturnType<typeof lookup>>;
      return read(knex, pointer);
    },
  };
}

interface ReplicaMemo {
  get(key: string): any;
  keep(key: string, value: unknown): void;
}

const SNAPSHOT = { isolationLevel: 'repeatable read', readOnly: true } as const;

function replicaReader(name: string, knex: Knex, streams: pg.Pool, cached: (cache: string) => ReplicaMemo): Reader {
  return {
    name,
    replica: true,
    knex,
    snapshot: (read) => knex.transaction((trx) => read(trx), SNAPSHOT),
    async pointed(cache, key, lookup, read, keep = () => true) {
      const memo = cached(cache);
      const hit = memo.get(key);
      if (hit !== undefined) return read(knex, hit);
      return knex.transaction(async (trx) => {
        const pointer = await lookup(queryOf(trx));
        if (keep(pointer)) memo.keep(key, pointer);
        return read(trx, pointer);
      }, SNAPSHOT);
    },
    async streamed(read) {
      const client = await streams.connect();
      let broken: Error | undefined;
      try {
        await client.query('begin isolation level repeatable read read only');
        // the stream releases "its" connection when done; the snapshot's end releases the real one
        const lent = { query: client.query.bind(client), release: (err?: Error | boolean) => void (err && (broken = err instanceof Error ? err : new Error('released broken'))) };
        return await read({
          query: async (sql, bindings) => (await client.query(positional(sql), bindings as unknown[])).rows,
          pool: { connect: async () => lent as unknown as pg.PoolClient } as Pick<pg.Pool, 'connect'>,
        });
      } catch (err) {
        broken ??= err as Error;
        throw err;
      } finally {
        if (!broken) await client.query('commit').catch((err: Error) => void (broken = err));
        client.release(broken);
      }
    },
  };
}

export class Replicas {
  readonly primary: Reader;
  private readonly replicas: Replica[];
  /** The primary's WAL position at recent checks, oldest first: what a replica's lag is measured against. */
  private samples: { lsn: bigint; at: number }[] = [];
  /** Each person's last write: the primary's WAL position after it, and when. */
  private readonly writes = new Map<number, { lsn: bigint; at: number }>();
  private next = 0;
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;
  fallbacks = 0;
  /** Change notices seen, and the primary's WAL position after the last one (null while it is being asked). */
  private changeCount = 0;
  private changeLsn: bigint | null = null;

  constructor(
    private readonly primaryKnex: Knex,
    primaryStreams: pg.Pool,
    private readonly changes: ChangeFeed | null,
    urls: readonly string[],
    private readonly opts: ReplicaOptions,
    private readonly log: Logger,
  ) {
    this.primary = primaryReader(primaryKnex, primaryStreams, changes);
    this.replicas = urls.map((url) => {
      const u = new URL(url);
      const name = `${u.hostname}:${u.port || 5432}${u.pathname}`;
      const knex = createKnex(url, { min: 0, max: opts.pool }, 'odx-read');
      const streams = new pg.Pool({ connectionString: url, max: opts.streamPool, application_name: 'odx-read' });
      // an idle pooled connection the standby drops (a restart) must not crash the process
      streams.on('error', () => undefined);
      const prepared = new PreparedPool(url, { connections: opts.prepared, applicationName: 'odx-read' });
      preparedPools.add(knex, prepared);
      log.info({ replica: redact(url) }, 'read replica configured');
      const check = createKnex(url, { min: 0, max: 1 }, 'odx-replica-check');
      const replica: Replica = { reader: undefined as unknown as Reader, knex, check, prepared, memos: new Map(), streams, state: 'starting', lag: null, replay: null, checkedAt: null, reads: 0 };
      replica.reader = replicaReader(name, knex, streams, (cache) => this.cachedOn(replica, cache));
      return replica;
    });
    if (this.enabled) changes?.onChange(() => this.noteChange());
  }

  /**
   * A change was noticed (or the change feed was lost): every pointer cached from a replica is
   * dropped, and the primary's WAL position after it is asked — a replica's pointers are cached
   * again only once it has replayed that far.
   */
  private noteChange(): void {
    const n = ++this.changeCount;
    this.changeLsn = null;
    for (const r of this.replicas) r.memos.clear();
    this.primaryKnex.raw('select pg_current_wal_insert_lsn()::text as lsn').then(
      ({ rows }) => void (n === this.changeCount && (this.changeLsn = lsnOf(rows[0].lsn))),
      () => undefined,
    );
  }

  /** Whether pointers read on `r` now are current: it has replayed past the last change noticed, and notices arrive. */
  private trusted(r: Replica): boolean {
    return this.changeLsn !== null && r.replay !== null && r.replay >= this.changeLsn && Boolean(this.changes?.state().listening);
  }

  /** The cache `cache` of replica `r`: hits only while trusted; a value stored only if no change came while it was read. */
  private cachedOn(r: Replica, cache: string): ReplicaMemo {
    let memo = r.memos.get(cache);
    if (!memo) r.memos.set(cache, (memo = new Map()));
    const m = memo;
    const trustedAt = this.trusted(r) ? this.changeCount : -1;
    return {
      get: (key: string): any => (trustedAt >= 0 ? m.get(key) : undefined),
      keep: (key: string, value: unknown) => {
        if (trustedAt < 0 || trustedAt !== this.changeCount) return;
        if (m.size >= 10_000) m.clear();
        m.set(key, value);
      },
    };
  }

  get enabled(): boolean {
    return this.replicas.length > 0;
  }

  /** Checks the replicas now and then every ODX_REPLICA_CHECK_MS. */
  start(): this {
    if (!this.enabled || this.timer) return this;
    this.noteChange();
    const tick = () => {
      this.checking = this.check().finally(() => {
        this.checking = undefined;
        if (this.timer) this.timer = setTimeout(tick, this.opts.checkMs).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
    return this;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.checking;
    await Promise.all(this.replicas.map(async (r) => {
      preparedPools.delete(r.knex, r.prepared);
      await r.prepared.end();
      await r.knex.destroy();
      await r.check.destroy();
      await r.streams.end();
    }));
  }

  /**
   * Runs a read on a reader for `principal` (null: anonymous): a healthy replica that has replayed
   * the principal's last write, in turn, else the primary; again on the primary when the replica
   * turns out unreachable, unless `retryable` says the read already answered (a started download).
   */
  async read<T>(principal: { id: number } | null, read: (reader: Reader) => Promise<T>, opts: { retryable?: () => boolean } = {}): Promise<T> {
    const replica = this.pick(principal);
    if (!replica) return read(this.primary);
    replica.reads++;
    try {
      return await read(replica.reader);
    } catch (err) {
      const down = unreachable(err);
      if ((!down && !replayedUnderneath(err)) || (opts.retryable && !opts.retryable())) throw err;
      if (down) this.markDown(replica, err as Error);
      this.fallbacks++;
      return read(this.primary);
    }
  }

  /**
   * After a write by `principalId`: their reads go to the primary until a replica has replayed
   * it. One round trip to the primary, and only when there are replicas.
   */
  async wrote(principalId: number): Promise<void> {
    if (!this.enabled) return;
    // a write that succeeded is not turned into a failure: without the position, the person's reads stay on the primary for the window.
    // The insert position, not pg_current_wal_lsn() (written out): under synchronous_commit = off the
    // commit record can still be in the WAL buffers, and a standby at the written position lacks it
    const lsn = await this.primaryKnex.raw('select pg_current_wal_insert_lsn()::text as lsn').then(({ rows }) => lsnOf(rows[0].lsn), () => 2n ** 64n - 1n);
    this.writes.set(principalId, { lsn, at: Date.now() });
  }

  status(): ReplicaStatus[] {
    return this.replicas.map((r) => ({
      name: r.reader.name,
      state: r.state,
      lagSeconds: r.lag,
      replayLsn: r.replay === null ? null : `${(r.replay >> 32n).toString(16).toUpperCase()}/${(r.replay & 0xffffffffn).toString(16).toUpperCase()}`,
      checkedAt: r.checkedAt === null ? null : new Date(r.checkedAt).toISOString(),
      ...(r.error ? { error: r.error } : {}),
      reads: r.reads,
    }));
  }

  /** Checks every replica once (also what the timer does). */
  async check(): Promise<void> {
    const now = Date.now();
    try {
      const { rows } = await this.primaryKnex.raw('select pg_current_wal_lsn()::text as lsn');
      this.samples.push({ lsn: lsnOf(rows[0].lsn), at: now });
    } catch {
      // the primary unreachable: lag cannot be measured, the replicas keep their last state
    }
    // beyond twice the bound a lag is only "too much": older samples are not needed
    const keepFrom = now - 2 * this.opts.maxLagSeconds * 1000 - 2 * this.opts.checkMs;
    while (this.samples.length > 1 && this.samples[0].at < keepFrom) this.samples.shift();
    for (const [id, w] of this.writes) if (w.at < keepFrom) this.writes.delete(id);
    await Promise.all(this.replicas.map((r) => this.checkOne(r, now)));
  }

  private async checkOne(r: Replica, now: number): Promise<void> {
    try {
      const query = r.check.raw(`select pg_is_in_recovery() as recovery, coalesce(pg_last_wal_replay_lsn(), '0/0')::text as replay`);
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 2 s')), 2000).unref());
      const { rows } = await Promise.race([query, timeout]);
      if (!rows[0].recovery) throw new Error('not a standby: pg_is_in_recovery() is false');
      r.replay = lsnOf(rows[0].replay);
      const behind = this.samples.find((s) => s.lsn > r.replay!);
      r.lag = behind ? Math.max(0, (now - behind.at) / 1000) : 0;
      const state: ReplicaHealth = r.lag > this.opts.maxLagSeconds ? 'lagging' : 'ok';
      if (state !== r.state) this.log[state === 'ok' ? 'info' : 'warn']({ replica: r.reader.name, lagSeconds: r.lag }, state === 'ok' ? 'read replica in use' : 'read replica lags beyond ODX_REPLICA_MAX_LAG: reads go to the primary');
      r.state = state;
      r.error = undefined;
    } catch (err) {
      this.markDown(r, err as Error);
    }
    r.checkedAt = now;
  }

  private markDown(r: Replica, err: Error): void {
    if (r.state !== 'down') this.log.warn({ replica: r.reader.name, err: err.message }, 'read replica unreachable: reads go to the primary');
    r.state = 'down';
    r.lag = null;
    r.error = err.message;
  }

  private pick(principal: { id: number } | null): Replica | undefined {
    if (!this.replicas.length) return undefined;
    const wrote = principal ? this.writes.get(principal.id) : undefined;
    for (let i = 0; i < this.replicas.length; i++) {
      const r = this.replicas[(this.next + i) % this.replicas.length];
      if (r.state !== 'ok') continue;
      if (wrote && (r.replay === null || r.replay < wrote.lsn)) continue;
      this.next = (this.next + i + 1) % this.replicas.length;
      return r;
    }
    return undefined;
  }
}

/** Each replica's state (1 in use, 0 skipped), lag and reads served, on /metrics. */
export function replicaMetrics(registry: promClient.Registry, replicas: Replicas): void {
  if (!replicas.enabled) return;
  new promClient.Gauge({
    name: 'odx_replica_up',
    help: 'Whether a read replica takes reads (1) or is skipped as lagging or unreachable (0)',
    labelNames: ['replica', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of replicas.status()) this.set({ replica: s.name, state: s.state }, s.state === 'ok' ? 1 : 0);
    },
  });
  new promClient.Gauge({
    name: 'odx_replica_lag_seconds',
    help: 'How far a read replica’s replay was behind the primary at its last check',
    labelNames: ['replica'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of replicas.status()) if (s.lagSeconds !== null) this.set({ replica: s.name }, s.lagSeconds);
    },
  });
  new promClient.Gauge({
    name: 'odx_replica_reads',
    help: 'Reads sent to a read replica since the process started',
    labelNames: ['replica'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of replicas.status()) this.set({ replica: s.name }, s.reads);
    },
  });
  new promClient.Gauge({
    name: 'odx_replica_fallbacks',
    help: 'Reads run again on the primary after their replica failed',
    registers: [registry],
    collect() {
      this.set(replicas.fallbacks);
    },
  });
}
