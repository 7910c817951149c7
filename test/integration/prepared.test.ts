import { expect } from 'chai';
import { PreparedPool } from '../../server/src/db/prepared.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';

describe('hot statements on pipelined connections (PreparedPool)', () => {
  let db: TestDatabase;
  before(async () => (db = await freshDatabase()));
  after(() => db.drop());

  const backends = async (pool: PreparedPool) => (await pool.rows<{ pid: number }>('select pg_backend_pid() as pid', [])).map((r) => r.pid)[0];

  it('answers many statements in flight at once, each with its own rows', async () => {
    const pool = new PreparedPool(db.url, { connections: 2 });
    try {
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => pool.rows<{ n: number; s: string }>('select ?::int * 2 as n, ? as s', [i, `v${i}`])));
      answers.forEach((rows, i) => expect(rows).to.deep.equal([{ n: i * 2, s: `v${i}` }]));
      const pids = new Set(await Promise.all(Array.from({ length: 20 }, () => backends(pool))));
      expect(pids.size).to.be.at.most(2);
    } finally {
      await pool.end();
    }
  });

  it('fails only the statement that fails: the ones sent with it on the same connection are answered', async () => {
    const pool = new PreparedPool(db.url, { connections: 1 });
    try {
      const results = await Promise.allSettled([
        pool.rows('select ?::int as n', ['1']),
        pool.rows('select ?::int as n', ['not a number']),
        pool.rows('select 1 / ?::int as n', [0]),
        pool.rows('select ?::int as n', ['3']),
      ]);
      expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      expect((results[3] as PromiseFulfilledResult<unknown[]>).value).to.deep.equal([{ n: 3 }]);
      expect(String((results[1] as PromiseRejectedResult).reason.message)).to.match(/invalid input syntax for type integer/);
    } finally {
      await pool.end();
    }
  });

  it('replaces a connection the server closed, and one that has run its share of statements', async () => {
    const pool = new PreparedPool(db.url, { connections: 1, maxUses: 50 });
    try {
      const first = await backends(pool);
      await db.knex.raw('select pg_terminate_backend(?)', [first]);
      // the statement that meets the dead connection fails; the next one gets a new connection
      await pool.rows('select 1 as n', []).catch(() => undefined);
      const second = await backends(pool);
      expect(second).to.not.equal(first);
      for (let i = 0; i < 50; i++) await pool.rows('select ?::int as n', [i]);
      expect(await backends(pool)).to.not.equal(second);
    } finally {
      await pool.end();
    }
  });
});
