/**
 * CKAN `package_search` over the open catalogue: the registry's Chinese search (filteredResources)
 * with CKAN's parameters — q, fq (Solr `field:value` clauses), rows/start, sort, facet.field.
 */
import type { Knex } from 'knex';
import type { Config } from '../../config.ts';
import { RANKED, filteredResources, rankedPool } from '../../census/resources/search.ts';
import { DOMAIN_THEMES } from '../dcat.ts';
import { DOWNLOAD_FORMATS } from '../datapackage.ts';
import { OPEN_COLUMNS, openOnly, toOpenDataset } from '../catalog/model.ts';
import { searchQueryError, tooLongError } from './envelope.ts';
import { FORMAT_LABELS, PACKAGE_NAME_SQL, ckanLicence, ckanPackage, organizationName } from './package.ts';
import { int, list, str, type Params } from './params.ts';

interface Clause {
  negate: boolean;
  field: string;
  value: string;
  range?: [string, string];
}

const CLAUSE = /([+-]?)([A-Za-z_][\w.]*):("(?:[^"\\]|\\.)*"|\[[^\]]*\]|\{[^}]*\}|[^\s"()]+)/y;

/** Splits Solr-style `field:value` clauses (quoted values, `[a TO b]` ranges, +/- prefixes, AND) from free text. */
export function parseClauses(text: string, opts: { freeText: boolean }): { clauses: Clause[]; rest: string } {
  const clauses: Clause[] = [];
  const rest: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    CLAUSE.lastIndex = i;
    const m = CLAUSE.exec(text);
    if (m) {
      const [, sign, field, rawValue] = m;
      let value = rawValue;
      let range: [string, string] | undefined;
      if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
      else if (value.startsWith('[') || value.startsWith('{')) {
        const r = /^[[{]\s*(\S+)\s+TO\s+(\S+)\s*[\]}]$/.exec(value);
        if (!r) throw searchQueryError(`cannot read the range ${value}`);
        range = [r[1], r[2]];
      }
      clauses.push({ negate: sign === '-', field, value, ...(range ? { range } : {}) });
      i = CLAUSE.lastIndex;
      continue;
    }
    const word = /\S+/y;
    word.lastIndex = i;
    const w = word.exec(text)![0];
    i += w.length;
    if (w === 'AND' || w === '&&') continue;
    if (!opts.freeText) throw searchQueryError(`fq takes field:value clauses; cannot read "${w}"`);
    rest.push(w);
  }
  return { clauses, rest: rest.join(' ') };
}

/** Bounds of a search (docs/ckan.md): each clause is a condition of the query, each term a word of the text search. */
const MAX_CLAUSES = 100;
const FACET_LIST_MAX = 20;
const MAX_TERMS = 50;

const MODIFIED = 'greatest(r.published_at, r.data_updated_at)';
const DCAT_DOMAINS = Object.keys(DOMAIN_THEMES).filter((d) => d !== 'other');

function solrDate(v: string, field: string): Date | null {
  if (v === '*') return null;
  const d = new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) throw searchQueryError(`${field}: "${v}" is not an ISO 8601 date (NOW-style date maths is not supported)`);
  return d;
}

/** The condition of one clause, or a text term to search for. */
function compileClause(c: Clause, config: Config): ((q: Knex.QueryBuilder) => void) | { text: string } {
  const always = (ok: boolean) => (q: Knex.QueryBuilder) => (ok ? q : q.whereRaw('false'));
  switch (c.field) {
    case 'organization':
    case 'owner_org':
      return (q) => q.whereRaw(`r.department_id in (select id from odx.departments where lower(uscc) = lower(?) or id::text = ?)`, [c.value, c.value]);
    case 'tags':
      return (q) => q.whereRaw(`r.published_doc->'tags' @> ?::jsonb`, [JSON.stringify([c.value])]);
    case 'res_format': {
      const known = DOWNLOAD_FORMATS.some((f) => FORMAT_LABELS[f].toLowerCase() === c.value.toLowerCase());
      return (q) => (known ? q.whereNotNull('r.current_version') : q.whereRaw('false'));
    }
    case 'name':
      return (q) => q.whereRaw(`${PACKAGE_NAME_SQL} = ?`, [c.value]);
    case 'id':
      return (q) => q.where('r.code', c.value);
    case 'groups':
      return (q) =>
        c.value === 'other' ? q.where((w) => w.whereNull('r.domain').orWhereNotIn('r.domain', DCAT_DOMAINS)) : q.where('r.domain', c.value);
    case 'license_id':
      return always(c.value === ckanLicence(config).license_id);
    case 'dataset_type':
    case 'type':
      return always(c.value === 'dataset');
    case 'capacity':
      return always(c.value === 'public');
    case 'state':
      return always(c.value === 'active');
    case 'metadata_modified':
    case 'metadata_created': {
      const col = c.field === 'metadata_modified' ? MODIFIED : 'r.published_at';
      const [from, to] = c.range ?? [c.value, c.value];
      const a = solrDate(from, c.field);
      const b = solrDate(to, c.field);
      return (q) => {
        if (a) q.whereRaw(`${col} >= ?`, [a]);
        if (b) q.whereRaw(`${col} <= ?`, [b]);
      };
    }
    case 'text':
      return { text: c.value };
    case 'title':
      return (q) => q.whereRaw(`r.name ilike ?`, [`%${c.value.replace(/[\\%_]/g, (m) => `\\${m}`)}%`]);
    default:
      throw searchQueryError(`the field "${c.field}" cannot be searched; fields: organization, tags, res_format, groups, name, id, license_id, metadata_modified, metadata_created, title, text, dataset_type, capacity, state`);
  }
}

