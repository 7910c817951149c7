import { expect } from 'chai';
import request from 'supertest';
import { closeServices, createApp, type App } from '../../server/src/app.ts';
import { createKnex } from '../../server/src/db/connect.ts';
import { grantedResource } from '../../server/src/sharing/live-grants.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { licenceCsv, loadCsv, publishedResource } from '../helpers/census.ts';
import { requestBetween } from '../helpers/sharing.ts';
import { eventually } from '../helpers/wait.ts';

/**
 * The read-through caches (a dataset's current version, a department's grants) against changes
 * made by this process and by another one on the same database.
 */
describe('cached catalogue rows follow every change, in every process', function () {
  this.timeout(60_000);
  let t: TestApp;
  let other: App;

  before(async () => {
    t = await testApp();
    other = createApp({ ...t.services, knex: createKnex(t.db.url, { min: 0, max: 4 }) });
  });
  after(async () => {
    await closeServices(other.services);
    await other.services.knex.destroy();
    await t.close();
  });

  it('serves a newly loaded version at once here and within moments in another process', async () => {
    const r = await publishedResource(t.knex, t.deptA.uscc);
    await loadCsv(t.knex, r.id, licenceCsv(1, 3));
    const rows = (app: App['app']) => request(app).get(`/api/v1/datasets/${encodeURIComponent(r.code)}/rows`).expect(200);
    // both processes have read (and cached) version 1
    for (const app of [t.app, other.app, t.app, other.app]) expect((await rows(app)).body.version).to.equal(1);
    const seen = other.services.changes.state().generation;
    await loadCsv(t.knex, r.id, licenceCsv(1, 5));
    const here = await rows(t.app);
    expect(here.body.version, 'the loading process').to.equal(2);
    expect(here.body.items).to.have.length(5);
    expect(await eventually(() => other.services.changes.state().generation > seen), 'the change notification reached the other process').to.equal(true);
    expect((await rows(other.app)).body.version, 'the other process, on its next request').to.equal(2);
  });

  it('stops a revoked grant on the next request here and within moments in another process', async () => {
    const { request: req, resource } = await requestBetween(t.knex, t.deptA, t.deptB, { to: 'granted' });
    await loadCsv(t.knex, resource.id, licenceCsv(1, 2));
    const grant = await t.knex('odx.grants').where({ request_id: req.id }).first('id');
    const live = async (knex: typeof t.knex) => (await grantedResource(knex, { departmentId: t.deptA.id, ref: resource.code, mode: 'query' }))?.grant?.id ?? null;
    for (const knex of [t.knex, other.services.knex, t.knex, other.services.knex]) expect(await live(knex)).to.equal(grant.id);
    const seen = other.services.changes.state().generation;
    await request(t.app).post(`/api/v1/grants/${grant.id}/revoke`).set(t.auth('authority')).send({ reason: '数据使用部门职能调整' }).expect(200);
    expect(await live(t.knex), 'the revoking process').to.equal(null);
    expect(await eventually(() => other.services.changes.state().generation > seen), 'the change notification reached the other process').to.equal(true);
    expect(await live(other.services.knex), 'the other process, on its next request').to.equal(null);
  });

  it('does not cache a dataset that is not there yet', async () => {
    const r = await publishedResource(t.knex, t.deptA.uscc);
    await request(other.app).get(`/api/v1/datasets/${encodeURIComponent(r.code)}/rows`).expect(404);
    await loadCsv(t.knex, r.id, licenceCsv(1, 2));
    // no waiting for a notification: "nothing loaded" was never remembered
    expect((await request(other.app).get(`/api/v1/datasets/${encodeURIComponent(r.code)}/rows`).expect(200)).body.items).to.have.length(2);
  });
});
