import { expect } from 'chai';
import { knownFailure } from '../../server/src/http/observability.ts';

/** Failures of the database's reach are a 503 to the caller, whoever wrapped the driver's error. */
describe('knownFailure: a lost database is 503, not 500', () => {
  it('knows a lost connection by the driver’s message, bare or after the statement knex puts before it', () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'select "r"."id" from "odx"."resources" as "r" where "r"."code" = $1 limit $2 - Connection terminated unexpectedly',
      'insert into "odx"."tokens" ("name") values ($1) - Client has encountered a connection error and is not queryable',
    ]) {
      expect(knownFailure(new Error(message)), message).to.include({ status: 503, code: 'unavailable' });
    }
  });

  it('knows a terminated session by its SQLSTATE, and leaves other failures alone', () => {
    expect(knownFailure(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).to.include({ status: 503 });
    expect(knownFailure(new Error('select 1 - syntax error at or near "x"'))).to.equal(null);
    expect(knownFailure(new Error('the words Connection terminated in the middle of a sentence'))).to.equal(null);
  });
});
