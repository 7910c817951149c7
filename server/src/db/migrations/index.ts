import type { Knex } from 'knex';
import * as m001 from './001_foundation.ts';

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: Migration[] = [
  { name: '001_foundation', ...m001 },
];
