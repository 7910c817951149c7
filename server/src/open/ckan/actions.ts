/**
 * The CKAN Action API subset ODX answers. Each action takes CKAN's parameters and returns CKAN's
 * result shape; only open (published, 无条件开放) datasets are ever visible.
 */
import type { Knex } from 'knex';
import type { Actor } from '../../audit/chain.ts';
import type { Services } from '../../http/route.ts';
import { version } from '../../version.ts';
import { catalogPublisher, openDatasetQuery, toOpenDataset, type DepartmentRef, type OpenDataset } from '../catalog/model.ts';
import { validationError, notFoundError } from './envelope.ts';
import { ckanOrganization, ckanPackage, packageByIdOrName, PACKAGE_NAME_SQL } from './package.ts';
import { bool, int, list, required, str, type Params } from './params.ts';
import { packageSearch } from './search.ts';
import { datastoreSearch } from './datastore.ts';

export interface Caller {
  actor: Actor;
  requestId?: string;
}

/** A result already serialised as JSON text (rows spliced in unparsed, so numbers stay exact). */
export class RawJson {
  constructor(readonly text: string) {}
}

export type Action = (p: Params, services: Services, caller: Caller) => Promise<unknown>;

function department(r: Record<string, any>): DepartmentRef {
  return { id: Number(r.id), name: r.name, shortName: r.short_name, uscc: r.uscc, createdAt: r.created_at };
}

/** Departments with their open dataset counts. */
function organizations(knex: Knex) {
  return knex('odx.departments as d').select(
    'd.*',
    knex.raw(
      `(select count(*) from odx.resources r where r.department_id = d.id and r.published_doc is not null and r.retired_at is null and r.open_type = 'open')::int as package_count`,
    ),
  );
}

async function organizationByRef(knex: Knex, ref: string) {
  return organizations(knex)
    .where((w) => {
      w.whereRaw('lower(d.uscc) = lower(?)', [ref]);
      if (/^\d{1,15}$/.test(ref)) w.orWhere('d.id', Number(ref));
    })
    .first();
}

const ORG_SORTS: Record<string, string> = { name: 'lower(d.uscc)', title: 'd.name', package_count: 'package_count' };

export const ACTIONS: Record<string, Action> = {
  async status_show(_p, { knex, config }) {
    const publisher = await catalogPublisher(knex, config);
    return {
      site_title: publisher ? `${publisher.name}公共数据开放平台` : 'ODX 公共数据开放平台',
      site_description: '无条件开放的公共数据：检索、下载和接口（ODX，CKAN Action API 兼容子集）',
      site_url: config.publicBaseUrl,
      ckan_version: '2.10.0',
      odx_version: version,
      error_emails_to: null,
      locale_default: 'zh_Hans_CN',
      extensions: ['datastore', 'odx'],
    };
  },

  async package_list(p, { knex }) {
    const limit = int(p, 'limit', { min: 0, dflt: 1000 });
    const offset = int(p, 'offset', { min: 0, dflt: 0 });
    const rows = await openDatasetQuery(knex).clearSelect().select({ name: knex.raw(PACKAGE_NAME_SQL) }).orderBy('r.code').offset(offset).limit(limit);
    return rows.map((r: { name: string }) => r.name);
  },

  async package_show(p, { knex, config }) {
    const ref = str(p, 'id') ?? str(p, 'name_or_id');
    if (!ref || !ref.trim()) throw validationError('id', 'Missing value');
    const ds = await packageByIdOrName(knex, ref.trim());
    if (!ds) throw notFoundError(`dataset ${ref}`);
    return ckanPackage(ds, config);
  },

  async package_search(p, { knex, config }) {
    return packageSearch(knex, config, p);
  },

  async organization_list(p, { knex }) {
    const allFields = bool(p, 'all_fields', false);
    const limit = int(p, 'limit', { min: 0, max: 1000, dflt: 1000 });
    const offset = int(p, 'offset', { min: 0, dflt: 0 });
    const sortText = (str(p, 'sort') ?? 'name asc').trim();
    const m = /^(\w+)(?:\s+(asc|desc))?$/i.exec(sortText);
    if (!m || !Object.hasOwn(ORG_SORTS, m[1])) throw validationError('sort', `Cannot sort by "${sortText}"; sorts: name, title, package_count`);
    const q = organizations(knex).orderByRaw(`${ORG_SORTS[m[1]]} ${(m[2] ?? 'asc').toLowerCase()}, d.id`).offset(offset).limit(limit);
    const only = list(p, 'organizations', 1000);
    if (only?.length) q.whereIn(knex.raw('lower(d.uscc)') as unknown as string, only.map((o) => o.toLowerCase()));
    const rows = await q;
    if (!allFields) return rows.map((r: Record<string, any>) => r.uscc.toLowerCase());
    const withCount = bool(p, 'include_dataset_count', true);
    return rows.map((r: Record<string, any>) => ckanOrganization(department(r), withCount ? r.package_count : undefined));
  },

  async organization_show(p, { knex, config }) {
    const ref = required(p, 'id');
    const row = await organizationByRef(knex, ref.trim());
    if (!row) throw notFoundError(`organization ${ref}`);
    const org: Record<string, unknown> = ckanOrganization(department(row), bool(p, 'include_dataset_count', true) ? row.package_count : undefined);
    if (bool(p, 'include_datasets', false)) {
      const rows = await openDatasetQuery(knex).where('r.department_id', row.id).orderBy('r.code').limit(1000);
      org.packages = rows.map((r: Record<string, any>) => ckanPackage(toOpenDataset(r), config));
    }
    org.users = [];
    org.groups = [];
    org.tags = [];
    return org;
  },

  async datastore_search(p, services, caller) {
    return new RawJson(await datastoreSearch(p, services, caller));
  },

  async help_show(p) {
    const name = required(p, 'name');
    const doc = HELP[name];
    if (!doc) throw notFoundError(`action ${name}`);
    return doc;
  },
};

const HELP: Record<string, string> = {
  status_show: 'Return a dictionary with information about the site (ODX emulates the CKAN 2.10 Action API for open datasets).',
  package_list: 'Return the names of the open datasets. :param limit: :param offset:',
  package_show: 'Return one open dataset. :param id: the 信息资源代码 (e.g. 3070220400031/000038) or the dataset name (3070220400031-000038)',
  package_search:
    'Search the open datasets. :param q: text (Chinese full text) or field:value clauses :param fq: field:value clauses (organization, tags, res_format, groups, name, id, license_id, metadata_modified:[a TO b]) :param rows: (default 10, max 1000) :param start: :param sort: score, metadata_modified, metadata_created, name, title_string with asc/desc :param facet.field: JSON list of organization, tags, res_format, groups, license_id :param facet.limit: :param facet.mincount:',
  organization_list: 'Return the departments (organizations). :param all_fields: :param sort: name, title, package_count :param limit: :param offset: :param organizations:',
  organization_show: 'Return one department. :param id: 统一社会信用代码 or organization name :param include_datasets: :param include_dataset_count:',
  datastore_search:
    'Search the rows of an open dataset (masked as in every open output). :param resource_id: a resource id, the dataset id or name :param q: text over all text fields, or a JSON object of field: text :param filters: JSON object of field: value (or list) :param fields: :param sort: "field desc, other" :param limit: (default 100) :param offset: :param include_total:',
  help_show: 'Return the help text of an action. :param name:',
};
