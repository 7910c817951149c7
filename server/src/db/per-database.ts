import type { Knex } from 'knex';

/**
 * What the apps built on a knex instance attached to it (usually one app; tests sometimes build
 * two on one pool): how code that is handed only a knex — a command, the grant check, the row
 * query — reaches the app's change feed or prepared-statement pool.
 */
export class PerDatabase<T> {
  private readonly entries = new WeakMap<Knex, Set<T>>();

  add(knex: Knex, value: T): void {
    let set = this.entries.get(knex);
    if (!set) this.entries.set(knex, (set = new Set()));
    set.add(value);
  }

  delete(knex: Knex, value: T): void {
    this.entries.get(knex)?.delete(value);
  }

  first(knex: Knex): T | undefined {
    return this.entries.get(knex)?.values().next().value;
  }

  all(knex: Knex): Iterable<T> {
    return this.entries.get(knex) ?? [];
  }
}
