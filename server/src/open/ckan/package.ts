/**
 * Open datasets as CKAN packages, departments as CKAN organizations (docs/ckan.md has the table).
 */
import type { Knex } from 'knex';
import type { Config } from '../../config.ts';
import type { DownloadFormat } from '../datapackage.ts';
import { DOWNLOAD_FORMATS, FORMAT_MEDIA_TYPES, packageName } from '../datapackage.ts';
import { DOMAIN_THEMES, FREQUENCY } from '../dcat.ts';
import { dcatDomain, downloadLinks, licenceOf, openDatasetQuery, toOpenDataset, type DepartmentRef, type OpenDataset } from '../catalog/model.ts';

/** A package's name (its slug) in SQL: the resource code lower-cased, runs of other characters made '-'. */
export const PACKAGE_NAME_SQL = `trim(both '-' from regexp_replace(lower(r.code), '[^-a-z0-9._]+', '-', 'g'))`;

/** A package by id (the 信息资源代码) or name (its slug). */
export async function packageByIdOrName(knex: Knex, ref: string): Promise<OpenDataset | undefined> {
  const row = await openDatasetQuery(knex)
    .where((w) => w.where('r.code', ref).orWhereRaw(`${PACKAGE_NAME_SQL} = ?`, [ref.toLowerCase()]))
    .first();
  return row ? toOpenDataset(row) : undefined;
}

/** CKAN writes naive UTC timestamps: `2026-03-01T08:00:00.000`. */
export function ckanTime(d: Date | null | undefined): string | null {
  return d ? d.toISOString().replace(/Z$/, '') : null;
}

/** CKAN's own licence ids for the common open licences; others keep their SPDX id. */
const CKAN_LICENCE_IDS: Record<string, string> = {
  'CC-BY-4.0': 'cc-by',
  'CC-BY-SA-4.0': 'cc-by-sa',
  'CC0-1.0': 'cc-zero',
  'ODbL-1.0': 'odc-odbl',
  'PDDL-1.0': 'odc-pddl',
  'ODC-By-1.0': 'odc-by',
};

export function ckanLicence(config: Config) {
  const l = licenceOf(config);
  return { license_id: CKAN_LICENCE_IDS[l.id] ?? l.id.toLowerCase(), license_title: l.title, license_url: l.url };
}

export const FORMAT_LABELS: Record<DownloadFormat, string> = { csv: 'CSV', ndjson: 'NDJSON', json: 'JSON', arrow: 'Arrow', xlsx: 'XLSX' };

/** The CKAN resource id of a download: `{package name}-{format}` (the Data Package resource name too). */
export function resourceId(code: string, format: DownloadFormat): string {
  return `${packageName(code)}-${format}`;
}

export function organizationName(uscc: string): string {
  return uscc.toLowerCase();
}

export function ckanOrganization(d: DepartmentRef, packageCount?: number) {
  return {
    id: d.uscc,
    name: organizationName(d.uscc),
    title: d.name,
    display_name: d.name,
    description: '',
    image_url: '',
    image_display_url: '',
    created: ckanTime(d.createdAt),
    type: 'organization',
    is_organization: true,
    state: 'active',
    approval_status: 'approved',
    ...(packageCount !== undefined ? { package_count: packageCount } : {}),
    extras: [
      { key: 'uscc', value: d.uscc },
      { key: 'odx_department_id', value: String(d.id) },
      ...(d.shortName ? [{ key: 'short_name', value: d.shortName }] : []),
    ],
  };
}

export function ckanGroup(domain: string | undefined) {
  const d = dcatDomain(domain);
  const label = DOMAIN_THEMES[d].zh;
  return { id: d, name: d, title: label, display_name: label, description: DOMAIN_THEMES[d].en, image_display_url: '' };
}

/** The last change a reader can see: publication or the latest data load. */
export function modifiedOf(ds: OpenDataset): Date {
  return ds.dataUpdatedAt && ds.dataUpdatedAt > ds.publishedAt ? ds.dataUpdatedAt : ds.publishedAt;
}

export function ckanPackage(ds: OpenDataset, config: Config) {
  const department = ds.department;
  const doc = ds.doc;
  const name = packageName(ds.code);
  const links = downloadLinks(config.publicBaseUrl, ds);
  const resources = DOWNLOAD_FORMATS.filter((f) => links[f]).map((format, position) => ({
    id: resourceId(ds.code, format),
    package_id: ds.code,
    name: `${doc.name}（${FORMAT_LABELS[format]}）`,
    description: format === 'ndjson' ? '每行一个 JSON 对象（newline-delimited JSON）；个人信息已脱敏。' : '个人信息已脱敏。',
    format: FORMAT_LABELS[format],
    mimetype: FORMAT_MEDIA_TYPES[format],
    url: links[format]!,
    url_type: null,
    resource_type: null,
    state: 'active',
    position,
    size: null,
    hash: '',
    created: ckanTime(ds.publishedAt),
    last_modified: ckanTime(ds.dataUpdatedAt),
    metadata_modified: ckanTime(modifiedOf(ds)),
    datastore_active: true,
  }));
  const tags = (doc.tags ?? []).map((t) => ({ id: t, name: t, display_name: t, state: 'active', vocabulary_id: null }));
  const extras: { key: string; value: string }[] = [
    { key: 'code', value: ds.code },
    { key: 'category', value: doc.category },
    { key: 'update_cycle', value: doc.updateCycle },
    { key: 'update_cycle_zh', value: FREQUENCY[doc.updateCycle]?.zh ?? doc.updateCycle },
    { key: 'accrual_periodicity', value: FREQUENCY[doc.updateCycle]?.iri ?? '' },
    { key: 'domain', value: doc.domain ?? 'other' },
    { key: 'format_type', value: doc.format.type },
    { key: 'issued', value: ds.publishedAt.toISOString() },
    { key: 'data_updated_at', value: ds.dataUpdatedAt ? ds.dataUpdatedAt.toISOString() : '' },
    { key: 'data_rows', value: ds.rows === null ? '' : String(ds.rows) },
    { key: 'datapackage', value: `${config.publicBaseUrl}/api/v1/datasets/${encodeURIComponent(ds.code)}/datapackage.json` },
  ];
  return {
    id: ds.code,
    name,
    title: doc.name,
    notes: doc.summary,
    type: 'dataset',
    state: 'active',
    private: false,
    author: department.name,
    author_email: null,
    maintainer: department.name,
    maintainer_email: null,
    ...ckanLicence(config),
    isopen: true,
    url: `${config.publicBaseUrl}/api/v1/datasets/${encodeURIComponent(ds.code)}`,
    version: null,
    metadata_created: ckanTime(ds.publishedAt),
    metadata_modified: ckanTime(modifiedOf(ds)),
    creator_user_id: null,
    owner_org: department.uscc,
    organization: ckanOrganization(department),
    num_tags: tags.length,
    tags,
    groups: [ckanGroup(doc.domain)],
    num_resources: resources.length,
    resources,
    extras,
    relationships_as_object: [],
    relationships_as_subject: [],
  };
}
export type CkanPackage = ReturnType<typeof ckanPackage>;
