/**
 * CKAN `datastore_search` on the row engine of the open data API (server/src/data/query.ts):
 * CKAN's parameters are translated into a row query — `filters` to `filter[col]` (lists to `in`),
 * `q` given per field to `contains`, `sort` to `sort`, `fields` to `fields` — and run by
 * `queryRows` over the masked view of the current version, so masking, typing and audit are the
 * rows API's own. `offset` walks keyset pages (cost grows with the offset, as CKAN's OFFSET does);
 * `_links.next` carries a keyset `cursor` as well, so a client that follows it pages at a constant cost.
 */
import type { Knex } from 'knex';
import type { Actor } from '../../audit/chain.ts';
import { parseRowQuery, queryRows, type RowQuery } from '../../data/query.ts';
import { auditRead } from '../../data/reads.ts';
import { dataView, type DataView } from '../../data/view.ts';
import { HttpError } from '../../http/errors.ts';
import type { Services } from '../../http/route.ts';
import { DOWNLOAD_FORMATS } from '../datapackage.ts';
import { maskRules, publishedItems } from '../catalog/model.ts';
import { CkanError, notFoundError, validationError } from './envelope.ts';
import { packageByIdOrName } from './package.ts';
import { bool, int, list, object, required, str, type Params } from './params.ts';

export const DATASTORE_MAX_LIMIT = 10_000;
export const DATASTORE_MAX_OFFSET = 1_000_000;

const CKAN_TYPES: Record<string, string> = { C: 'text', M: 'text', G: 'text', N: 'numeric', Y: 'numeric', I: 'int8', B: 'float8', F: 'float8', D: 'date', T: 'timestamp', L: 'bool' };

/** A dataset named by one of its resource ids (`{name}-{format}`), its id (the code) or its name. */
async function datasetOfResource(knex: Knex, ref: string) {
  const direct = await packageByIdOrName(knex, ref);
  if (direct) return direct;
  const m = new RegExp(`^(.+)-(${DOWNLOAD_FORMATS.join('|')})$`).exec(ref);
  return m ? packageByIdOrName(knex, m[1]) : undefined;
}

function text(v: unknown, field: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw validationError(field, 'values must be strings, numbers or booleans');
}

/** CKAN's parameters as the rows API's query string. */
function rowQueryInput(p: Params, shown: Set<string>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const known = (name: string, where: string) => {
    if (!shown.has(name)) throw new CkanError('Validation Error', `${where}: field "${name}" not in the datastore`, { [where]: [`field "${name}" not in the datastore`] });
    return name;
  };
  const fields = list(p, 'fields', 1000);
  raw.fields = (fields?.length ? fields.map((f) => known(f, 'fields')) : [...shown]).join(',');

  const filter: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(object(p, 'filters') ?? {})) {
    known(name, 'filters');
    if (Array.isArray(v)) {
      const values = v.map((x) => text(x, 'filters'));
      if (values.some((x) => x.includes(','))) throw validationError('filters', `a list value of "${name}" may not contain a comma`);
      filter[name] = { in: values.join(',') };
    } else if (v === null) filter[name] = { isnull: 'true' };
    else filter[name] = { eq: text(v, 'filters') };
  }
  const q = p.q;
  if (q !== undefined && q !== null && q !== '') {
    let byField: Record<string, unknown> | undefined;
    if (typeof q === 'string' && q.trim().startsWith('{')) byField = object(p, 'q');
    else if (typeof q === 'object' && !Array.isArray(q)) byField = q as Record<string, unknown>;
    if (!byField) {
      throw validationError('q', 'full-text search over all fields is not supported here; give q per field as {"field": "text"} (a substring match) or use filters');
    }
    for (const [name, v] of Object.entries(byField)) {
      known(name, 'q');
      const existing = filter[name] as Record<string, unknown> | undefined;
      filter[name] = { ...(existing ?? {}), contains: text(v, 'q') };
    }
  }
  if (Object.keys(filter).length) raw.filter = filter;

  const sort = str(p, 'sort');
  if (sort?.trim()) {
    raw.sort = sort
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => {
        const m = /^"?([^"\s]+)"?(?:\s+(asc|desc))?$/i.exec(s);
        if (!m) throw validationError('sort', `cannot read "${s}"`);
        return `${m[2]?.toLowerCase() === 'desc' ? '-' : ''}${known(m[1], 'sort')}`;
      })
      .join(',');
  }
  return raw;
}

/** The rows API's 400/403 as CKAN's Validation Error, naming each parameter problem. */
function asValidationError(err: unknown): never {
  if (err instanceof HttpError && (err.status === 400 || err.status === 403)) {
    // CKAN's envelope is English: a detail's message is read as its English text
    const details = Array.isArray(err.details) ? (err.details as { path: string; message: unknown }[]).map((d) => ({ path: d.path, message: String(d.message) })) : [];
    const fields: Record<string, string[]> = {};
    for (const d of details) {
      const key = d.path.split('/')[1] === 'filter' ? 'filters' : d.path.split('/')[1] || 'query';
      (fields[key] ??= []).push(d.message);
    }
    throw new CkanError('Validation Error', err.message + (details.length ? `: ${details.map((d) => d.message).join('; ')}` : ''), fields);
  }
  throw err;
}

/** Skips `offset` rows by walking keyset pages of one narrow column; returns the cursor after them. */
async function cursorAt(knex: Knex, view: DataView, q: RowQuery, offset: number): Promise<string | null | undefined> {
  let cursor: string | undefined;
  let left = offset;
  while (left > 0) {
    const step = Math.min(left, DATASTORE_MAX_LIMIT);
    const page = await queryRows(knex, view, { ...q, fields: [q.fields[0]], limit: step, cursor, count: 'none' });
    left -= page.items.length;
    if (!page.next) return null; // no row after these
    cursor = page.next;
  }
  return cursor;
}

