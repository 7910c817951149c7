/**
 * A constructed history for the governance indicators: rows written straight into the history
 * tables with the instants they happened at, so each indicator has an answer worked out by hand
 * (test/integration/governance-indicators.test.ts). Current state (the resources' own status
 * columns, the requests' state) is deliberately set to something else, so an indicator that read
 * current state instead of history would give another answer.
 */
import type { Knex } from 'knex';
import { chainPending, recordAudit } from '../../server/src/audit/chain.ts';
import type { Dept } from './app.ts';

const at = (iso: string) => new Date(iso);

export interface History {
  systems: { s1: number; s2: number; s3: number };
  resources: { r1: number; r2: number; r3: number; r4: number };
  grants: { g0: number; g1: number; g2: number };
}

function resourceDoc(name: string, items: number, over: Record<string, unknown>) {
  return {
    name,
    items: Array.from({ length: items }, (_, i) => ({ name: `f${i}`, label: `项${i}`, type: 'C', required: i === 0 })),
    updateCycle: 'monthly',
    openType: 'closed',
    format: { type: 'file' },
    ...over,
  };
}

async function hist(knex: Knex, kind: 'system' | 'resource' | 'demand', docId: number, version: number, action: string, status: string, when: string, doc?: unknown) {
  await knex('odx.census_history').insert({ kind, doc_id: docId, version, action, status, doc: doc === undefined ? null : JSON.stringify(doc), actor: 'system:test', at: at(when) });
}

async function system(knex: Knex, dept: number, name: string, created: string): Promise<number> {
  const [row] = await knex('odx.systems').insert({ department_id: dept, name, doc: JSON.stringify({ name }) }).returning('id');
  await hist(knex, 'system', row.id, 1, 'create', 'active', created, { name });
  return Number(row.id);
}

/** A resource row whose current columns say "retired, nothing loaded": only its history tells the truth. */
async function resource(knex: Knex, dept: number, code: string): Promise<number> {
  const [row] = await knex('odx.resources')
    .insert({
      department_id: dept,
      status: 'retired',
      doc: JSON.stringify({ name: '当前状态' }),
      name: '当前状态',
      category: '102',
      share_type: 'unconditional',
      open_type: 'closed',
      format_type: 'file',
      update_cycle: 'irregular',
      search: knex.raw(`''::tsvector`),
      code,
    })
    .returning('id');
  return Number(row.id);
}

async function publishes(knex: Knex, id: number, version: number, days: [string, string, string, string], doc: unknown) {
  await hist(knex, 'resource', id, version, 'create', 'draft', days[0], doc);
  await hist(knex, 'resource', id, version, 'submit', 'submitted', days[1]);
  await hist(knex, 'resource', id, version, 'approve', 'approved', days[2]);
  await hist(knex, 'resource', id, version, 'publish', 'published', days[3]);
}

async function load(knex: Knex, resourceId: number, finished: string, state: string, rowsRead: number, rejected: number, rules: string[]): Promise<number> {
  const [row] = await knex('odx.loads')
    .insert({ resource_id: resourceId, state, mode: 'replace', options: '{}', actor: 'system:test', host: 'test', pid: 1, rows_read: rowsRead, rejected, created_at: at(finished), finished_at: at(finished) })
    .returning('id');
  for (const [n, rule] of rules.entries()) await knex('odx.load_rejects').insert({ load_id: row.id, n, record: n + 1, rule, message: rule });
  return Number(row.id);
}

async function version(knex: Knex, resourceId: number, v: number, created: string, rows: number, items: number, loadId: number) {
  await knex('odx.resource_versions').insert({
    resource_id: resourceId,
    version: v,
    table_name: `data.r${resourceId}_v${v}`,
    items: JSON.stringify(Array.from({ length: items }, (_, i) => ({ name: `f${i}` }))),
    rows,
    profile: '{}',
    load_id: loadId,
    created_at: at(created),
  });
}

interface Step {
  step: string;
  from: string | null;
  to: string;
  at: string;
  automatic?: boolean;
  late?: boolean;
}

async function shareRequest(knex: Knex, consumer: number, provider: number, resourceId: number, submitted: string, steps: Step[], current: { state: string; reason?: string }): Promise<number> {
  const [row] = await knex('odx.share_requests')
    .insert({
      consumer_department_id: consumer,
      provider_department_id: provider,
      resource_id: resourceId,
      resource_code: 'x',
      doc: '{}',
      share_type: 'conditional',
      access_mode: 'query',
      data_on_platform: true,
      state: current.state,
      reason: current.reason ?? null,
      stage_started_at: at(submitted),
      submitted_at: at(submitted),
    })
    .returning('id');
  for (const s of steps) {
    await knex('odx.share_request_steps').insert({
      request_id: row.id,
      step: s.step,
      from_state: s.from,
      to_state: s.to,
      at: at(s.at),
      actor: s.automatic ? 'system:auto-compliance' : 'principal:x',
      automatic: s.automatic ?? false,
      late: s.late ?? null,
    });
  }
  return Number(row.id);
}