const SORTS: Record<string, string> = {
  metadata_modified: MODIFIED,
  metadata_created: 'r.published_at',
  name: 'r.code',
  title_string: 'r.name',
  title: 'r.name',
};

const FACET_FIELDS = ['organization', 'tags', 'res_format', 'groups', 'license_id'] as const;

async function facet(knex: Knex, base: Knex.QueryBuilder, field: string, config: Config, limit: number, mincount: number): Promise<{ name: string; display_name: string; count: number }[]> {
  const sub = base.clone().clearSelect().clearOrder().select('r.id', 'r.department_id', 'r.domain', 'r.current_version', 'r.published_doc').toSQL();
  const over = (sql: string) => knex.raw(sql.replace('{filtered}', `(${sub.sql})`), sub.bindings as Knex.RawBinding[]);
  let rows: { name: string; display_name: string; count: number }[] = [];
  if (field === 'organization') {
    const r = await over(`select d.uscc, d.name, count(*)::int as n from {filtered} f join odx.departments d on d.id = f.department_id group by d.uscc, d.name`);
    rows = r.rows.map((x: any) => ({ name: organizationName(x.uscc), display_name: x.name, count: x.n }));
  } else if (field === 'tags') {
    const r = await over(`select t.tag, count(*)::int as n from {filtered} f, jsonb_array_elements_text(coalesce(f.published_doc->'tags', '[]'::jsonb)) t(tag) group by t.tag`);
    rows = r.rows.map((x: any) => ({ name: x.tag, display_name: x.tag, count: x.n }));
  } else if (field === 'groups') {
    const r = await over(`select f.domain, count(*)::int as n from {filtered} f group by f.domain`);
    const counts = new Map<string, number>();
    for (const x of r.rows) {
      const d = x.domain && DCAT_DOMAINS.includes(x.domain) ? x.domain : 'other';
      counts.set(d, (counts.get(d) ?? 0) + x.n);
    }
    rows = [...counts].map(([d, n]) => ({ name: d, display_name: DOMAIN_THEMES[d as keyof typeof DOMAIN_THEMES].zh, count: n }));
  } else if (field === 'res_format') {
    const r = await over(`select count(*)::int as n from {filtered} f where f.current_version is not null`);
    rows = DOWNLOAD_FORMATS.map((f) => ({ name: FORMAT_LABELS[f], display_name: FORMAT_LABELS[f], count: r.rows[0].n }));
  } else if (field === 'license_id') {
    const r = await over(`select count(*)::int as n from {filtered} f`);
    const l = ckanLicence(config);
    rows = [{ name: l.license_id, display_name: l.license_title, count: r.rows[0].n }];
  }
  rows = rows.filter((x) => x.count >= mincount).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  return limit < 0 ? rows : rows.slice(0, limit);
}

