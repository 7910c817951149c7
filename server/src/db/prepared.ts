import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import pg from 'pg';
import { PerDatabase } from './per-database.ts';

/**
 * Hot statements (a row lookup, a token check) as named prepared statements on a pool of their
 * own. PostgreSQL then parses and plans each statement shape once per connection instead of on
 * every call: a key lookup of an open dataset costs the server about 70 µs of CPU instead of
 * 175 µs (docs/architecture.md, "Prepared statements"). A connection is replaced after
 * `maxUses` queries, so the statements each one holds stay bounded.
 */
export class PreparedPool {
  private readonly pool: pg.Pool;
  private readonly texts = new Map<string, { text: string; name: string }>();

  constructor(url: string, opts: { max?: number; maxUses?: number } = {}) {
    this.pool = new pg.Pool({ connectionString: url, application_name: 'odx', max: opts.max ?? 10, maxUses: opts.maxUses ?? 5000 });
  }

  /** Runs `sql` written with knex's `?` placeholders. */
  async rows<T = Record<string, any>>(sql: string, bindings: readonly unknown[]): Promise<T[]> {
    let statement = this.texts.get(sql);
    if (!statement) {
      const text = positional(sql);
      statement = { text, name: `odx_${createHash('sha1').update(text).digest('base64url').slice(0, 24)}` };
      if (this.texts.size >= 2000) this.texts.clear();
      this.texts.set(sql, statement);
    }
    return (await this.pool.query({ ...statement, values: bindings as unknown[] })).rows as T[];
  }

  end(): Promise<void> {
    return this.pool.end();
  }
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
