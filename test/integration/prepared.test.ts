import { expect } from 'chai';
import { PreparedPool } from '../../server/src/db/prepared.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';

describe('hot statements on pipelined connections (PreparedPool)', () => {
  let db: TestDatabase;
  before(async () => (db = await freshDatabase()));
  after(() => db.drop());

  /** `probe` again every 20 ms until `done` holds or two seconds pass; its last answer. */
  async function eventually<T>(probe: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
    let v = await probe();
    for (let k = 0; k < 100 && !done(v); k++) {
      await new Promise((r) => setTimeout(r, 20));
      v = await probe();
    }
    return v;
  }

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

  it('sends the statements issued in one round of the event loop in one write', async () => {
    const pool = new PreparedPool(db.url, { connections: 1 });
    try {
      await pool.rows('select 1 as n', []); // connected
      const socket = (pool as unknown as { lines: { client: { connection: { stream: import('node:net').Socket } } }[] }).lines[0].client.connection.stream;
      let writes = 0;
      const count = (fn: (...a: any[]) => unknown) => (...a: any[]) => (writes++, fn(...a));
      (socket as any)._write = count((socket as any)._write.bind(socket));
      (socket as any)._writev = count((socket as any)._writev.bind(socket));
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.rows<{ n: number }>('select ?::int as n', [i])));
      expect(answers.map((r) => r[0].n)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i));
      expect(writes).to.equal(1);
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

  it('replaces a connection the server closed', async () => {
    const pool = new PreparedPool(db.url, { connections: 1 });
    try {
      const first = await backends(pool);
      await db.knex.raw('select pg_terminate_backend(?)', [first]);
      // the statement that meets the dead connection fails; the next one gets a new connection
      await pool.rows('select 1 as n', []).catch(() => undefined);
      expect(await backends(pool)).to.not.equal(first);
    } finally {
      await pool.end();
    }
  });

  it('replaces a connection that has prepared its share of statements, and keeps using it until the replacement is connected', async () => {
    const pool = new PreparedPool(db.url, { connections: 1, maxStatements: 5 });
    try {
      const first = await backends(pool);
      // the same statement again and again does not count
      for (let i = 0; i < 50; i++) await pool.rows('select ?::int as n', [i]);
      expect(await backends(pool)).to.equal(first);
      for (let i = 0; i < 4; i++) await pool.rows(`select ${i}::int as n`, []);
      // that was the sixth distinct statement: a replacement is starting, and meanwhile the old connection answers
      expect(await backends(pool)).to.equal(first);
      expect(await eventually(() => backends(pool), (pid) => pid !== first)).to.not.equal(first);
      const sessions = () => db.knex.raw('select count(*)::int as n from pg_stat_activity where pid = ?', [first]).then((r) => r.rows[0].n as number);
      expect(await eventually(sessions, (n) => n === 0), 'the retired connection is closed').to.equal(0);
    } finally {
      await pool.end();
    }
  });
});
