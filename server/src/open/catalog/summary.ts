/**
 * The open catalogue in figures, for the portal's home page: how much is open, how much it is
 * used, the newest and the most-used datasets. Counts and names only, never a data value.
 */
import type { Knex } from 'knex';
import { openOnly } from './model.ts';

/** Reads of a dataset's data that count as use (the open rows API, downloads, the CKAN datastore). */
export const USE_ACTIONS = ['dataset.rows', 'dataset.download', 'dataset.datastore_search'];
const LIST = 6;
/** The figures change with every read: worked out at most once a minute per process. */
const TTL_MS = 60_000;

export interface SummaryDataset {
  code: string;
  name: string;
  department: { id: number; name: string };
  domain: string | null;
  rows: number | null;
  publishedAt: Date;
  /** Reads and downloads in the last 30 days (most-used only). */
  uses?: number;
}

export interface OpenSummary {
  datasets: number;
  departments: number;
  rows: number;
  /** Downloads since the first of this month, Asia/Shanghai. */
  downloadsThisMonth: number;
  newest: SummaryDataset[];
  mostUsed: SummaryDataset[];
}

const cache = new WeakMap<Knex, { at: number; summary: Promise<OpenSummary> }>();

export function openSummary(knex: Knex): Promise<OpenSummary> {
  const hit = cache.get(knex);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.summary;
  const summary = computeSummary(knex);
  cache.set(knex, { at: Date.now(), summary });
  summary.catch(() => cache.delete(knex));
  return summary;
}

const open = (knex: Knex) => openOnly(knex('odx.resources as r'));

function listed(knex: Knex) {
  return open(knex)
    .join('odx.departments as d', 'd.id', 'r.department_id')
    .select('r.code', knex.raw(`r.published_doc->>'name' as name`), knex.raw(`r.published_doc->>'domain' as domain`), 'r.data_rows', 'r.published_at', 'd.id as dept_id', 'd.name as dept_name');
}

function present(r: Record<string, any>): SummaryDataset {
  return {
    code: r.code,
    name: r.name,
    department: { id: Number(r.dept_id), name: r.dept_name },
    domain: r.domain ?? null,
    rows: r.data_rows === null ? null : Number(r.data_rows),
    publishedAt: r.published_at,
    ...(r.uses !== undefined ? { uses: Number(r.uses) } : {}),
  };
}

/** Audit events of these actions since a time: chained ones and those the chainer has not yet moved. */
function events(knex: Knex, actions: string[], since: Knex.Raw) {
  const from = (table: string) => knex(table).whereIn('action', actions).where('at', '>=', since).select('target_type', 'target_id');
  return from('odx.audit_events').unionAll(from('odx.audit_pending'), true);
}

async function computeSummary(knex: Knex): Promise<OpenSummary> {
  const monthStart = knex.raw(`date_trunc('month', now() at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai'`);
  const [totals, downloads, newest, mostUsed] = await Promise.all([
    open(knex).first(knex.raw('count(*) as datasets'), knex.raw('count(distinct r.department_id) as departments'), knex.raw('coalesce(sum(r.data_rows), 0) as rows')),
    knex.from(events(knex, ['dataset.download'], monthStart).as('e')).first(knex.raw('count(*) as n')),
    listed(knex).orderBy([{ column: 'r.published_at', order: 'desc' }, { column: 'r.id', order: 'desc' }]).limit(LIST),
    listed(knex)
      .join(
        knex.from(events(knex, USE_ACTIONS, knex.raw(`now() - interval '30 days'`)).as('e')).where('target_type', 'resource')
          .groupBy('target_id').select('target_id', knex.raw('count(*) as uses')).as('u'),
        'u.target_id', knex.raw('r.id::text'),
      )
      .select('u.uses')
      .orderBy([{ column: 'u.uses', order: 'desc' }, { column: 'r.id', order: 'asc' }])
      .limit(LIST),
  ]);
  return {
    datasets: Number(totals.datasets),
    departments: Number(totals.departments),
    rows: Number(totals.rows),
    downloadsThisMonth: Number(downloads.n),
    newest: newest.map(present),
    mostUsed: mostUsed.map(present),
  };
}
