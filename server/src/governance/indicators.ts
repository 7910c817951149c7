/**
 * The governance indicators (docs/indicators.md holds each one's definition). Every figure is
 * computed from history as it stood at `asOf` — census document history, data versions, loads
 * and their rejects, share-request steps, grants and the audit chain — never from a record's
 * current state, so the same window always gives the same answer whatever changed since. Flows
 * (loads, requests, downloads) count what happened in [from, to); stocks (registered, published,
 * in force) are taken at `asOf`. Names shown beside codes come from the documents as of `asOf` too.
 */
import type { Knex } from 'knex';
import { workCalendar } from '../sharing/clock.ts';
import { daysBetween } from './period.ts';

export interface IndicatorWindow {
  asOf: Date;
  from: Date;
  to: Date;
  /** Days a resource may be late against its update cycle before it counts as stale. */
  graceDays: number;
}

/** Days each declared update cycle allows between loads; 不定期 (irregular) has no cycle. */
export const CYCLE_DAYS: Readonly<Record<string, number>> = { realtime: 1, daily: 1, weekly: 7, monthly: 31, quarterly: 92, semiannual: 183, yearly: 366 };

/** Formats a person can process without retyping: spreadsheets, databases, self-describing files and service interfaces. */
export const MACHINE_READABLE = ['spreadsheet', 'database', 'self_describing', 'service'];

/** Weights of the quality score's dimensions (规范性 / 完整性 / 一致性), in docs/indicators.md. */
export const QUALITY_WEIGHTS = { validity: 0.6, completeness: 0.2, uniqueness: 0.2 };

export interface StaleResource {
  resourceId: number;
  code: string | null;
  name: string;
  updateCycle: string;
  lastLoadAt: string | null;
  daysOverdue: number;
}

export interface ResourceQuality {
  resourceId: number;
  code: string | null;
  name: string;
  loads: number;
  rowsRead: number;
  rowsRejected: number;
  requiredNulls: number;
  duplicateKeys: number;
  score: number | null;
}

export interface DatasetUsage {
  resourceId: number;
  code: string | null;
  month: string;
  downloads: number;
  apiCalls: number;
}

export interface Indicators {
  census: {
    departments: number;
    departmentsReporting: number;
    systems: number;
    resources: number;
    items: number;
    systemsWithResource: number;
    systemsWithResourceShare: number | null;
    published: number;
    linked: number;
    linkRate: number | null;
  };
  timeliness: { withCycle: number; onTime: number; onTimeRate: number | null; stale: StaleResource[] };
  quality: {
    loads: number;
    rowsRead: number;
    rowsRejected: number;
    rejectedPerLoad: number | null;
    requiredNulls: number;
    duplicateKeys: number;
    score: number | null;
    resources: ResourceQuality[];
    /** Error reports (校核纠错) on the department's data made in the window, and how they stood at asOf. */
    errorReports: number;
    errorReportsAnswered: number;
    errorReportsInTime: number;
    errorReportInTimeRate: number | null;
    errorReportsFixed: number;
    errorReportsRejected: number;
    /** Reports open at asOf, whenever made, and of those the ones past their deadline. */
    errorReportsOpen: number;
    errorReportsOverdue: number;
  };
  sharing: {
    received: number;
    made: number;
    realTime: number;
    realTimeRate: number | null;
    answered: number;
    answeredInTime: number;
    inTimeRate: number | null;
    medianAnswerDays: number | null;
    refused: number;
    disputes: number;
    disputesGranted: number;
    disputesDenied: number;
    disputesWithdrawn: number;
    disputesOpen: number;
    grantsInForce: number;
    grantsUnused90: number;
    /** Share demands (共享需求) registered by asOf, by the requesting department, as their status stood at asOf. */
    demands: number;
    demandsFulfilled: number;
    demandsUnfulfillable: number;
    /** 需求满足率: fulfilled of demands registered. */
    demandFulfilmentRate: number | null;
  };
  open: {
    datasets: number;
    capacity: number;
    machineReadable: number;
    machineReadableShare: number | null;
    domains: number;
    departmentsCovered: number;
    downloads: number;
    apiCalls: number;
    usage: DatasetUsage[];
    /** Developer accounts registered by asOf (city only: developers belong to no department; null for a department). */
    developers: number | null;
    /** Developer accounts that read these open datasets in the window. */
    developersActive: number;
    /** Applications for conditionally open data (有条件开放) submitted in the window, as they stood at asOf. */
    applications: number;
    applicationsApproved: number;
    applicationsRefused: number;
    applicationsWithdrawn: number;
    /** Approved or refused before the working-day deadline. */
    applicationsAnsweredInTime: number;
    /** Answered in time, of those answered (approved or refused) by asOf. */
    applicationInTimeRate: number | null;
  };
}

