import { expect } from 'chai';
import type { Principal } from '../../server/src/auth/roles.ts';
import { HttpError } from '../../server/src/http/errors.ts';
import { assertOwnerReach, ownedBy, reachOf, scopingFor } from '../../server/src/policies/access.ts';

const officerOf = (departmentId: number | null, id = 7): Principal => ({
  id,
  login: `p${id}`,
  displayName: 'p',
  departmentId,
  roles: ['officer'],
  kind: 'user',
  tokenId: 1,
  sessionId: null,
  scopes: ['read', 'write'],
});

const refused = (fn: () => void): string => {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(HttpError);
    expect((e as HttpError).status).to.equal(403);
    return (e as HttpError).message;
  }
  throw new Error('expected a 403');
};

describe('access policy: owner reach', () => {
  it('meets own reach on the owning department only', () => {
    assertOwnerReach('own', officerOf(1), { departmentId: 1 });
    expect(refused(() => assertOwnerReach('own', officerOf(2), { departmentId: 1 }))).to.equal('this belongs to another department');
  });

  it('meets own reach on any of a jointly owned target’s departments (consumer and provider of a share request)', () => {
    const owner = { departmentId: 1, alsoDepartmentIds: [3] };
    assertOwnerReach('own', officerOf(1), owner);
    assertOwnerReach('own', officerOf(3), owner);
    refused(() => assertOwnerReach('own', officerOf(2), owner));
    expect(ownedBy(owner, 3)).to.equal(true);
    expect(ownedBy(owner, 2)).to.equal(false);
    expect(ownedBy({ departmentId: null }, 2)).to.equal(false);
  });

  it('never lets a principal outside every department reach a department’s target, even one with no department', () => {
    refused(() => assertOwnerReach('own', officerOf(null), { departmentId: null }));
    refused(() => assertOwnerReach('own', officerOf(null), { departmentId: null, alsoDepartmentIds: [] }));
  });

  it('keeps self reach to the principal and any reach to everyone', () => {
    assertOwnerReach('self', officerOf(1, 9), { departmentId: 5, principalId: 9 });
    expect(refused(() => assertOwnerReach('self', officerOf(5, 8), { departmentId: 5, alsoDepartmentIds: [5], principalId: 9 }))).to.equal(
      'this belongs to another account',
    );
    assertOwnerReach('any', officerOf(2), { departmentId: 1 });
  });

  it('picks the widest reach of the roles and scopes lists by it', () => {
    const p = { ...officerOf(4), roles: ['registrar', 'officer'] as Principal['roles'] };
    expect(reachOf({ registrar: 'self', officer: 'own' }, p)).to.equal('own');
    expect(reachOf({ authority: 'any' }, p)).to.equal(null);
    expect(scopingFor('own', p)).to.deep.equal({ departments: [4], principalId: null });
  });
});
