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
 * follows it), so one failing leaves the others alone. A connection that breaks is replaced at
 * once. One that has prepared `maxStatements` distinct statements (pages after a cursor each
 * have their own text) is replaced too, so what a server session holds stays bounded; it keeps
 * serving until its replacement is connected, because statements sent to a connection still
 * starting wait for it: cycling connections on a count of uses put a 40–150 ms stall every few
 * seconds into a busy API's slowest lookups.
 */
export class PreparedPool {
  private readonly texts = new Map<string, { text: string; name: string }>();
  private readonly lines: Line[] = [];
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly opts: { connections?: number; maxStatements?: number; applicationName?: string } = {},
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
    if (!line.prepared.has(statement.name)) {
      line.prepared.add(statement.name);
      if (line.prepared.size > (this.opts.maxStatements ?? 500)) line.retiring = true;
    }
    line.inFlight++;
    if (line.connected) holdWrites(line);
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

  /**
   * The least busy connected connection (any, while none is connected yet). Broken connections
   * leave at once; retiring ones once every connection replacing them is connected.
   */
  private pick(): Line {
    if (this.closed) throw new Error('the prepared-statement connections are closed');
    let active = 0;
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const line = this.lines[i];
      if (line.broken) this.retire(i);
      else if (!line.retiring) active++;
    }
    for (; active < (this.opts.connections ?? 3); active++) this.lines.push(this.open());
    if (this.lines.every((l) => l.retiring || l.connected)) {
      for (let i = this.lines.length - 1; i >= 0; i--) if (this.lines[i].retiring) this.retire(i);
    }
    let best: Line | undefined;
    for (const line of this.lines) {
      if (!best || (line.connected && !best.connected) || (line.connected === best.connected && line.inFlight < best.inFlight)) best = line;
    }
    return best!;
  }

  private retire(index: number): void {
    const [line] = this.lines.splice(index, 1);
    line.retired = true;
    if (line.inFlight === 0) void line.client.end().catch(() => undefined);
  }

  private open(): Line {
    const client = new pg.Client({ connectionString: this.url, application_name: this.opts.applicationName ?? 'odx', pipeline: true } as pg.ClientConfig);
    const line: Line = { client, ready: client.connect(), prepared: new Set(), inFlight: 0, connected: false, holding: false, broken: false, retiring: false, retired: false };
    const broken = () => void (line.broken = true);
    line.ready.then(() => (line.connected = true), broken);
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
  /** The names of the statements prepared on this connection. */
  prepared: Set<string>;
  inFlight: number;
  connected: boolean;
  /** Writes to the server are held until the loop's check phase (see holdWrites). */
  holding: boolean;
  /** The connection failed or closed: it takes no more statements. */
  broken: boolean;
  /** Holds its share of statements: replaced once the replacement is connected. */
  retiring: boolean;
  /** Out of the rotation: closed once its last statement is answered. */
  retired: boolean;
}

/**
 * Holds a connection's writes until the event loop has run the callbacks of this round's I/O
 * (setImmediate), so the statements of all the requests that arrived together go to the server
 * in one write. Each write to the socket is a system call that wakes a server process: at 32
 * concurrent lookups, writing each statement on its own took a third of the request thread.
 */
function holdWrites(line: Line): void {
  if (line.holding) return;
  const stream = (line.client as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;
  stream.cork();
  line.holding = true;
  setImmediate(() => {
    line.holding = false;
    stream.uncork();
  });
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
