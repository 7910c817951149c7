import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import request from 'supertest';
import { closeServices, createApp, type App } from '../../server/src/app.ts';
import { HeadSigner } from '../../server/src/audit/signing.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createKnex } from '../../server/src/db/connect.ts';
import { settleCryptoSuite } from '../../server/src/db/crypto-suite.ts';
import { migrateLatest } from '../../server/src/db/migrate.ts';
import { createLogger } from '../../server/src/http/observability.ts';
import { withUsccCheck } from '../../server/src/lib/identifiers.ts';
import { makeConsumer, makeDepartment, makePrincipal } from '../helpers/app.ts';
import { licenceCsv, loadCsv, publishedResource } from '../helpers/census.ts';
import { requestBetween } from '../helpers/sharing.ts';
import { makeStandby, sqlRows, startPrimary, type Pair } from '../helpers/standby.ts';
import { eventually } from '../helpers/wait.ts';

const MAX_LAG = 5;

/** Rows whose company names carry the version they were loaded as, so a response mixing versions shows. */
function versionCsv(v: number, n: number): string {
  let s = '统一社会信用代码,企业名称,法定代表人,注册资本（万元）,成立日期\n';
  for (let i = 1; i <= n; i++) s += `${withUsccCheck(`91350200MA${String(1000000 + i).padStart(7, '0')}`)},第${v}版公司${i},张${i},${(i * 10.5).toFixed(2)},2021-03-01\n`;
  return s;
}

/**
 * Read replicas against a real streaming standby, made from the primary with the low-level backup
 * API (test/helpers/standby.ts): open reads are served by the standby, a person's read right after
 * their own write by the primary, a lagging standby is skipped, a version switch is never seen
 * half-done, and a standby that stops fails no request.
 */