async function grant(knex: Knex, requestId: number, consumer: number, provider: number, resourceId: number, mode: string, starts: string, status: { status: string; at?: string }): Promise<number> {
  const [row] = await knex('odx.grants')
    .insert({
      request_id: requestId,
      consumer_department_id: consumer,
      provider_department_id: provider,
      resource_id: resourceId,
      mode,
      items: ['f0'],
      rate_limit: 60,
      starts_at: at(starts),
      decided_by: 'provider',
      status: status.status,
      status_at: status.at ? at(status.at) : null,
      created_at: at(starts),
    })
    .returning('id');
  await knex('odx.share_requests').where({ id: requestId }).update({ grant_id: row.id });
  return Number(row.id);
}

/**
 * A conditional open-data application for R4 and how it ended: its current row is final, so an
 * as-of date before `answered` must read it as still waiting.
 */
async function application(knex: Knex, developer: number, provider: number, resourceId: number, submitted: string, end: { state: 'granted' | 'refused' | 'withdrawn' | 'provider_review'; at?: string; late?: boolean }): Promise<void> {
  const decided = end.state === 'granted' || end.state === 'refused';
  const [row] = await knex('odx.open_applications')
    .insert({
      developer_id: developer,
      resource_id: resourceId,
      resource_code: '102/000004',
      provider_department_id: provider,
      doc: JSON.stringify({ purpose: '历史申请' }),
      access_mode: 'query',
      // a granted one names its grant, made below: it waits until then
      state: end.state === 'granted' ? 'provider_review' : end.state,
      limit_days: 5,
      due_at: end.state === 'provider_review' || end.state === 'granted' ? at(submitted) : null,
      reason: end.state === 'refused' ? '用途不明' : null,
      submitted_at: at(submitted),
      decided_at: decided ? at(end.at!) : null,
      late: decided ? end.late : null,
      created_at: at(submitted),
      updated_at: at(end.at ?? submitted),
    })
    .returning('id');
  if (end.state !== 'granted') return;
  // one grant in force per developer, resource and mode: earlier approvals' grants have ended
  const [g] = await knex('odx.grants')
    .insert({
      application_id: row.id, developer_id: developer, provider_department_id: provider, resource_id: resourceId, mode: 'query', items: ['f0'], rate_limit: 60,
      starts_at: at(end.at!), decided_by: 'provider', status: 'revoked', status_at: at(end.at!), created_at: at(end.at!),
    })
    .returning('id');
  await knex('odx.open_applications').where({ id: row.id }).update({ state: 'granted', due_at: null, grant_id: g.id });
}

async function demand(knex: Knex, dept: number, steps: [string, string, string][]): Promise<void> {
  const [row] = await knex('odx.demands').insert({ department_id: dept, name: '历史需求', status: 'open', doc: JSON.stringify({ name: '历史需求' }) }).returning('id');
  for (const [action, status, when] of steps) await hist(knex, 'demand', Number(row.id), 1, action, status, when, action === 'create' ? { name: '历史需求' } : undefined);
}

async function events(knex: Knex, list: { action: string; at: string; dept: number; resourceId: number; detail?: Record<string, unknown>; actorId?: number }[]) {
  await recordAudit(
    knex,
    list.map((e) => ({
      at: at(e.at),
      actor: e.actorId ? `principal:${e.actorId}` : 'anonymous',
      actorId: e.actorId ?? null,
      departmentId: e.dept,
      action: e.action,
      targetType: 'resource',
      targetId: String(e.resourceId),
      purpose: null,
      detail: JSON.stringify(e.detail ?? {}),
      rows: 1,
      requestId: null,
    })),
  );
  await chainPending(knex, { wait: true });
}

/**
 * Departments A and B (created 2026-01-01) and C (created 2026-10-20, reports nothing).
 * Times are UTC; 02:00Z is 10:00 in Shanghai.
 */
