/**
 * lib/sql.ts is the one place ODX quotes SQL it writes itself (mask rules, loaded tables' columns and
 * comments). PostgreSQL must read back exactly the text that went in, whatever
 * `standard_conforming_strings` says. Only TEMP tables are used.
 */
import { expect } from 'chai';
import pg from 'pg';
import { quoteIdent, sqlConstant, sqlLiteral } from '../../server/src/lib/sql.ts';
import { scratchDatabaseUrl } from '../helpers/cluster.ts';

const TEXTS = ["O'Brien", 'a\\b', "\\'\\\\", '市场监督管理局', 'tab\there', '"quoted"', ''];

describe('SQL quoting (lib/sql.ts) read back by PostgreSQL', () => {
  let client: pg.Client;
  before(async () => {
    client = new pg.Client({ connectionString: scratchDatabaseUrl() });
    await client.connect();
  });
  after(async () => {
    await client?.end();
  });

  for (const conforming of ['on', 'off']) {
    it(`literals, constants in COMMENT, and identifiers round-trip with standard_conforming_strings=${conforming}`, async () => {
      await client.query(`SET standard_conforming_strings = ${conforming}`);
      await client.query('SET escape_string_warning = off');
      for (const text of TEXTS) {
        const literal = await client.query(`SELECT ${sqlLiteral(text)} AS v`);
        expect(literal.rows[0].v).to.equal(text);
        if (text === '') continue;
        await client.query(`CREATE TEMP TABLE quoting_probe (${quoteIdent(text)} text)`);
        try {
          await client.query(`COMMENT ON COLUMN quoting_probe.${quoteIdent(text)} IS ${sqlConstant(text)}`);
          const r = await client.query(
            `SELECT a.attname AS name, col_description(a.attrelid, a.attnum) AS comment
               FROM pg_attribute a WHERE a.attrelid = 'quoting_probe'::regclass AND a.attnum = 1`,
          );
          expect(r.rows[0]).to.deep.equal({ name: text, comment: text });
        } finally {
          await client.query('DROP TABLE quoting_probe');
        }
      }
      await client.query('RESET standard_conforming_strings');
    });
  }

  it('refuses a NUL character instead of cutting the text short', () => {
    expect(() => sqlLiteral('a\0b')).to.throw(/NUL/);
    expect(() => sqlConstant('a\0b')).to.throw(/NUL/);
    expect(() => quoteIdent('a\0b')).to.throw(/NUL/);
  });
});