/** The figures without the per-resource lists: what the trend and the evaluation read from snapshots. */
export interface IndicatorFigures {
  census: Indicators['census'];
  timeliness: Omit<Indicators['timeliness'], 'stale'>;
  quality: Omit<Indicators['quality'], 'resources'>;
  sharing: Indicators['sharing'];
  open: Omit<Indicators['open'], 'usage'>;
}

export interface DepartmentIndicators extends Indicators {
  department: { id: number; name: string };
}

export interface IndicatorReport {
  asOf: string;
  from: string;
  to: string;
  graceDays: number;
  /** The whole city; null when the caller reaches only their own department. */
  city: Indicators | null;
  departments: DepartmentIndicators[];
}

/** One scalar figure of the indicators by its key (`area.name`), as the exports and the evaluation name it. */
export function figure(x: IndicatorFigures, key: string): number | null {
  const [area, name] = key.split('.') as [keyof IndicatorFigures, string];
  const v = (x[area] as unknown as Record<string, unknown>)[name];
  return typeof v === 'number' ? v : null;
}

/** A share rounded to four places; null when nothing was there to count. */
export function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

/** The quality score (0–100, one decimal) of counts summed over loads; null without rows read. */
export function qualityScore(rowsRead: number, rejected: number, requiredNulls: number, duplicateKeys: number): number | null {
  if (rowsRead === 0) return null;
  const part = (n: number) => Math.max(0, 1 - n / rowsRead);
  const s = QUALITY_WEIGHTS.validity * part(rejected) + QUALITY_WEIGHTS.completeness * part(requiredNulls) + QUALITY_WEIGHTS.uniqueness * part(duplicateKeys);
  return Math.round(s * 1000) / 10;
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** A census document (system or resource) as it stood at `asOf`. */
/** The rows of one statement with named bindings. */
async function rowsOf<T>(knex: Knex, sql: string, bindings: Record<string, unknown>): Promise<T[]> {
  return (await knex.raw(sql, bindings as Knex.ValueDict)).rows;
}

interface CensusRow {
  kind: 'system' | 'resource';
  id: number;
  status: string;
  department_id: number;
  doc: Record<string, any>;
  code: string | null;
  pub_action: string | null;
  pub_at: Date | null;
  published_doc: Record<string, any> | null;
  last_load: Date | null;
  data_rows: string | null;
  data_items: number | null;
}

function censusAsOf(knex: Knex, t: Date): Promise<CensusRow[]> {
  return rowsOf(knex, `with last as (
         select distinct on (kind, doc_id) kind, doc_id, status from odx.census_history
         where at < :t and kind in ('system', 'resource') order by kind, doc_id, id desc
       ), doc as (
         select distinct on (kind, doc_id) kind, doc_id, doc from odx.census_history
         where at < :t and doc is not null and kind in ('system', 'resource') order by kind, doc_id, id desc
       ), pub as (
         select distinct on (doc_id) doc_id, action, version, at from odx.census_history
         where at < :t and kind = 'resource' and action in ('publish', 'retire') order by doc_id, id desc
       )
       select l.kind, l.doc_id::int as id, l.status, coalesce(r.department_id, s.department_id)::int as department_id, d.doc, r.code,
         p.action as pub_action, p.at as pub_at,
         (select h.doc from odx.census_history h
           where h.kind = 'resource' and h.doc_id = l.doc_id and h.doc is not null and h.version = p.version and h.at < :t
           order by h.id desc limit 1) as published_doc,
         v.created_at as last_load, v.rows as data_rows, v.items as data_items
       from last l
       join doc d on d.kind = l.kind and d.doc_id = l.doc_id
       left join odx.resources r on l.kind = 'resource' and r.id = l.doc_id
       left join odx.systems s on l.kind = 'system' and s.id = l.doc_id
       left join pub p on l.kind = 'resource' and p.doc_id = l.doc_id
       left join lateral (
         select v.created_at, v.rows, jsonb_array_length(v.items) as items from odx.resource_versions v
         where l.kind = 'resource' and v.resource_id = l.doc_id and v.created_at < :t
         order by v.created_at desc limit 1
       ) v on true`, { t });
}

interface LoadRow {
  resource_id: number;
  rows_read: string;
  rejected: string;
  required_nulls: string;
  duplicate_keys: string;
}

function loadsIn(knex: Knex, w: IndicatorWindow): Promise<LoadRow[]> {
  return rowsOf(knex, `select l.resource_id::int as resource_id, coalesce(l.rows_read, 0) as rows_read, coalesce(l.rejected, 0) as rejected,
         (select count(*) from odx.load_rejects j where j.load_id = l.id and j.rule = 'required') as required_nulls,
         (select count(*) from odx.load_rejects j where j.load_id = l.id and j.rule = 'duplicate-key') as duplicate_keys
       from odx.loads l
       where l.state in ('succeeded', 'failed') and l.finished_at >= :from and l.finished_at < :to and l.finished_at < :t`, { from: w.from, to: w.to, t: w.asOf });
}

interface RequestRow {
  consumer: number;
  provider: number;
  submitted_at: Date;
  steps: { step: string; to: string; at: string; automatic: boolean; late: boolean | null }[] | null;
}

function requestsIn(knex: Knex, w: IndicatorWindow): Promise<RequestRow[]> {
  return rowsOf(knex, `select q.consumer_department_id::int as consumer, q.provider_department_id::int as provider, q.submitted_at,
         (select json_agg(json_build_object('step', s.step, 'to', s.to_state, 'at', s.at, 'automatic', s.automatic, 'late', s.late) order by s.at, s.id)
            from odx.share_request_steps s where s.request_id = q.id and s.at < :t) as steps
       from odx.share_requests q
       where q.submitted_at >= :from and q.submitted_at < :to and q.submitted_at < :t`, { from: w.from, to: w.to, t: w.asOf });
}

interface GrantRow {
  provider: number;
  consumer: number;
  used: boolean;
}

/** Grants in force at `asOf` (active or suspended: revocation and supersession are final), and whether one in force 90 days was read in them. */
function grantsInForce(knex: Knex, t: Date): Promise<(GrantRow & { old: boolean })[]> {
  const since = new Date(t.getTime() - 90 * 86_400_000);
  return rowsOf(knex, `select g.provider_department_id::int as provider, g.consumer_department_id::int as consumer, g.starts_at <= :since as old,
         exists (select 1 from odx.audit_events e
           where e.target_type = 'resource' and e.target_id = g.resource_id::text and e.action like 'shared.%'
             and e.detail->>'grant' = g.id::text and e.at >= :since and e.at < :t) as used
       from odx.grants g
       -- grants on open-data applications are held by developers, not departments: not sharing
       where g.consumer_department_id is not null and g.created_at < :t and g.starts_at < :t and (g.ends_at is null or g.ends_at > :t)
         and not (g.status in ('revoked', 'superseded') and g.status_at < :t)`, { t, since });
}

interface UsageRow {
  resource_id: number;
  department_id: number;
  month: string;
  downloads: string;
  api_calls: string;
}

function openUsage(knex: Knex, w: IndicatorWindow): Promise<UsageRow[]> {
  return rowsOf(knex, `select e.target_id::int as resource_id, e.department_id::int as department_id, to_char(e.at at time zone 'Asia/Shanghai', 'YYYY-MM') as month,
         count(*) filter (where e.action = 'dataset.download') as downloads,
         count(*) filter (where e.action in ('dataset.rows', 'dataset.datastore_search')) as api_calls
       from odx.audit_events e
       where e.action in ('dataset.download', 'dataset.rows', 'dataset.datastore_search')
         and e.at >= :from and e.at < :to and e.at < :t
       group by 1, 2, 3 order by 3, 1`, { from: w.from, to: w.to, t: w.asOf });
}

interface ErrorReportRow {
  provider: number;
  in_window: boolean;
  answered_at: Date | null;
  due_at: Date;
  state: string;
  fixed_at: Date | null;
}

/** Error reports made before asOf that were made in the window or still open at asOf (their timestamps never change once set). */
function errorReportsIn(knex: Knex, w: IndicatorWindow): Promise<ErrorReportRow[]> {
  return rowsOf(knex, `select e.provider_department_id::int as provider, (e.created_at >= :from and e.created_at < :to) as in_window,
         case when e.answered_at < :t then e.answered_at end as answered_at, e.due_at, e.state, case when e.fixed_at < :t then e.fixed_at end as fixed_at
       from odx.error_reports e
       where e.created_at < :t and ((e.created_at >= :from and e.created_at < :to) or e.answered_at is null or e.answered_at >= :t)`, { from: w.from, to: w.to, t: w.asOf });
}

interface DemandRow {
  department_id: number;
  status: string;
}

/** Share demands as their status stood at asOf (from their history), with the requesting department. */
function demandsAsOf(knex: Knex, t: Date): Promise<DemandRow[]> {
  return rowsOf(knex, `select d.department_id::int as department_id, h.status
       from (select distinct on (doc_id) doc_id, status from odx.census_history where kind = 'demand' and at < :t order by doc_id, id desc) h
       join odx.demands d on d.id = h.doc_id`, { t });
}

interface DeveloperRow {
  registered: string;
  active: { whole: number; department_id: number | null; developers: string }[] | null;
}

/** Developer accounts registered by asOf, and those reading each department's open datasets in the window. */
async function developersIn(knex: Knex, w: IndicatorWindow): Promise<{ registered: number; active: Map<number | 'city', number> }> {
  const [row] = await rowsOf<DeveloperRow>(knex, `select
       (select count(*) from odx.principals p where 'developer' = any(p.roles) and p.created_at < :t) as registered,
       (select json_agg(json_build_object('whole', x.whole, 'department_id', x.department_id, 'developers', x.n)) from (
          select grouping(e.department_id) as whole, e.department_id, count(distinct e.actor_id) as n
          from odx.audit_events e join odx.principals p on p.id = e.actor_id and 'developer' = any(p.roles)
          where e.action in ('dataset.download', 'dataset.rows', 'dataset.datastore_search') and e.at >= :from and e.at < :to and e.at < :t
          group by grouping sets ((e.department_id), ())) x) as active`, { from: w.from, to: w.to, t: w.asOf });
  // the grand total (every department together, `whole`) is the city's: a developer reading two departments counts once
  const active = new Map<number | 'city', number>();
  for (const a of row.active ?? []) if (a.whole || a.department_id !== null) active.set(a.whole ? 'city' : Number(a.department_id), Number(a.developers));
  return { registered: Number(row.registered), active };
}

interface ApplicationRow {
  provider: number;
  state: string;
  late: boolean | null;
}

/**
 * Conditional open-data applications submitted in the window, with the state each stood in at
 * asOf. An application changes state once (provider_review → granted, refused or withdrawn) and
 * records when: decided_at for an answer, updated_at for a withdrawal (nothing updates it later),
 * so an answer after asOf reads as still waiting.
 */
function applicationsIn(knex: Knex, w: IndicatorWindow): Promise<ApplicationRow[]> {
  return rowsOf(knex, `select a.provider_department_id::int as provider,
         case when a.state in ('granted', 'refused') and a.decided_at < :t then a.state
              when a.state = 'withdrawn' and a.updated_at < :t then a.state
              else 'provider_review' end as state,
         case when a.decided_at < :t then a.late end as late
       from odx.open_applications a
       where a.submitted_at >= :from and a.submitted_at < :to and a.submitted_at < :t`, { from: w.from, to: w.to, t: w.asOf });
}

/** Indicators with nothing counted. */
export function emptyIndicators(): Indicators {
  return {
    census: { departments: 0, departmentsReporting: 0, systems: 0, resources: 0, items: 0, systemsWithResource: 0, systemsWithResourceShare: null, published: 0, linked: 0, linkRate: null },
    timeliness: { withCycle: 0, onTime: 0, onTimeRate: null, stale: [] },
    quality: {
      loads: 0, rowsRead: 0, rowsRejected: 0, rejectedPerLoad: null, requiredNulls: 0, duplicateKeys: 0, score: null, resources: [],
      errorReports: 0, errorReportsAnswered: 0, errorReportsInTime: 0, errorReportInTimeRate: null, errorReportsFixed: 0, errorReportsRejected: 0, errorReportsOpen: 0, errorReportsOverdue: 0,
    },
    sharing: {
      received: 0, made: 0, realTime: 0, realTimeRate: null, answered: 0, answeredInTime: 0, inTimeRate: null, medianAnswerDays: null,
      refused: 0, disputes: 0, disputesGranted: 0, disputesDenied: 0, disputesWithdrawn: 0, disputesOpen: 0, grantsInForce: 0, grantsUnused90: 0,
      demands: 0, demandsFulfilled: 0, demandsUnfulfillable: 0, demandFulfilmentRate: null,
    },
    open: { datasets: 0, capacity: 0, machineReadable: 0, machineReadableShare: null, domains: 0, departmentsCovered: 0, downloads: 0, apiCalls: 0, usage: [], developers: null, developersActive: 0,
      applications: 0, applicationsApproved: 0, applicationsRefused: 0, applicationsWithdrawn: 0, applicationsAnsweredInTime: 0, applicationInTimeRate: null },
  };
}

const ANSWERS = ['granted', 'refused', 'rejected', 'denied'];

/**
 * The indicators of every department in `departments` (null: all departments that existed at
 * `asOf`) and, when `withCity`, of the whole city.
 */
export async function computeIndicators(knex: Knex, w: IndicatorWindow, departments: number[] | null, withCity: boolean): Promise<IndicatorReport> {
  const all: { id: number; name: string }[] = await knex('odx.departments').where('created_at', '<', w.asOf).orderBy('id').select(knex.raw('id::int as id'), 'name');
  const depts = departments ? all.filter((d) => departments.includes(d.id)) : all;
  const [census, loads, requests, grants, usage, reports] = await Promise.all([
    censusAsOf(knex, w.asOf),
    loadsIn(knex, w),
    requestsIn(knex, w),
    grantsInForce(knex, w.asOf),
    openUsage(knex, w),
    errorReportsIn(knex, w),
  ]);
  const [demands, developers, applications] = await Promise.all([demandsAsOf(knex, w.asOf), developersIn(knex, w), applicationsIn(knex, w)]);

  const city = emptyIndicators();
  const byDept = new Map(depts.map((d) => [d.id, emptyIndicators()]));
  /** The city and, when it is reported on, the department: where a department's counts go. */
  const both = (deptId: number): Indicators[] => {
    const d = byDept.get(deptId);
    return d ? [city, d] : [city];
  };
  city.census.departments = all.length;
  for (const d of byDept.values()) d.census.departments = 1;

  // census, timeliness and the open catalogue: documents as they stood at asOf
  const reporting = new Set<number>();
  const resourceName = new Map<number, { code: string | null; name: string }>();
  const usedSystems = new Set<number>();
  const systemDept = new Map<number, number>();
  const domains = new Map<Indicators, Set<string>>();
  const openDepts = new Set<number>();
  for (const row of census) {
    if (row.kind === 'system') {
      if (row.status === 'retired') continue;
      reporting.add(row.department_id);
      systemDept.set(row.id, row.department_id);
      for (const x of both(row.department_id)) x.census.systems++;
      continue;
    }
    resourceName.set(row.id, { code: row.code, name: String(row.doc.name) });
    if (row.status === 'retired') continue;
    reporting.add(row.department_id);
    if (typeof row.doc.sourceSystem === 'number') usedSystems.add(row.doc.sourceSystem);
    const published = row.pub_action === 'publish' && row.published_doc !== null;
    const pdoc = row.published_doc ?? {};
    const linked = published && (row.last_load !== null || pdoc.format?.type === 'service');
    const cycleDays = published ? CYCLE_DAYS[pdoc.updateCycle] : undefined;
    const reference = row.last_load ?? row.pub_at;
    const overdue = cycleDays !== undefined && reference ? daysBetween(new Date(reference), w.asOf) - cycleDays : 0;
    const open = published && pdoc.openType !== 'closed';
    if (open) openDepts.add(row.department_id);
    for (const x of both(row.department_id)) {
      x.census.resources++;
      x.census.items += Array.isArray(row.doc.items) ? row.doc.items.length : 0;
      if (published) x.census.published++;
      if (linked) x.census.linked++;
      if (cycleDays !== undefined) {
        x.timeliness.withCycle++;
        if (overdue <= w.graceDays) x.timeliness.onTime++;
        else {
          x.timeliness.stale.push({
            resourceId: row.id,
            code: row.code,
            name: String(pdoc.name),
            updateCycle: pdoc.updateCycle,
            lastLoadAt: row.last_load ? new Date(row.last_load).toISOString() : null,
            daysOverdue: overdue,
          });
        }
      }
      if (open) {
        x.open.datasets++;
        x.open.capacity += Number(row.data_rows ?? 0) * (row.data_items ?? 0);
        if (MACHINE_READABLE.includes(pdoc.format?.type)) x.open.machineReadable++;
        if (pdoc.domain) {
          if (!domains.has(x)) domains.set(x, new Set());
          domains.get(x)!.add(pdoc.domain);
        }
      }
    }
  }
  for (const [systemId, deptId] of systemDept) if (usedSystems.has(systemId)) for (const x of both(deptId)) x.census.systemsWithResource++;
  city.census.departmentsReporting = reporting.size;
  for (const [id, d] of byDept) d.census.departmentsReporting = reporting.has(id) ? 1 : 0;
  city.open.departmentsCovered = openDepts.size;
  for (const [id, d] of byDept) d.open.departmentsCovered = openDepts.has(id) ? 1 : 0;
  for (const [x, set] of domains) x.open.domains = set.size;

  // quality: loads finished in the window, per resource
  const perResource = new Map<number, { dept: number; q: ResourceQuality }>();
  const deptOfResource = new Map(census.filter((c) => c.kind === 'resource').map((c) => [c.id, c.department_id]));
  for (const l of loads) {
    const dept = deptOfResource.get(l.resource_id);
    if (dept === undefined) continue;
    const [read, rejected, nulls, dups] = [Number(l.rows_read), Number(l.rejected), Number(l.required_nulls), Number(l.duplicate_keys)];
    for (const x of both(dept)) {
      x.quality.loads++;
      x.quality.rowsRead += read;
      x.quality.rowsRejected += rejected;
      x.quality.requiredNulls += nulls;
      x.quality.duplicateKeys += dups;
    }
    let entry = perResource.get(l.resource_id);
    if (!entry) {
      const n = resourceName.get(l.resource_id)!;
      entry = { dept, q: { resourceId: l.resource_id, code: n.code, name: n.name, loads: 0, rowsRead: 0, rowsRejected: 0, requiredNulls: 0, duplicateKeys: 0, score: null } };
      perResource.set(l.resource_id, entry);
    }
    entry.q.loads++;
    entry.q.rowsRead += read;
    entry.q.rowsRejected += rejected;
    entry.q.requiredNulls += nulls;
    entry.q.duplicateKeys += dups;
  }
  for (const { dept, q } of [...perResource.values()].sort((a, b) => a.q.resourceId - b.q.resourceId)) {
    q.score = qualityScore(q.rowsRead, q.rowsRejected, q.requiredNulls, q.duplicateKeys);
    for (const x of both(dept)) x.quality.resources.push(q);
  }

  // error reports: those made in the window as they stood at asOf, and every one still open at asOf
  for (const e of reports) {
    for (const x of both(e.provider)) {
      if (e.answered_at === null) {
        x.quality.errorReportsOpen++;
        if (w.asOf.getTime() > new Date(e.due_at).getTime()) x.quality.errorReportsOverdue++;
      }
      if (!e.in_window) continue;
      x.quality.errorReports++;
      if (e.answered_at === null) continue;
      x.quality.errorReportsAnswered++;
      if (new Date(e.answered_at).getTime() < new Date(e.due_at).getTime()) x.quality.errorReportsInTime++;
      if (e.state === 'rejected') x.quality.errorReportsRejected++;
      if (e.fixed_at !== null) x.quality.errorReportsFixed++;
    }
  }

  // sharing: requests submitted in the window, as their steps stood at asOf
  const calendar = workCalendar();
  const answerDays = new Map<Indicators, number[]>();
  for (const r of requests) {
    const steps = r.steps ?? [];
    const state = steps.length ? steps[steps.length - 1].to : 'submitted';
    const answer = steps.findIndex((s) => ANSWERS.includes(s.to));
    const human = steps.some((s) => s.step !== 'submit' && !s.automatic);
    const disputed = steps.findIndex((s) => s.to === 'disputed');
    const outcome = disputed < 0 ? null : (steps.slice(disputed + 1).find((s) => ['granted', 'denied', 'withdrawn'].includes(s.to))?.to ?? 'open');
    const provider = both(r.provider);
    for (const x of provider) x.sharing.received++;
    for (const x of both(r.consumer)) x.sharing.made++;
    for (const x of provider) {
      if (state === 'granted' && !human) x.sharing.realTime++;
      if (answer >= 0) {
        x.sharing.answered++;
        if (!steps.slice(0, answer + 1).some((s) => s.late)) x.sharing.answeredInTime++;
        if (!answerDays.has(x)) answerDays.set(x, []);
        answerDays.get(x)!.push(calendar.workdaysBetween(new Date(r.submitted_at), new Date(steps[answer].at)));
      }
      if (steps.some((s) => s.step === 'refuse')) x.sharing.refused++;
      if (outcome) {
        x.sharing.disputes++;
        if (outcome === 'granted') x.sharing.disputesGranted++;
        else if (outcome === 'denied') x.sharing.disputesDenied++;
        else if (outcome === 'withdrawn') x.sharing.disputesWithdrawn++;
        else x.sharing.disputesOpen++;
      }
    }
  }
  for (const [x, days] of answerDays) x.sharing.medianAnswerDays = median(days);
  for (const g of grants) {
    for (const x of both(g.provider)) {
      x.sharing.grantsInForce++;
      if (g.old && !g.used) x.sharing.grantsUnused90++;
    }
  }

  // share demands by the requesting department
  for (const d of demands) {
    for (const x of both(d.department_id)) {
      x.sharing.demands++;
      if (d.status === 'fulfilled') x.sharing.demandsFulfilled++;
      if (d.status === 'unfulfillable') x.sharing.demandsUnfulfillable++;
    }
  }
  city.open.developers = developers.registered;
  city.open.developersActive = developers.active.get('city') ?? 0;
  for (const [id, x] of byDept) x.open.developersActive = developers.active.get(id) ?? 0;

  // conditional open data: applications by the providing department
  for (const a of applications) {
    for (const x of both(a.provider)) {
      x.open.applications++;
      if (a.state === 'granted') x.open.applicationsApproved++;
      if (a.state === 'refused') x.open.applicationsRefused++;
      if (a.state === 'withdrawn') x.open.applicationsWithdrawn++;
      if (a.late === false) x.open.applicationsAnsweredInTime++;
    }
  }

  // open data use: downloads and API calls from the audit chain
  for (const u of usage) {
    const [downloads, apiCalls] = [Number(u.downloads), Number(u.api_calls)];
    for (const x of both(u.department_id)) {
      x.open.downloads += downloads;
      x.open.apiCalls += apiCalls;
    }
    const entry = { resourceId: u.resource_id, code: resourceName.get(u.resource_id)?.code ?? null, month: u.month, downloads, apiCalls };
    for (const x of both(u.department_id)) x.open.usage.push(entry);
  }

  for (const x of [city, ...byDept.values()]) finish(x);
  return {
    asOf: w.asOf.toISOString(),
    from: w.from.toISOString(),
    to: w.to.toISOString(),
    graceDays: w.graceDays,
    city: withCity ? city : null,
    departments: depts.map((d) => ({ department: d, ...byDept.get(d.id)! })),
  };
}

/** The shares and scores derived from the counts. */
function finish(x: Indicators): void {
  x.census.systemsWithResourceShare = rate(x.census.systemsWithResource, x.census.systems);
  x.census.linkRate = rate(x.census.linked, x.census.published);
  x.timeliness.onTimeRate = rate(x.timeliness.onTime, x.timeliness.withCycle);
  x.timeliness.stale.sort((a, b) => b.daysOverdue - a.daysOverdue || a.resourceId - b.resourceId);
  x.quality.rejectedPerLoad = x.quality.loads ? Math.round((x.quality.rowsRejected / x.quality.loads) * 100) / 100 : null;
  x.quality.score = qualityScore(x.quality.rowsRead, x.quality.rowsRejected, x.quality.requiredNulls, x.quality.duplicateKeys);
  x.quality.errorReportInTimeRate = rate(x.quality.errorReportsInTime, x.quality.errorReportsAnswered);
  x.sharing.realTimeRate = rate(x.sharing.realTime, x.sharing.received);
  x.sharing.inTimeRate = rate(x.sharing.answeredInTime, x.sharing.answered);
  x.sharing.demandFulfilmentRate = rate(x.sharing.demandsFulfilled, x.sharing.demands);
  x.open.machineReadableShare = rate(x.open.machineReadable, x.open.datasets);
  x.open.applicationInTimeRate = rate(x.open.applicationsAnsweredInTime, x.open.applicationsApproved + x.open.applicationsRefused);
}
