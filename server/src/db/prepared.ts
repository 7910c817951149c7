import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import pg from 'pg';
import { PerDatabase } from './per-database.ts';

/**
 * Hot statements (a row lookup, a token check, a read's audit event) as named prepared
 * statements on a few connections of their own, pipelined: each statement goes on the wire at
 * once, behind those still running, instead of waiting for a free connection of a pool.
 * PostgreSQL parses and plans each statement shape once per connection (a key lookup costs the
 * server about 70 µs of CPU instead of 175 µs re-planned), and many statements share one socket
 * write and read: against a pool of ten, the same lookups ran twice as fast on half the CPU
 * (docs/architecture.md, "The hot read path"). Each statement is its own transaction (a Sync
 * follows it), so one failing leaves the others alone. A connection is replaced after
 * `maxUses` statements, so the statements each one holds stay bounded, and at once when it
 * breaks.
 */
export class PreparedPool {
  private readonly texts = new Map<string, { text: string; name: string }>();
  private readonly lines: Line[] = [];
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly opts: { connections?: number; maxUses?: number } = {},
  ) {}

  /** Runs `sql` written with knex's `?` placeholders. */
  async rows<T = Record<string, any>>(sql: string, bindings: readonly unknown[]): Promise<T[]> {
    let statement = this.texts.get(sql);
    if (!statement) {
      const text = positional(sql);
      statement = { text, name: `odx_${createHash('sha1').update(text).digest('base64url').slice(0, 24)}` };
      if (this.texts.size >= 2000) this.texts.clear();
      this.texts.set(sql, statement);
    }
    const line = this.pick();
    line.uses++;
    line.inFlight++;
    try {
      await line.ready;
      return (await line.client.query({ name: statement.name, text: statement.text, values: bindings as unknown[] })).rows as T[];
    } catch (err) {
      // a reset or closed socket, or the server ending the session (FATAL), means the connection is gone
      if (!(err instanceof pg.DatabaseError) || err.severity === 'FATAL' || err.severity === 'PANIC') line.broken = true;
      throw err;
    } finally {
      line.inFlight--;
      if (line.retired && line.inFlight === 0) void line.client.end().catch(() => undefined);
    }
  }

  /** The least busy connection, opening or replacing connections as needed. */
  private pick(): Line {
    if (this.closed) throw new Error('the prepared-statement connections are closed');
    const size = this.opts.connections ?? 3;
    const maxUses = this.opts.maxUses ?? 5000;
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const line = this.lines[i];
      if (!line.broken && line.uses < maxUses) continue;
      line.retired = true;
      this.lines.splice(i, 1);
      if (line.inFlight === 0) void line.client.end().catch(() => undefined);
    }
    if (this.lines.length < size) {
      const line = this.open();
      this.lines.push(line);
      return line;
    }
    let best = this.lines[0];
    for (const line of this.lines) if (line.inFlight < best.inFlight) best = line;
    return best;
  }

  private open(): Line {
    const client = new pg.Client({ connectionString: this.url, application_name: 'odx', pipeline: true } as pg.ClientConfig);
    const line: Line = { client, ready: client.connect(), uses: 0, inFlight: 0, broken: false, retired: false };
    const broken = () => void (line.broken = true);
    line.ready.catch(broken);
    client.on('error', broken);
    client.on('end', broken);
    return line;
  }

  async end(): Promise<void> {
    this.closed = true;
    const lines = this.lines.splice(0);
    await Promise.all(lines.map((l) => l.ready.then(() => l.client.end(), () => undefined)));
  }
}

interface Line {
  client: pg.Client;
  ready: Promise<unknown>;
  uses: number;
  inFlight: number;
  /** The connection failed or closed: it takes no more statements. */
  broken: boolean;
  /** Out of the rotation: closed once its last statement is answered. */
  retired: boolean;
}

/** `?` placeholders to `$1, $2, …`, leaving quoted literals and identifiers alone. */
export function positional(sql: string): string {
  let n = 0;
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '?') {
      out += `$${++n}`;
      continue;
    }
    out += c;
  }
  return out;
}

export const preparedPools = new PerDatabase<PreparedPool>();

/** Rows of a hot statement: prepared on an app's pool when there is one, else a plain knex query (a CLI, a test without an app). */
export async function preparedRows<T = Record<string, any>>(knex: Knex, sql: string, bindings: readonly unknown[]): Promise<T[]> {
  const pool = preparedPools.first(knex);
  if (pool) return pool.rows<T>(sql, bindings);
  return (await knex.raw(sql, bindings as Knex.RawBinding[])).rows as T[];
}