export async function buildHistory(knex: Knex, a: Dept, b: Dept, c: Dept): Promise<History> {
  await knex('odx.departments').whereIn('id', [a.id, b.id]).update({ created_at: at('2026-01-01T00:00:00Z') });
  await knex('odx.departments').where({ id: c.id }).update({ created_at: at('2026-10-20T02:00:00Z') });

  const s1 = await system(knex, a.id, '甲系统一', '2026-09-01T02:00:00Z');
  const s2 = await system(knex, a.id, '甲系统二', '2026-10-10T02:00:00Z');
  const s3 = await system(knex, b.id, '乙系统', '2026-09-01T02:00:00Z');

  // R1 (A): open spreadsheet, monthly, fed by S1; loaded 09-06 and 10-20; retired 11-10
  const r1 = await resource(knex, a.id, '102/000001');
  await publishes(knex, r1, 1, ['2026-09-02T02:00:00Z', '2026-09-03T02:00:00Z', '2026-09-04T02:00:00Z', '2026-09-05T02:00:00Z'],
    resourceDoc('企业登记信息', 2, { openType: 'open', format: { type: 'spreadsheet' }, domain: 'transport', sourceSystem: s1 }));
  const l1 = await load(knex, r1, '2026-09-06T02:00:00Z', 'succeeded', 100, 0, []);
  await version(knex, r1, 1, '2026-09-06T02:00:00Z', 100, 2, l1);
  const l2 = await load(knex, r1, '2026-10-20T02:00:00Z', 'succeeded', 130, 10, ['required', 'required', 'required', 'required', 'duplicate-key', 'duplicate-key', 'duplicate-key', 'type', 'type', 'type']);
  await version(knex, r1, 2, '2026-10-20T02:00:00Z', 120, 2, l2);
  await hist(knex, 'resource', r1, 1, 'retire', 'retired', '2026-11-10T02:00:00Z');

  // R2 (A): closed file, weekly, never loaded; revised to four items and published again in November
  const r2 = await resource(knex, a.id, '102/000002');
  await publishes(knex, r2, 1, ['2026-09-10T02:00:00Z', '2026-09-11T02:00:00Z', '2026-09-11T03:00:00Z', '2026-09-12T02:00:00Z'], resourceDoc('许可信息', 3, { updateCycle: 'weekly' }));
  await hist(knex, 'resource', r2, 2, 'revise', 'draft', '2026-11-05T02:00:00Z', resourceDoc('许可信息', 4, { updateCycle: 'weekly' }));
  await hist(knex, 'resource', r2, 2, 'submit', 'submitted', '2026-11-05T03:00:00Z');
  await hist(knex, 'resource', r2, 2, 'approve', 'approved', '2026-11-05T04:00:00Z');
  await hist(knex, 'resource', r2, 2, 'publish', 'published', '2026-11-06T02:00:00Z');

  // R3 (A): a draft only
  const r3 = await resource(knex, a.id, '102/000003');
  await hist(knex, 'resource', r3, 1, 'create', 'draft', '2026-10-15T02:00:00Z', resourceDoc('草稿资源', 1, {}));

  // R4 (B): a service interface open on conditions, daily; one failed load in October
  const r4 = await resource(knex, b.id, '102/000004');
  await publishes(knex, r4, 1, ['2026-09-01T02:00:00Z', '2026-09-01T03:00:00Z', '2026-09-01T04:00:00Z', '2026-09-02T02:00:00Z'],
    resourceDoc('检测接口', 2, { openType: 'conditional', format: { type: 'service' }, domain: 'health', updateCycle: 'daily' }));
  await load(knex, r4, '2026-10-25T02:00:00Z', 'failed', 50, 50, ['type', 'type']);

  // requests from B to A. Q0 (June) is outside October but its grant G0 is in force
  const q0 = await shareRequest(knex, b.id, a.id, r2, '2026-06-01T02:00:00Z', [{ step: 'check', from: 'submitted', to: 'granted', at: '2026-06-01T02:00:01Z', automatic: true }], { state: 'granted' });
  const q1 = await shareRequest(knex, b.id, a.id, r1, '2026-10-09T02:00:00Z', [{ step: 'check', from: 'submitted', to: 'granted', at: '2026-10-09T02:00:01Z', automatic: true }], { state: 'granted' });
  const q2 = await shareRequest(knex, b.id, a.id, r1, '2026-10-12T02:00:00Z', [
    { step: 'check', from: 'submitted', to: 'provider_review', at: '2026-10-12T02:00:01Z', automatic: true },
    { step: 'approve', from: 'provider_review', to: 'granted', at: '2026-10-14T02:00:00Z', late: false },
  ], { state: 'granted' });
  await shareRequest(knex, b.id, a.id, r1, '2026-10-13T02:00:00Z', [
    { step: 'check', from: 'submitted', to: 'provider_review', at: '2026-10-13T02:00:01Z', automatic: true },
    { step: 'refuse', from: 'provider_review', to: 'refused', at: '2026-10-23T02:00:00Z', late: true },
    { step: 'dispute', from: 'refused', to: 'disputed', at: '2026-10-26T02:00:00Z' },
    { step: 'deny', from: 'disputed', to: 'denied', at: '2026-11-03T02:00:00Z', late: false },
  ], { state: 'denied', reason: '依据不足' });
  await shareRequest(knex, b.id, a.id, r1, '2026-10-20T02:00:00Z', [
    { step: 'check', from: 'submitted', to: 'provider_review', at: '2026-10-20T02:00:01Z', automatic: true },
    { step: 'approve', from: 'provider_review', to: 'granted', at: '2026-11-02T02:00:00Z', late: false },
  ], { state: 'granted' });

  const g0 = await grant(knex, q0, b.id, a.id, r2, 'query', '2026-06-01T02:00:01Z', { status: 'active' });
  const g1 = await grant(knex, q1, b.id, a.id, r1, 'query', '2026-10-09T02:00:01Z', { status: 'active' });
  const g2 = await grant(knex, q2, b.id, a.id, r1, 'download', '2026-10-14T02:00:00Z', { status: 'revoked', at: '2026-11-15T02:00:00Z' });

  // share demands of B: D1 raised 10-02 and fulfilled 10-20, D2 raised 10-03 and unfulfillable 11-04; D3 of A raised 11-10.
  // Their current status is set to 'open', so a count that read it instead of history would differ.
  await demand(knex, b.id, [['create', 'open', '2026-10-02T02:00:00Z'], ['share_submit', 'requested', '2026-10-05T02:00:00Z'], ['share_grant', 'fulfilled', '2026-10-20T02:00:00Z']]);
  await demand(knex, b.id, [['create', 'open', '2026-10-03T02:00:00Z'], ['unfulfillable', 'unfulfillable', '2026-11-04T02:00:00Z']]);
  await demand(knex, a.id, [['create', 'open', '2026-11-10T02:00:00Z']]);

  // a developer registered 09-20 reads R1 twice in October
  const [dev] = await knex('odx.principals').insert({ login: 'hist.developer', display_name: '历史开发者', roles: ['developer'], created_at: at('2026-09-20T02:00:00Z') }).returning('id');

  // applications for R4 (B, conditional): approved in time, refused late, approved late after October, withdrawn; one in November waits
  const devId = Number(dev.id);
  await application(knex, devId, b.id, r4, '2026-10-10T02:00:00Z', { state: 'granted', at: '2026-10-12T02:00:00Z', late: false });
  await application(knex, devId, b.id, r4, '2026-10-15T02:00:00Z', { state: 'refused', at: '2026-10-30T02:00:00Z', late: true });
  await application(knex, devId, b.id, r4, '2026-10-20T02:00:00Z', { state: 'granted', at: '2026-11-05T02:00:00Z', late: true });
  await application(knex, devId, b.id, r4, '2026-10-22T02:00:00Z', { state: 'withdrawn', at: '2026-10-24T02:00:00Z' });
  await application(knex, devId, b.id, r4, '2026-11-03T02:00:00Z', { state: 'provider_review' });

  await events(knex, [
    { action: 'shared.rows', at: '2026-07-01T02:00:00Z', dept: a.id, resourceId: r2, detail: { grant: g0 } },
    { action: 'shared.rows', at: '2026-11-20T02:00:00Z', dept: a.id, resourceId: r2, detail: { grant: g0 } },
    { action: 'dataset.download', at: '2026-09-15T02:00:00Z', dept: a.id, resourceId: r1 },
    { action: 'dataset.download', at: '2026-10-05T02:00:00Z', dept: a.id, resourceId: r1 },
    { action: 'dataset.download', at: '2026-10-28T02:00:00Z', dept: a.id, resourceId: r1, actorId: Number(dev.id) },
    { action: 'dataset.rows', at: '2026-10-06T02:00:00Z', dept: a.id, resourceId: r1, actorId: Number(dev.id) },
    { action: 'dataset.rows', at: '2026-10-06T03:00:00Z', dept: a.id, resourceId: r1 },
    { action: 'dataset.rows', at: '2026-10-07T02:00:00Z', dept: a.id, resourceId: r1 },
    { action: 'dataset.datastore_search', at: '2026-10-08T02:00:00Z', dept: a.id, resourceId: r1 },
    // 01:00 on 1 November in Shanghai: November's, not October's
    { action: 'dataset.download', at: '2026-10-31T17:00:00Z', dept: a.id, resourceId: r1 },
  ]);
  return { systems: { s1, s2, s3 }, resources: { r1, r2, r3, r4 }, grants: { g0, g1, g2 } };
}
