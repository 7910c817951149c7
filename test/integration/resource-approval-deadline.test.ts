import { expect } from 'chai';
import request from 'supertest';
import { setClock } from '../../server/src/sharing/clock.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { resourceDoc } from '../helpers/census.ts';
import * as migration024 from '../../server/src/db/migrations/024_resource_approval_deadline.ts';

/**
 * The officer's approval of a submitted catalogue entry has a deadline in working days on the
 * official calendar (ODX_RESOURCE_APPROVAL_DAYS, default 5), computed by the server: shown in the
 * approvals list and counted in GET /api/v1/work/waiting (the bell).
 */
describe('the deadline of a resource waiting for the officer’s approval', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    t = await testApp();
  });
  after(async () => {
    setClock(null);
    await t.close();
  });

  const at = (iso: string) => setClock(() => new Date(iso));
  const submittedOfA = async () =>
    (await request(t.app).get('/api/v1/resources').query({ status: 'submitted', department: t.deptA.id, facets: 'false' }).set(t.auth('officer')).expect(200)).body.items as {
      id: number;
      approval?: { limitDays: number; dueAt: string; daysLeft: number; overdue: boolean };
    }[];
  const approvals = async () => {
    const body = (await request(t.app).get('/api/v1/work/waiting').set(t.auth('officer')).expect(200)).body;
    const { waiting, overdue } = body.kinds.find((k: { kind: string }) => k.kind === 'resource.approve');
    return { waiting, overdue };
  };

  it('submitted on the Friday before 清明 (2026-04-03), five working days end on Monday 13 April, not on the Friday weekday counting would give', async () => {
    at('2026-04-03T07:00:00Z'); // Friday 15:00 in Shanghai; 4–6 April are the 清明 holiday
    const id = (await request(t.app).post('/api/v1/resources').set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc)).expect(201)).body.id;
    await request(t.app).post(`/api/v1/resources/${id}/submit`).set(t.auth('registrar')).expect(200);
    const mine = () => submittedOfA().then((items) => items.find((r) => r.id === id)!.approval);

    // 24:00 of Monday 13 April in Shanghai: Tue 7, Wed 8, Thu 9, Fri 10, Mon 13
    expect(await mine()).to.deep.equal({ limitDays: 5, dueAt: '2026-04-13T16:00:00.000Z', daysLeft: 5, overdue: false });
    at('2026-04-06T02:00:00Z'); // Monday of the holiday: still all five left
    expect((await mine())!.daysLeft).to.equal(5);
    at('2026-04-10T02:00:00Z'); // the Friday weekday arithmetic would have ended on
    expect(await mine()).to.include({ daysLeft: 1, overdue: false });
    expect(await approvals()).to.deep.equal({ waiting: 1, overdue: 0 });
    at('2026-04-13T09:00:00Z'); // the last day
    expect(await mine()).to.include({ daysLeft: 0, overdue: false });
    at('2026-04-13T16:00:00Z'); // 00:00 on Tuesday in Shanghai: past the deadline
    expect(await mine()).to.include({ daysLeft: -1, overdue: true });
    at('2026-04-15T02:00:00Z');
    expect(await mine()).to.include({ daysLeft: -2, overdue: true });
    expect(await approvals()).to.deep.equal({ waiting: 1, overdue: 1 });

    // withdrawn and submitted again: a new deadline from the new submit (Wed 15 → Wed 22)
    await request(t.app).post(`/api/v1/resources/${id}/withdraw`).set(t.auth('registrar')).expect(200);
    expect(await approvals()).to.deep.equal({ waiting: 0, overdue: 0 });
    await request(t.app).post(`/api/v1/resources/${id}/submit`).set(t.auth('registrar')).expect(200);
    expect(await mine()).to.deep.equal({ limitDays: 5, dueAt: '2026-04-22T16:00:00.000Z', daysLeft: 5, overdue: false });

    // approved: no longer waiting on the officer, and no deadline (the authority's publishing has none)
    await request(t.app).post(`/api/v1/resources/${id}/approve`).set(t.auth('officer')).expect(200);
    expect(await approvals()).to.deep.equal({ waiting: 0, overdue: 0 });
    const approved = (await request(t.app).get('/api/v1/resources').query({ status: 'approved', facets: 'false' }).set(t.auth('authority')).expect(200)).body.items;
    expect(approved.find((r: { id: number }) => r.id === id)).to.not.have.property('approval');
  });

  it('migration 024 gives an entry already waiting the default limit, counted from its last submit', async () => {
    at('2026-04-03T07:00:00Z');
    const id = (await request(t.app).post('/api/v1/resources').set(t.auth('registrar')).send(resourceDoc(t.deptA.uscc, { name: '迁移前提交的目录' })).expect(201)).body.id;
    await request(t.app).post(`/api/v1/resources/${id}/submit`).set(t.auth('registrar')).expect(200);
    // as before the migration: no deadline columns; submitted on Friday 3 April 15:00 in Shanghai
    await migration024.down(t.db.owner);
    await t.knex('odx.census_history').where({ kind: 'resource', doc_id: id, action: 'submit' }).update({ at: new Date('2026-04-03T07:00:00Z') });
    await migration024.up(t.db.owner);
    const row = await t.knex('odx.resources').where({ id }).first('approval_limit_days', 'approval_due_at');
    expect(row.approval_limit_days).to.equal(5);
    expect(new Date(row.approval_due_at).toISOString()).to.equal('2026-04-13T16:00:00.000Z');
    // a draft, approved or published entry has none (the constraint holds it)
    await t.knex('odx.resources').where({ id }).update({ approval_due_at: null }).then(
      () => expect.fail('a submitted entry without a deadline was accepted'),
      (err: Error) => expect(err.message).to.contain('resources_approval_due'),
    );
  });
});
