/**
 * whereInScope (policies/access.ts) is the one place a list is narrowed to the caller's reach. The
 * rows a list returns are checked on PostgreSQL for each reach a role can have, with the scopings the
 * gate itself builds (scopingFor). Only TEMP tables are used.
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Principal, Role } from '../../server/src/auth/roles.ts';
import { createKnex } from '../../server/src/db/connect.ts';
import { reachesEveryDepartment, scopingFor, whereInScope, type ScopeColumns } from '../../server/src/policies/access.ts';
import type { Reach } from '../../server/src/http/route.ts';
import { scratchDatabaseUrl } from '../helpers/cluster.ts';

const caller = (id: number, departmentId: number | null, role: Role = 'officer'): Principal => ({
  id,
  login: `p${id}`,
  displayName: 'p',
  departmentId,
  roles: [role],
  kind: 'user',
  tokenId: 1,
  sessionId: null,
  scopes: ['read', 'write'],
});

// id, consumer department, provider department, account, published
const ROWS: Array<[number, number, number, number, boolean]> = [
  [1, 10, 20, 100, true],
  [2, 20, 10, 200, false],
  [3, 20, 30, 100, false],
  [4, 30, 30, 300, false],
];

describe('scoping of lists: whereInScope on PostgreSQL', () => {
  let knex: Knex;
  before(async () => {
    // one connection, so the TEMP table is seen by every query
    knex = createKnex(scratchDatabaseUrl(), { min: 1, max: 1 });
    await knex.raw('create temp table scoped_rows (id int primary key, consumer int, provider int, account int, published boolean)');
    await knex('scoped_rows').insert(ROWS.map(([id, consumer, provider, account, published]) => ({ id, consumer, provider, account, published })));
  });
  after(async () => {
    await knex?.destroy();
  });

  async function ids(reach: Reach, who: Principal, columns: ScopeColumns): Promise<number[]> {
    const rows = await whereInScope(knex('scoped_rows').orderBy('id'), scopingFor(reach, who), columns);
    return rows.map((r: { id: number }) => r.id);
  }

  it('reach over every department lists every row', async () => {
    expect(await ids('any', caller(1, 10, 'authority'), { department: 'consumer' })).to.deep.equal([1, 2, 3, 4]);
    expect(reachesEveryDepartment(scopingFor('any', caller(1, 10, 'authority')))).to.equal(true);
  });

  it('own-department reach lists the rows of the caller’s department only', async () => {
    expect(await ids('own', caller(1, 20), { department: 'consumer' })).to.deep.equal([2, 3]);
    expect(reachesEveryDepartment(scopingFor('own', caller(1, 20)))).to.equal(false);
  });

  it('a row with two parties is listed for either party’s department, and for no third', async () => {
    expect(await ids('own', caller(1, 10), { department: ['consumer', 'provider'] })).to.deep.equal([1, 2]);
    expect(await ids('own', caller(1, 30), { department: ['consumer', 'provider'] })).to.deep.equal([3, 4]);
    expect(await ids('own', caller(1, 40), { department: ['consumer', 'provider'] })).to.deep.equal([]);
  });

  it('an account without a department sees no department’s rows', async () => {
    expect(await ids('own', caller(1, null), { department: ['consumer', 'provider'] })).to.deep.equal([]);
  });

  it('own-account reach lists the caller’s own rows, whatever their department', async () => {
    expect(await ids('self', caller(100, 30, 'registrar'), { department: 'consumer', principal: 'account' })).to.deep.equal([1, 3]);
  });

  it('rows seen by all are listed beside the department’s own (published catalogue entries)', async () => {
    const columns: ScopeColumns = { department: 'consumer', seenByAll: (w) => w.where('published', true) };
    expect(await ids('own', caller(1, 30), columns)).to.deep.equal([1, 4]);
    expect(await ids('own', caller(1, null), columns)).to.deep.equal([1]);
  });

  it('a list without the column the caller’s reach needs refuses to run instead of listing everything', () => {
    expect(() => whereInScope(knex('scoped_rows'), scopingFor('own', caller(1, 10)), { principal: 'account' })).to.throw(/no department column/);
    expect(() => whereInScope(knex('scoped_rows'), scopingFor('self', caller(1, 10)), { department: 'consumer' })).to.throw(/no account column/);
  });
});