describe('read replicas: a primary and a streaming standby', function () {
  this.timeout(180_000);
  let dir: string;
  let primaryUrl: string;
  let pair: Pair;
  let knex: Knex;
  let app: App;
  let code: string;
  let resourceId: number;
  let admin: { id: number; token: string };
  let consumer: { id: number; token: string };
  let sharedCode: string;
  const rows = (query: Record<string, string | number> = {}, headers: Record<string, string> = {}) =>
    request(app.app).get(`/api/v1/datasets/${encodeURIComponent(code)}/rows`).query({ limit: 1000, ...query }).set(headers);
  const replica = () => app.services.replicas.status()[0];
  const onStandby = (sql: string) => sqlRows(pair.standbyUrl, sql);
  /** Pauses the standby's replay and waits until it has stopped: a pause is only requested at first, and replay goes on until the standby gets to it. */
  const pauseReplay = async () => {
    await onStandby('select pg_wal_replay_pause()');
    expect(await eventually(async () => (await onStandby('select pg_get_wal_replay_pause_state() as s'))[0].s === 'paused', 10_000), 'replay paused').to.equal(true);
  };

  /** Every row of a page is of the version the page says. */
  function wholeVersion(body: { version: number; items: { company_name: string }[] }): number {
    expect(body.items.length).to.be.greaterThan(0);
    for (const r of body.items) expect(r.company_name, `a row in a page of version ${body.version}`).to.match(new RegExp(`^第${body.version}版`));
    return body.version;
  }

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-replicas-'));
    await fs.chmod(dir, 0o755);
    const primary = await startPrimary(dir, 'odx');
    primaryUrl = primary.url;
    const roles = await primary.primary.roleUrls(primary.url);
    const owner = createKnex(roles.owner, { min: 0, max: 1 });
    await migrateLatest(owner).finally(() => owner.destroy());
    knex = createKnex(roles.app, { min: 0, max: 10 });
    const dept = await makeDepartment(knex, '测试甲局');
    admin = await makePrincipal(knex, 'a.admin', dept.id, ['admin']);
    const resource = await publishedResource(knex, dept.uscc);
    code = resource.code;
    resourceId = resource.id;
    await loadCsv(knex, resourceId, versionCsv(1, 50));
    // a resource another department reads under a grant
    const consumerDept = await makeDepartment(knex, '测试乙局');
    consumer = await makeConsumer(knex, 'b.consumer', consumerDept);
    const shared = await requestBetween(knex, consumerDept, dept, { to: 'granted' });
    sharedCode = shared.resource.code;
    await loadCsv(knex, shared.resource.id, licenceCsv(1, 30));
    // the standby is made after the first version: later versions reach it by streaming
    pair = await makeStandby(dir, primary, 'odx');
    const home = path.join(dir, 'home');
    await fs.mkdir(home);
    const config = loadConfig({
      ODX_HOME: home, ODX_LOG_LEVEL: 'silent', ODX_RATE_LIMIT_ANONYMOUS: '0', ODX_RATE_LIMIT_KEY: '0', ODX_WEB_DIR: path.join(home, 'no-web-app'),
      ODX_REPLICA_URLS: pair.onStandby(roles.app), ODX_REPLICA_MAX_LAG: String(MAX_LAG), ODX_REPLICA_CHECK_MS: '100',
    } as NodeJS.ProcessEnv);
    const suite = await settleCryptoSuite({ knex, url: roles.app, ownerUrl: roles.owner }, config.crypto);
    app = createApp({ knex, config, log: createLogger('silent'), signer: await HeadSigner.load(home, suite) });
    expect(await eventually(() => replica().state === 'ok', 30_000), `replica state ${JSON.stringify(replica())}`).to.equal(true);
  });

  after(async () => {
    if (app) await closeServices(app.services);
    await knex?.destroy();
    await pair?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('serves open rows, downloads and the catalogue from the standby, and writes their audit events on the primary', async () => {
    const [{ since }] = await onStandby('select now()::text as since');
    const before = replica().reads;
    const res = await rows().expect(200);
    expect(res.body.items).to.have.length(50);
    expect(wholeVersion(res.body)).to.equal(1);
    const csv = await request(app.app).get(`/api/v1/datasets/${encodeURIComponent(code)}/download`).query({ format: 'csv' }).expect(200);
    expect(csv.text.trim().split('\n')).to.have.length(51);
    await request(app.app).get('/catalog.ttl').expect(200);
    expect(replica().reads - before, 'reads sent to the standby').to.equal(3);
    // the standby's own view: ODX's read connections in its pg_stat_activity, busy since the reads began
    const sessions = await onStandby(`select application_name, query, state_change from pg_stat_activity where datname = 'odx' and application_name = 'odx-read' and state_change >= '${since}'`);
    expect(sessions.length, 'ODX read connections that worked on the standby').to.be.greaterThan(0);
    // read audit events are writes: they are on the primary (the standby cannot take them)
    const audited = await knex.raw(`select action from odx.audit_pending where action in ('dataset.rows', 'dataset.download') union all select action from odx.audit_events where action in ('dataset.rows', 'dataset.download')`);
    expect(audited.rows.map((r: { action: string }) => r.action)).to.include.members(['dataset.rows', 'dataset.download']);
    const ready = await request(app.app).get('/readyz').expect(200);
    expect(ready.body.replicas[0]).to.include({ state: 'ok' });
    const metrics = await request(app.app).get('/metrics').expect(200);
    expect(metrics.text).to.match(/odx_replica_up\{replica="[^"]+",state="ok"\} 1/);
    expect(metrics.text).to.match(/odx_replica_lag_seconds\{replica="[^"]+"\} 0/);
  });

  it('serves shared data under a grant from the standby, the grant checked and the read audited on the primary', async () => {
    const before = replica().reads;
    const res = await request(app.app).get(`/api/v1/shared/${encodeURIComponent(sharedCode)}/rows`).query({ purpose: '核验企业登记信息', limit: 100 }).set({ Authorization: `Bearer ${consumer.token}` }).expect(200);
    expect(res.body.items).to.have.length(30);
    expect(replica().reads - before, 'served by the standby').to.equal(1);
    const audited = await knex.raw(`select count(*)::int as n from (select action from odx.audit_pending where action = 'shared.rows' union all select action from odx.audit_events where action = 'shared.rows') a`);
    expect(audited.rows[0].n).to.equal(1);
  });

  it('reads a person’s own write on the primary until the standby has replayed it, while others still read the standby', async () => {
    // the cluster commits without waiting for the WAL flush (synchronous_commit = off, as operators
    // may run it); a slow WAL writer keeps the write's commit record in the buffers past the reads below
    await sqlRows(primaryUrl, `alter system set wal_writer_delay = '10s'`);
    await sqlRows(primaryUrl, 'select pg_reload_conf()');
    await pauseReplay();
    try {
      const bearer = { Authorization: `Bearer ${admin.token}` };
      await request(app.app).post('/api/v1/tokens').set(bearer).send({ name: 'a write', expiresInDays: 1 }).expect(201);
      const before = replica().reads;
      await rows({}, bearer).expect(200);
      expect(replica().reads, 'the writer’s read went to the primary').to.equal(before);
      await rows().expect(200);
      expect(replica().reads, 'an anonymous read still went to the standby').to.equal(before + 1);
    } finally {
      await onStandby('select pg_wal_replay_resume()');
      await sqlRows(primaryUrl, 'alter system reset wal_writer_delay');
      await sqlRows(primaryUrl, 'select pg_reload_conf()');
    }
    const bearer = { Authorization: `Bearer ${admin.token}` };
    expect(await eventually(async () => {
      const before = replica().reads;
      await rows({}, bearer).expect(200);
      return replica().reads === before + 1;
    }, 20_000), 'once replayed, the writer reads the standby again').to.equal(true);
  });

  it('serves the previous version whole from a standby that has not replayed a switch, skips it once it lags beyond the bound, and takes it back when it catches up', async () => {
    await pauseReplay();
    try {
      await loadCsv(knex, resourceId, versionCsv(2, 40));
      const before = replica().reads;
      const res = await rows().expect(200);
      expect(replica().reads, 'served by the paused standby').to.equal(before + 1);
      expect(wholeVersion(res.body), 'the standby has not replayed version 2').to.equal(1);
      expect(res.body.items).to.have.length(50);
      expect(await eventually(() => replica().state === 'lagging', 30_000), `state ${JSON.stringify(replica())}`).to.equal(true);
      const ready = await request(app.app).get('/readyz').expect(200);
      expect(ready.body.replicas[0].state).to.equal('lagging');
      expect(ready.body.replicas[0].lagSeconds).to.be.greaterThan(MAX_LAG);
      const skipped = replica().reads;
      const now = await rows().expect(200);
      expect(replica().reads, 'the lagging standby was skipped').to.equal(skipped);
      expect(wholeVersion(now.body)).to.equal(2);
      expect(now.body.items).to.have.length(40);
    } finally {
      await onStandby('select pg_wal_replay_resume()');
    }
    expect(await eventually(() => replica().state === 'ok', 30_000), 'the standby caught up').to.equal(true);
    const before = replica().reads;
    expect(wholeVersion((await rows().expect(200)).body)).to.equal(2);
    expect(replica().reads).to.equal(before + 1);
  });

  it('never shows a version switch half-done while the standby replays switches under reads', async () => {
    let reading = true;
    const seen = new Set<number>();
    const before = replica().reads;
    const reader = (async () => {
      while (reading) {
        const res = await rows();
        expect(res.status).to.equal(200);
        seen.add(wholeVersion(res.body));
      }
    })();
    for (let v = 3; v <= 6; v++) await loadCsv(knex, resourceId, versionCsv(v, 30 + v));
    await eventually(() => seen.has(6), 20_000);
    reading = false;
    await reader;
    expect([...seen].sort()).to.include(6);
    expect(replica().reads, 'the standby served reads while it replayed the switches').to.be.greaterThan(before);
  });

  it('answers every request when the standby stops: reads fall back to the primary, and /readyz shows it down', async () => {
    await pair.standby.stop('fast');
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      statuses.push((await rows()).status);
      statuses.push((await request(app.app).get(`/api/v1/datasets/${encodeURIComponent(code)}/download`).query({ format: 'csv' })).status);
    }
    expect(statuses).to.deep.equal(Array(20).fill(200));
    expect(await eventually(() => replica().state === 'down', 10_000)).to.equal(true);
    const ready = await request(app.app).get('/readyz').expect(200);
    expect(ready.body.status).to.equal('ready');
    expect(ready.body.replicas[0].state).to.equal('down');
    const metrics = await request(app.app).get('/metrics').expect(200);
    expect(metrics.text).to.match(/odx_replica_up\{replica="[^"]+",state="down"\} 0/);
  });
});
