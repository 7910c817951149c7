import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { createKnex } from '../../server/src/db/connect.ts';
import { adminQuery, currentCluster, withDatabase } from './cluster.ts';

export interface TestDatabase {
  url: string;
  name: string;
  knex: Knex;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own, cloned from the run's template. */
export async function freshDatabase(): Promise<TestDatabase> {
  const { adminUrl, template } = currentCluster();
  const name = `odx_t_${randomBytes(5).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name} template ${template}`);
  const url = withDatabase(adminUrl, name);
  const knex = createKnex(url, { min: 0, max: 20 });
  return {
    url,
    name,
    knex,
    async drop() {
      await knex.destroy();
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}
