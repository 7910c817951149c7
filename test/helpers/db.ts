import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { createKnex } from '../../server/src/db/connect.ts';
import { OWNER_ROLE } from '../../server/src/db/roles.ts';
import { adminQuery, currentCluster, withDatabase } from './cluster.ts';

export interface TestDatabase {
  /** As the application role (odx_app), as the API and the CLI connect. */
  url: string;
  name: string;
  knex: Knex;
  /** As the schema's owner (odx_owner), which migrations run as. */
  ownerUrl: string;
  owner: Knex;
  /** As a superuser: for tests that play an attacker holding more than the application's credentials. */
  superuser: Knex;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own, cloned from the run's template. */
export async function freshDatabase(): Promise<TestDatabase> {
  const { adminUrl, template, as } = currentCluster();
  const name = `odx_t_${randomBytes(5).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name} template ${template} owner ${OWNER_ROLE}`);
  const url = as('app', name);
  const knex = createKnex(url, { min: 0, max: 20 });
  const owner = createKnex(as('owner', name), { min: 0, max: 2 });
  const superuser = createKnex(withDatabase(adminUrl, name), { min: 0, max: 2 });
  return {
    url,
    name,
    knex,
    ownerUrl: as('owner', name),
    owner,
    superuser,
    async drop() {
      await Promise.all([knex.destroy(), owner.destroy(), superuser.destroy()]);
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}
