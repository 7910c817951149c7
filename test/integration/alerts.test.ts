import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import request from 'supertest';
import pino from 'pino';
import { recordAudit } from '../../server/src/audit/chain.ts';
import { deliverDue } from '../../server/src/governance/alerts/webhook.ts';
import { governanceJobs, runAlertChecks } from '../../server/src/governance/schedule.ts';
import { Scheduler } from '../../server/src/system/jobs.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { publishedResource } from '../helpers/census.ts';
import { requestBetween } from '../helpers/sharing.ts';
import { eventually } from '../helpers/wait.ts';

const SECRET = 'webhook-secret-for-the-test-0123';

/** A webhook receiver on a free local port: answers each attempt with the next status of `answers` (then 200), keeping what came. */
async function receiver(answers: number[]) {
  const got: { at: number; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answers[got.length - 1] ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/odx-alerts`;
  return { url, got, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** What a receiver does with the header: recompute the HMAC over `<t>.<body>` and compare in constant time. */
function verifies(header: string, body: string, secret: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const want = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest();
  return timingSafeEqual(want, Buffer.from(m[2], 'hex'));
}

/** `count` shared reads under a grant at `at`, as the sharing data API records them. */
function sharedReads(grant: number, dept: number, at: Date, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    at: new Date(at.getTime() + i * 1000),
    actor: 'a.sys',
    actorId: null,
    departmentId: dept,
    action: 'shared.rows',
    targetType: 'resource',
    targetId: '1',
    purpose: '核验',
    detail: JSON.stringify({ grant }),
    rows: 1,
    requestId: null,
  }));
}

describe('alerts: the notification list, the signed webhook with retries, leak watch', function () {
  this.timeout(120_000);

  describe('webhook', () => {
    let t: TestApp;
    let hook: Awaited<ReturnType<typeof receiver>>;
    before(async () => {
      hook = await receiver([500, 503]);
      t = await testApp({ env: { ODX_ALERT_WEBHOOK_URL: hook.url, ODX_ALERT_WEBHOOK_SECRET: SECRET, ODX_ALERT_WEBHOOK_BACKOFF_MS: '1000', ODX_ALERT_INTERVAL_MS: '1000' } });
    });
    after(async () => {
      await t.close();
      await hook.close();
    });

    it('posts a signed alert for a request about to be overdue, retrying with growing waits until the receiver takes it, and logs every attempt', async () => {
      const { request: req } = await requestBetween(t.knex, t.deptA, t.deptB, { to: 'provider_review' });
      // the provider's deadline is in an hour
      await t.knex('odx.share_requests').where({ id: req.id }).update({ due_at: new Date(Date.now() + 3_600_000) });
      // the installation's scheduler, looking for due jobs every 50 ms instead of every 5 s
      const schedule = new Scheduler(t.knex, governanceJobs(t.knex, t.services.config, pino({ level: 'silent' })), pino({ level: 'silent' }), 50).start();
      try {
        expect(await eventually(() => hook.got.length >= 3, 15_000), 'three attempts reached the receiver').to.equal(true);
      } finally {
        await schedule.stop();
      }
      const [first, second, third] = hook.got;
      for (const g of hook.got) {
        expect(verifies(String(g.headers['x-odx-signature']), g.body, SECRET), 'signature').to.equal(true);
        expect(verifies(String(g.headers['x-odx-signature']), g.body, 'another-secret-of-some-length'), 'signature under another key').to.equal(false);
        expect(g.headers['x-odx-event']).to.equal('alert.request_due');
      }
      // a body changed on the way does not verify
      expect(verifies(String(first.headers['x-odx-signature']), first.body.replace('request_due', 'stale_resource'), SECRET)).to.equal(false);
      const alert = JSON.parse(third.body).alert;
      expect(alert).to.include({ kind: 'request_due', departmentId: t.deptB.id });
      expect(alert.target).to.deep.equal({ type: 'share_request', id: String(req.id) });
      // waits of 1 s, then 4 s (deliveries are offered once a second, the queue's smallest period)
      expect(second.at - first.at).to.be.at.least(990);
      expect(third.at - second.at).to.be.at.least(3990);
      expect(third.at - second.at).to.be.greaterThan(second.at - first.at);

      const shown = await request(t.app).get(`/api/v1/alerts/${alert.id}`).set(t.auth('officer', 'B')).expect(200);
      expect(shown.body.webhook).to.deep.equal({ state: 'delivered', attempts: 3 });
      expect(shown.body.deliveries.map((d: { attempt: number; status: number }) => [d.attempt, d.status])).to.deep.equal([
        [1, 500],
        [2, 503],
        [3, 200],
      ]);
      expect(shown.body.deliveries[0].error).to.contain('500');
      // the checks again: the same deadline raises nothing new
      expect(await runAlertChecks(t.knex, t.services.config)).to.deep.equal([]);
      await request(t.app).get(`/api/v1/alerts/${alert.id}`).set(t.auth('officer', 'A')).expect(403);
    });

    it('gives up after the configured attempts when no receiver answers, each failure logged with its cause', async () => {
      const [{ id }] = await t.knex('odx.alerts').insert({ kind: 'stale_resource', key: `test:${Date.now()}`, target_type: 'resource', target_id: '1', raised_at: new Date(), webhook_state: 'pending', webhook_next_at: new Date() }).returning('id');
      const dead = { url: 'http://127.0.0.1:9/nobody-listens', secret: SECRET, attempts: 3, backoffMs: 1 };
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 10 * 4 ** i));
        await deliverDue(t.knex, dead);
      }
      const row = await t.knex('odx.alerts').where({ id }).first();
      expect(row).to.include({ webhook_state: 'failed', webhook_attempts: 3, webhook_next_at: null });
      const deliveries = await t.knex('odx.webhook_deliveries').where({ alert_id: id }).orderBy('attempt');
      expect(deliveries.map((d) => [d.attempt, d.status])).to.deep.equal([
        [1, null],
        [2, null],
        [3, null],
      ]);
      expect(deliveries.every((d) => d.error && d.url === dead.url)).to.equal(true);
      expect(await deliverDue(t.knex, dead)).to.equal(0);
    });
  });

  describe('leak watch', () => {
    let t: TestApp;
    before(async () => (t = await testApp({ env: { ODX_LEAK_WATCH_MULTIPLE: '5', ODX_LEAK_WATCH_MIN_READS: '200' } })));
    after(() => t.close());

    it('raises no alert on a grant read as usual, one on a burst, and the authority suspends the grant from it', async () => {
      const { request: req } = await requestBetween(t.knex, t.deptA, t.deptB, { to: 'granted' });
      const grant = Number(req.grant_id);
      // 14:00 in Shanghai; 300 reads a day for the 28 days before, and 320 so far today
      const now = new Date('2026-12-07T06:00:00Z');
      for (let d = 1; d <= 28; d++) await recordAudit(t.knex, sharedReads(grant, t.deptA.id, new Date(now.getTime() - d * 86_400_000), 300));
      await recordAudit(t.knex, sharedReads(grant, t.deptA.id, new Date('2026-12-07T00:00:00Z'), 320));
      const quiet = await runAlertChecks(t.knex, t.services.config, now);
      const leaks = await t.knex('odx.alerts').whereIn('id', quiet).where({ kind: 'leak_watch' });
      expect(leaks, 'no leak-watch alert on usual traffic').to.deep.equal([]);

      // a burst: 1,500 more reads this afternoon (1,820 today against a usual 300, more than 5 ×)
      await recordAudit(t.knex, sharedReads(grant, t.deptA.id, new Date('2026-12-07T05:00:00Z'), 1_500));
      const raised = await runAlertChecks(t.knex, t.services.config, now);
      const [leak] = await t.knex('odx.alerts').whereIn('id', raised).where({ kind: 'leak_watch' });
      expect(leak).to.include({ target_type: 'grant', target_id: String(grant), department_id: t.deptB.id });
      expect(leak.detail).to.include({ day: '2026-12-07', reads: 1_820, usualDay: 300, multiple: 5 });

      // the providing officer sees it in the notification list, another department does not
      const listB = await request(t.app).get('/api/v1/alerts?kind=leak_watch').set(t.auth('officer', 'B')).expect(200);
      expect(listB.body.items.map((a: { id: number }) => a.id)).to.include(Number(leak.id));
      const listA = await request(t.app).get('/api/v1/alerts?kind=leak_watch').set(t.auth('officer', 'A')).expect(200);
      expect(listA.body.items).to.deep.equal([]);

      await request(t.app).post(`/api/v1/alerts/${leak.id}/suspend-grant`).set(t.auth('officer', 'B')).send({ reason: '读取量异常' }).expect(403);
      const done = await request(t.app).post(`/api/v1/alerts/${leak.id}/suspend-grant`).set(t.auth('authority')).send({ reason: '读取量异常，暂停核查' }).expect(200);
      expect(done.body.acknowledgedAt).to.be.a('string');
      expect((await t.knex('odx.grants').where({ id: grant }).first()).status).to.equal('suspended');
      // the same day's burst is one alert
      const again = await runAlertChecks(t.knex, t.services.config, now);
      expect(await t.knex('odx.alerts').whereIn('id', again).where({ kind: 'leak_watch' })).to.deep.equal([]);
    });

    it('raises a shape alert when a grant filters on an item it never used, or switches to taking everything; none on its usual shape', async () => {
      const now = new Date('2026-12-09T06:00:00Z');
      const byCode = [{ column: 'credit_code', op: 'eq', value: '91350200MA2Y0K3L65' }];
      /** `count` reads under a grant at `at` with these filters (null: none), or downloads. */
      const reads = (grant: number, at: Date, count: number, filters: object[] | null, action = 'shared.rows') =>
        sharedReads(grant, t.deptA.id, at, count).map((r) => ({ ...r, action, detail: JSON.stringify(filters ? { grant, filters } : { grant, filters: [] }) }));
      const grants: number[] = [];
      for (let i = 0; i < 3; i++) {
        const g = Number((await requestBetween(t.knex, t.deptA, t.deptB, { to: 'granted' })).request.grant_id);
        grants.push(g);
        // the usual shape: 30 reads a day, each looking one enterprise up by its code; now and then an unfiltered page
        for (let d = 1; d <= 28; d++) await recordAudit(t.knex, [...reads(g, new Date(now.getTime() - d * 86_400_000), 30, byCode), ...(d % 7 === 0 ? reads(g, new Date(now.getTime() - d * 86_400_000 + 3_600_000), 1, null) : [])]);
      }
      const [usual, newItem, everything] = grants;
      const morning = new Date('2026-12-09T01:00:00Z');
      // today: the usual lookups; lookups by the legal person's name; pages of everything and downloads — all within the usual volume
      await recordAudit(t.knex, [...reads(usual, morning, 35, byCode), ...reads(usual, morning, 1, null)]);
      await recordAudit(t.knex, [...reads(newItem, morning, 10, byCode), ...reads(newItem, morning, 5, [{ column: 'legal_person', op: 'eq', value: '张三' }])]);
      await recordAudit(t.knex, [...reads(everything, morning, 5, byCode), ...reads(everything, morning, 20, null), ...reads(everything, morning, 5, null, 'shared.download')]);
      const raised = await runAlertChecks(t.knex, t.services.config, now);
      const alerts = (await t.knex('odx.alerts').whereIn('id', raised).where({ kind: 'leak_watch' })).sort((a, b) => Number(a.target_id) - Number(b.target_id));
      expect(alerts.map((a) => a.target_id), 'only the two that left their shape').to.deep.equal([String(newItem), String(everything)]);
      expect(alerts[0].detail).to.deep.equal({ signal: 'shape', day: '2026-12-09', reads: 15, newFilterItems: ['legal_person'], consumer: t.deptA.id, resourceId: alerts[0].detail.resourceId });
      expect(alerts[0]).to.include({ key: `leak_watch:shape:grant:${newItem}:2026-12-09`, department_id: t.deptB.id, target_type: 'grant' });
      // 25 of 30 reads took everything today; 4 of 844 did before
      expect(alerts[1].detail).to.include({ signal: 'shape', reads: 30, everythingToday: 25, everythingShareBefore: 0.005 });
      expect(alerts[1].detail).to.not.have.property('newFilterItems');
      expect(JSON.stringify(alerts.map((a) => a.detail)), 'no filter value in an alert').to.not.contain('张三');
      // the authority suspends the grant from a shape alert as from a volume one
      await request(t.app).post(`/api/v1/alerts/${alerts[1].id}/suspend-grant`).set(t.auth('authority')).send({ reason: '读取方式异常，暂停核查' }).expect(200);
      expect((await t.knex('odx.grants').where({ id: everything }).first('status')).status).to.equal('suspended');
      // checking again the same day raises nothing new
      const again = await runAlertChecks(t.knex, t.services.config, new Date(now.getTime() + 3_600_000));
      expect(await t.knex('odx.alerts').whereIn('id', again).where({ kind: 'leak_watch' })).to.deep.equal([]);
    });

    it('watches a developer account’s open-data reads too, and refuses to suspend a grant from an alert that names none', async () => {
      const open = await publishedResource(t.knex, t.deptB.uscc, { name: '开放的企业名录' });
      const dev = t.principals.developer.id;
      const now = new Date('2026-12-08T06:00:00Z');
      const reads = (at: Date, count: number) =>
        Array.from({ length: count }, (_, i) => ({ at: new Date(at.getTime() + i * 100), actor: 'a.developer', actorId: dev, departmentId: t.deptB.id, action: 'dataset.rows', targetType: 'resource', targetId: String(open.id), purpose: null, detail: '{}', rows: 10, requestId: null }));
      await recordAudit(t.knex, reads(new Date('2026-12-08T01:00:00Z'), 250));
      const raised = await runAlertChecks(t.knex, t.services.config, now);
      const [leak] = await t.knex('odx.alerts').whereIn('id', raised).where({ kind: 'leak_watch', target_type: 'account' });
      expect(leak).to.include({ target_id: String(dev), department_id: null });
      const res = await request(t.app).post(`/api/v1/alerts/${leak.id}/suspend-grant`).set(t.auth('authority')).send({ reason: '读取量异常' }).expect(409);
      expect(res.body.error.code).to.equal('state_conflict');
      // an officer does not see the authority's alerts
      await request(t.app).get(`/api/v1/alerts/${leak.id}`).set(t.auth('officer', 'B')).expect(403);
      await request(t.app).post(`/api/v1/alerts/${leak.id}/acknowledge`).set(t.auth('authority')).send({}).expect(200);
      await request(t.app).post(`/api/v1/alerts/${leak.id}/acknowledge`).set(t.auth('authority')).send({}).expect(409);
    });
  });
});