export async function packageSearch(knex: Knex, config: Config, p: Params) {
  const rows = int(p, 'rows', { min: 0, max: 1000, dflt: 10 });
  const start = int(p, 'start', { min: 0, dflt: 0 });
  const q = (str(p, 'q') ?? '').trim();
  const fq = [str(p, 'fq') ?? '', ...(list(p, 'fq_list') ?? [])].join(' ');

  const fromQ = q === '' || q === '*:*' ? { clauses: [], rest: '' } : parseClauses(q, { freeText: true });
  const fromFq = parseClauses(fq, { freeText: false });
  if (fromQ.clauses.length + fromFq.clauses.length > MAX_CLAUSES) throw tooLongError('fq', `q, fq and fq_list together take at most ${MAX_CLAUSES} field:value clauses`);
  if (fromQ.rest.split(' ').length > MAX_TERMS) throw tooLongError('q', `at most ${MAX_TERMS} search terms`);
  const conditions: ((qb: Knex.QueryBuilder) => void)[] = [];
  const text: string[] = fromQ.rest ? [fromQ.rest] : [];
  for (const c of [...fromQ.clauses, ...fromFq.clauses]) {
    const compiled = compileClause(c, config);
    if (typeof compiled !== 'function') {
      if (c.negate) throw searchQueryError('text clauses cannot be negated');
      text.push(compiled.text);
    } else if (c.negate) conditions.push((qb) => qb.whereNot((w) => compiled(w)));
    else conditions.push(compiled);
  }
  const fixed = (qb: Knex.QueryBuilder) => {
    openOnly(qb);
    for (const c of conditions) qb.where((w) => c(w));
  };
  // open datasets are 无条件开放: said as a filter too, so the search reads them by that key (search-keys.ts)
  const textQuery = { q: text.length ? text.join(' ') : undefined, limit: 0, openType: ['open'] };
  const scoping = { departments: null, principalId: null };
  const { base, tsq } = filteredResources(knex, textQuery, scoping, fixed);

  const sortText = (str(p, 'sort') ?? (tsq ? 'score desc, metadata_modified desc' : 'metadata_modified desc')).trim();
  const order: string[] = [];
  let scoreFirst = false;
  for (const part of sortText.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\w+)(?:\s+(asc|desc))?$/i.exec(part);
    if (!m) throw searchQueryError(`cannot read the sort "${part}"`);
    const dir = (m[2] ?? 'asc').toLowerCase();
    if (m[1] === 'score') {
      if (tsq) {
        scoreFirst ||= order.length === 0;
        order.push(`pool.rank ${dir} nulls last`);
      }
      continue;
    }
    // own keys only: "constructor" or "toString" would find the prototype's
    const col = Object.hasOwn(SORTS, m[1]) ? SORTS[m[1]] : undefined;
    if (!col) throw searchQueryError(`cannot sort by "${m[1]}"; sorts: score, metadata_modified, metadata_created, name, title_string`);
    order.push(`${col} ${dir} nulls last`);
  }
  order.push('r.id desc');

  const [{ n: count }] = await base.clone().count<{ n: string }[]>('* as n');
  let found: Record<string, any>[] = [];
  if (rows > 0) {
    // Relevance is that of the registry's search: the newest RANKED matches are ranked (search.ts),
    // older ones have no score and follow, so a common term does not rank every match. A page
    // within the ranked ones is read from them alone.
    const pool = order.some((o) => o.startsWith('pool.')) ? await rankedPool(knex, textQuery, scoping, fixed) : null;
    const page = pool && scoreFirst && start + rows <= RANKED
      ? knex.from('pool').join('odx.resources as r', 'r.id', 'pool.id')
      : base.clone().modify((q) => (pool ? q.leftJoin('pool', 'pool.id', 'r.id') : q));
    page.join('odx.departments as d', 'd.id', 'r.department_id').select(OPEN_COLUMNS).orderByRaw(order.join(', ')).offset(start).limit(rows);
    if (pool) page.select('pool.rank');
    const sql = page.toSQL();
    found = pool
      ? (await knex.raw(`with ${pool.sql} ${sql.sql}`, [...pool.bindings, ...sql.bindings] as Knex.RawBinding[])).rows
      : await page;
  }

  const facetFields = list(p, 'facet.field', FACET_LIST_MAX) ?? [];
  const facetLimit = int(p, 'facet.limit', { min: -1, dflt: 50 });
  const mincount = int(p, 'facet.mincount', { min: 0, dflt: 1 });
  const facets: Record<string, Record<string, number>> = {};
  const searchFacets: Record<string, { title: string; items: { name: string; display_name: string; count: number }[] }> = {};
  for (const field of facetFields) {
    const items = (FACET_FIELDS as readonly string[]).includes(field) ? await facet(knex, base, field, config, facetLimit, mincount) : [];
    facets[field] = Object.fromEntries(items.map((i) => [i.name, i.count]));
    searchFacets[field] = { title: field, items };
  }
  return {
    count: Number(count),
    results: found.map((r: Record<string, any>) => ckanPackage(toOpenDataset(r), config)),
    sort: sortText,
    facets,
    search_facets: searchFacets,
  };
}
