import { expect } from 'chai';
import request from 'supertest';
import { setClock } from '../../server/src/sharing/clock.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { requestBetween } from '../helpers/sharing.ts';

/** GET /api/v1/work/waiting: the counts behind the console's bell, per kind of work and role. */
describe('what waits on a department or the authority (待办)', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(async () => {
    setClock(null);
    await t.close();
  });

  const waiting = async (who: { Authorization: string }) => {
    const body = (await request(t.app).get('/api/v1/work/waiting').set(who).expect(200)).body;
    return { ...body, by: Object.fromEntries(body.kinds.map((k: { kind: string; waiting: number; overdue: number }) => [k.kind, { waiting: k.waiting, overdue: k.overdue }])) };
  };

  it('counts the provider’s share requests to answer, and those past their deadline in working days', async () => {
    const before = await waiting(t.auth('officer', 'B'));
    expect(before.by['share_request.answer']).to.deep.equal({ waiting: 0, overdue: 0 });
    await requestBetween(t.knex, t.deptA, t.deptB, { to: 'provider_review' });
    const now = await waiting(t.auth('officer', 'B'));
    expect(now.by['share_request.answer']).to.deep.equal({ waiting: 1, overdue: 0 });
    expect(now.waiting).to.equal(before.waiting + 1);
    // a month on, every limit of 5 or 10 working days has passed
    setClock(() => new Date(Date.now() + 31 * 86_400_000));
    expect((await waiting(t.auth('officer', 'B'))).by['share_request.answer']).to.deep.equal({ waiting: 1, overdue: 1 });
    setClock(null);
    // the consumer's officer has nothing to answer
    expect((await waiting(t.auth('officer'))).by['share_request.answer']).to.deep.equal({ waiting: 0, overdue: 0 });
  });

  it('gives the authority its own kinds over every department: publish, check, decide', async () => {
    await requestBetween(t.knex, t.deptA, t.deptB, { to: 'disputed' });
    const w = await waiting(t.auth('authority'));
    expect(Object.keys(w.by)).to.have.members(['resource.publish', 'share_request.check', 'share_request.decide']);
    expect(w.by['share_request.decide'].waiting).to.equal(1);
  });

  it('is not for a registrar or a system credential', async () => {
    await request(t.app).get('/api/v1/work/waiting').set(t.auth('registrar')).expect(403);
    await request(t.app).get('/api/v1/work/waiting').set(t.auth('consumer')).expect(403);
  });
});