function linkQuery(p: Params, extra: Record<string, string | number>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...p, ...extra })) {
    if (v === undefined || v === null || k === 'offset' || k === 'cursor') continue;
    qs.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  if (extra.offset !== undefined) qs.set('offset', String(extra.offset));
  if (extra.cursor !== undefined) qs.set('cursor', String(extra.cursor));
  return qs.toString();
}

/**
 * The `result` of datastore_search as JSON text: records are the row engine's JSON, spliced in
 * unparsed so numbers stay exact.
 */
export async function datastoreSearch(p: Params, services: Services, origin: { actor: Actor; requestId?: string }): Promise<string> {
  const { config } = services;
  const caller = origin.actor.kind === 'principal' && origin.actor.id !== undefined ? { id: origin.actor.id } : null;
  // the dataset, its current version and its rows as one replica snapshot sees them (db/replicas.ts)
  const { ds, view, query, items, next, total, offset, limit, format, includeTotal, resourceId } = await services.replicas.read(caller, (reader) => reader.snapshot(async (knex) => {
    const resourceId = required(p, 'resource_id');
    const ds = await datasetOfResource(knex, resourceId.trim());
    if (!ds) throw notFoundError(`Resource "${resourceId}" was not found.`);
    const view = await dataView(knex, config, ds.id, { kind: 'open' });
    if (!view) throw notFoundError(`Resource "${resourceId}" has no data in the datastore yet.`);
    if (bool(p, 'distinct', false)) throw validationError('distinct', 'distinct is not supported');
    const format = str(p, 'records_format') ?? 'objects';
    if (format !== 'objects' && format !== 'lists') throw validationError('records_format', 'records_format is objects or lists');

    // only what the open catalogue publishes: the version's visible columns that are published items
    const published = new Set(publishedItems(ds.doc.items, maskRules(config)).items.map((i) => i.name));
    const shown = new Set(view.columns.map((c) => c.name).filter((n) => published.has(n)));
    const limit = int(p, 'limit', { min: 0, dflt: 100 });
    if (limit > DATASTORE_MAX_LIMIT) throw validationError('limit', `Must be at most ${DATASTORE_MAX_LIMIT}`);
    const offset = int(p, 'offset', { min: 0, dflt: 0 });
    if (offset > DATASTORE_MAX_OFFSET) throw validationError('offset', `Must be at most ${DATASTORE_MAX_OFFSET}; follow _links.next, which pages by cursor`);
    const includeTotal = bool(p, 'include_total', true);
    const givenCursor = str(p, 'cursor');

    let query: RowQuery;
    try {
      query = parseRowQuery({ ...rowQueryInput(p, shown), limit: String(Math.max(limit, 1)), count: includeTotal ? 'exact' : 'none' }, view, { maxLimit: DATASTORE_MAX_LIMIT });
    } catch (err) {
      asValidationError(err);
    }
    let cursor: string | null | undefined = givenCursor;
    if (!givenCursor && offset > 0) cursor = await cursorAt(knex, view, query, offset);
    let items: string[] = [];
    let next: string | null = null;
    let total: number | undefined;
    try {
      if (cursor === null) {
        // the offset is past the last row
        if (includeTotal) total = (await queryRows(knex, view, { ...query, limit: 1, fields: [query.fields[0]], count: 'exact' })).count;
      } else {
        const page = await queryRows(knex, view, { ...query, cursor: cursor ?? undefined });
        items = limit === 0 ? [] : page.items;
        next = limit === 0 ? null : page.next;
        total = page.count;
      }
    } catch (err) {
      asValidationError(err);
    }
    return { ds, view, query, items, next, total, offset, limit, format, includeTotal, resourceId };
  }));
  await auditRead(services.knex, origin, { action: 'dataset.datastore_search', resource: { id: ds.id, department_id: ds.department.id, code: ds.code }, view, query, rows: items.length, extra: { api: 'ckan', offset } });

  const byName = new Map(view.columns.map((c) => [c.name, c]));
  const labels = new Map(ds.doc.items.map((i) => [i.name, i.label]));
  const fields = query.fields.map((f) => {
    const c = byName.get(f)!;
    return { id: f, type: c.masked ? 'text' : (CKAN_TYPES[c.item.type] ?? 'text'), info: { label: labels.get(f) ?? f, ...(c.masked ? { notes: `已脱敏（${c.item.mask}）/ masked` } : {}) } };
  });
  const records = format === 'objects' ? `[${items.join(',')}]` : JSON.stringify(items.map((j) => { const o = JSON.parse(j); return query.fields.map((f) => o[f]); }));
  const action = '/api/3/action/datastore_search';
  // as in CKAN, next is always given; past the last row it leads to an empty page
  const links = {
    start: `${action}?${linkQuery(p, {})}`,
    next: `${action}?${linkQuery(p, { offset: offset + (items.length || limit), ...(next ? { cursor: next } : {}) })}`,
  };
  const meta = {
    include_total: includeTotal,
    limit,
    offset,
    records_format: format,
    resource_id: resourceId,
    total_estimation_threshold: null,
    fields,
    _links: links,
    ...(total !== undefined ? { total, total_was_estimated: false } : {}),
  };
  return `{"records":${records},${JSON.stringify(meta).slice(1)}`;
}
