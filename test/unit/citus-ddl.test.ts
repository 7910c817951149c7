import { expect } from 'chai';
import { createTableSql } from '../../loaders/sql.ts';
import type { ItemType, LoaderItem } from '../../loaders/types.ts';

/**
 * A version table must stay one Citus can distribute (docs/operations.md, "Citus"): plain columns
 * of built-in types, NOT NULL, comments, and later a primary key on the key items — which contain
 * the distribution column when a table is distributed on its key. Nothing Citus refuses on a
 * distributed table: foreign keys to or from it, exclusion constraints, triggers, generated or
 * identity columns, inheritance, partitions, unlogged or temporary tables.
 */
describe('version table DDL stays distributable with Citus', () => {
  const TYPES: ItemType[] = ['C', 'N', 'Y', 'D', 'T', 'L', 'M', 'G', 'B', 'I', 'F'];
  const items: LoaderItem[] = TYPES.map((type, i) => ({ name: `c${i}`, label: `列${i}`, type, ...(type === 'C' ? { length: 18, key: true, required: true } : {}), ...(type === 'N' ? { length: 18, scale: 2 } : {}) }));
  const sql = createTableSql('data.r1_v1', items);

  it('creates one plain table of built-in types, with comments only', () => {
    const statements = sql.split(';\n').map((s) => s.trim()).filter(Boolean);
    expect(statements[0]).to.match(/^CREATE TABLE data\.r1_v1 \(/);
    for (const s of statements.slice(1)) expect(s).to.match(/^COMMENT ON COLUMN /);
  });

  it('uses none of what Citus refuses on a distributed table', () => {
    for (const refused of [/REFERENCES/i, /EXCLUDE/i, /TRIGGER/i, /GENERATED/i, /IDENTITY/i, /INHERITS/i, /PARTITION/i, /UNLOGGED/i, /TEMP/i, /SERIAL/i, /DEFAULT/i]) {
      expect(sql, `${refused}`).not.to.match(refused);
    }
  });
});
