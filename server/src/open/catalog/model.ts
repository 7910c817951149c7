/**
 * The open catalogue's view of the registry: which resources are open datasets, how their items
 * look once masked, their URLs, and the inputs of the DCAT-AP and Data Package builders. The
 * catalogue routes, the standards exports and the CKAN API all read datasets through here.
 */
import type { Knex } from 'knex';
import type { Config } from '../../config.ts';
import type { DataResource, ResourceItem } from '../../schemas/validator.ts';
import type { ItemLike } from '../../data/items.ts';
import type { DataPackageInput, DownloadFormat } from '../datapackage.ts';
import type { OpenQualityProfile } from './schema.ts';
import { DOWNLOAD_FORMATS } from '../datapackage.ts';
import type { DcatAgent, DcatCatalog, DcatDataset, Domain } from '../dcat.ts';
import { DOMAIN_THEMES, datasetIri } from '../dcat.ts';
import { maskRulesOf } from '../../data/view.ts';
import { isDropRule, ruleFor, unmaskedPersonalItems, type MaskRules } from '../../data/masking.ts';

/**
 * Open datasets: published (the last published version is what shows, also while a revision is in
 * progress), not retired, and 无条件开放. `r` is the alias of odx.resources.
 */
export function openOnly(q: Knex.QueryBuilder): Knex.QueryBuilder {
  return q.whereNotNull('r.published_doc').whereNull('r.retired_at').where('r.open_type', 'open');
}

export interface DepartmentRef {
  id: number;
  name: string;
  shortName: string | null;
  uscc: string;
  createdAt?: Date;
}

/** A resource row of the open catalogue with its published document and department. */
export interface OpenDataset {
  id: number;
  code: string;
  doc: DataResource;
  department: DepartmentRef;
  publishedAt: Date;
  dataUpdatedAt: Date | null;
  /** Rows of the current data version; null when nothing is loaded. */
  rows: number | null;
  loaded: boolean;
  /** As the loader stored it (loaders/types.ts QualityProfile). */
  quality: OpenQualityProfile | null;
  createdAt: Date;
}

export const OPEN_COLUMNS = [
  'r.id',
  'r.code',
  'r.published_doc',
  'r.published_at',
  'r.data_updated_at',
  'r.data_rows',
  'r.current_version',
  'r.quality',
  'r.created_at',
  'd.id as dept_id',
  'd.name as dept_name',
  'd.short_name as dept_short_name',
  'd.uscc as dept_uscc',
  'd.created_at as dept_created_at',
];

/** The open datasets query: odx.resources `r` joined with its department `d`, open ones only. */
export function openDatasetQuery(knex: Knex): Knex.QueryBuilder {
  return openOnly(knex('odx.resources as r').join('odx.departments as d', 'd.id', 'r.department_id').select(OPEN_COLUMNS));
}

export function toOpenDataset(r: Record<string, any>): OpenDataset {
  return {
    id: Number(r.id),
    code: r.code,
    doc: r.published_doc,
    department: { id: Number(r.dept_id), name: r.dept_name, shortName: r.dept_short_name, uscc: r.dept_uscc, createdAt: r.dept_created_at },
    publishedAt: r.published_at,
    dataUpdatedAt: r.data_updated_at,
    rows: r.data_rows === null || r.data_rows === undefined ? null : Number(r.data_rows),
    loaded: r.current_version !== null && r.current_version !== undefined,
    quality: r.quality ?? null,
    createdAt: r.created_at,
  };
}

/** One open dataset by its 信息资源代码, or undefined (also for anything not open). */
export async function openDatasetByCode(knex: Knex, code: string): Promise<OpenDataset | undefined> {
  const row = await openDatasetQuery(knex).where('r.code', code).first();
  return row ? toOpenDataset(row) : undefined;
}

/** Every open dataset, oldest first (stable order for exports). */
export async function allOpenDatasets(knex: Knex): Promise<OpenDataset[]> {
  return (await openDatasetQuery(knex).orderBy('r.id')).map(toOpenDataset);
}

/** The installation's mask rules (ODX_MASK_RULES over the defaults): the row engine's, so every open output masks alike. */
export function maskRules(config: Config): MaskRules {
  return maskRulesOf(config);
}

/** An item as the open catalogue shows it. */
export interface PublishedItem {
  name: string;
  label: string;
  type: ResourceItem['type'];
  length?: number;
  scale?: number;
  required?: boolean;
  key?: boolean;
  description?: string;
  /** The mask rule applied to its values, or null when they are served as stored. */
  masked: string | null;
}

/**
 * Items as published: left out are items whose mask drops them, items whose own open type is
 * not 无条件开放 (an item may be stricter than its resource), and personal items without a mask
 * (publishing refuses them; one published before that check never leaves unmasked).
 * `schemaItems` are the same items in the form the standards builders take.
 */
export function publishedItems(items: readonly ResourceItem[], rules: Readonly<MaskRules>): { items: PublishedItem[]; schemaItems: ItemLike[] } {
  const unmasked = new Set(unmaskedPersonalItems(items as readonly ItemLike[], rules).map((i) => i.name));
  const shown: PublishedItem[] = [];
  const schemaItems: ItemLike[] = [];
  for (const item of items) {
    if (unmasked.has(item.name)) continue;
    if (item.openType !== undefined && item.openType !== 'open') continue;
    const rule = ruleFor(item, rules);
    if (rule !== undefined && isDropRule(rule)) continue;
    shown.push({
      name: item.name,
      label: item.label,
      type: item.type,
      ...(item.length !== undefined ? { length: item.length } : {}),
      ...(item.scale !== undefined ? { scale: item.scale } : {}),
      ...(item.required ? { required: true } : {}),
      ...(item.key ? { key: true } : {}),
      ...(item.description ? { description: item.description } : {}),
      masked: rule === undefined ? null : String(item.mask),
    });
    schemaItems.push(item as ItemLike);
  }
  return { items: shown, schemaItems };
}

/**
 * The quality profile as published: only the shown items; for masked items the smallest and
 * largest values (which are real values) are withheld.
 */
export function publishedQuality(ds: OpenDataset, items: PublishedItem[]): OpenQualityProfile | null {
  if (!ds.quality) return null;
  const columns: OpenQualityProfile['columns'] = {};
  for (const item of items) {
    const c = ds.quality.columns?.[item.name];
    if (!c) continue;
    columns[item.name] = item.masked ? { ...c, min: null, max: null } : c;
  }
  return { rows: ds.quality.rows, columns };
}

/** The dataset's public URLs: its metadata (also its DCAT IRI), rows, Data Package and downloads. */
export function datasetUrls(baseUrl: string, code: string) {
  const self = datasetIri(baseUrl, code);
  return {
    self,
    rows: `${self}/rows`,
    datapackage: `${self}/datapackage.json`,
    download: (format: DownloadFormat) => `${self}/download?format=${format}`,
  };
}

/** Download URL per format; none until data is loaded. */
export function downloadLinks(baseUrl: string, ds: OpenDataset): Partial<Record<DownloadFormat, string>> {
  if (!ds.loaded) return {};
  const urls = datasetUrls(baseUrl, ds.code);
  return Object.fromEntries(DOWNLOAD_FORMATS.map((f) => [f, urls.download(f)]));
}

export function licenceOf(config: Config) {
  return { id: config.openLicenceId, url: config.openLicenceUrl, title: config.openLicenceTitle };
}

/** The registry's domains the DCAT mapping has no entry for are exported as `other`. */
export function dcatDomain(domain: string | undefined): Domain {
  return domain && Object.prototype.hasOwnProperty.call(DOMAIN_THEMES, domain) ? (domain as Domain) : 'other';
}

function agentOf(d: DepartmentRef): DcatAgent {
  return { name: d.name, uscc: d.uscc, id: String(d.id) };
}

export function toDcatDataset(ds: OpenDataset, config: Config, rules: Readonly<MaskRules>): DcatDataset {
  const { schemaItems } = publishedItems(ds.doc.items, rules);
  const licence = licenceOf(config);
  const downloads = downloadLinks(config.publicBaseUrl, ds);
  return {
    code: ds.code,
    title: ds.doc.name,
    description: ds.doc.summary,
    keywords: ds.doc.tags ?? [],
    publisher: agentOf(ds.department),
    contactPoint: { name: ds.department.name },
    domain: dcatDomain(ds.doc.domain),
    updateCycle: ds.doc.updateCycle,
    issued: ds.publishedAt,
    modified: ds.dataUpdatedAt && ds.dataUpdatedAt > ds.publishedAt ? ds.dataUpdatedAt : ds.publishedAt,
    licence: { url: licence.url, title: licence.title },
    rowCount: ds.rows ?? 0,
    // the table schema is described once data stands behind the entry (its Data Package exists then)
    items: ds.loaded && schemaItems.length ? schemaItems : undefined,
    distributions: Object.entries(downloads).map(([format, downloadUrl]) => ({ format: format as DownloadFormat, downloadUrl: downloadUrl! })),
  };
}

/**
 * The catalogue's publisher: ODX_CATALOG_PUBLISHER, else the department of the first authority
 * account (the data authority), else the first top-level department.
 */
export async function catalogPublisher(knex: Knex, config: Config): Promise<DepartmentRef | null> {
  const pick = (q: Knex.QueryBuilder) => q.first('d.id', 'd.name', 'd.short_name', 'd.uscc');
  let row = config.catalogPublisher ? await pick(knex('odx.departments as d').where('d.uscc', config.catalogPublisher)) : undefined;
  row ??= await pick(
    knex('odx.departments as d').join('odx.principals as p', 'p.department_id', 'd.id').whereRaw(`'authority' = any(p.roles)`).whereNull('p.disabled_at').orderBy('p.id'),
  );
  row ??= await pick(knex('odx.departments as d').orderByRaw('d.parent_id nulls first, d.id'));
  return row ? { id: Number(row.id), name: row.name, shortName: row.short_name, uscc: row.uscc } : null;
}

/** The whole open catalogue as the DCAT-AP builder's model. */
export async function dcatCatalog(knex: Knex, config: Config): Promise<DcatCatalog> {
  const rules = maskRules(config);
  const datasets = await allOpenDatasets(knex);
  const publisher = (await catalogPublisher(knex, config)) ?? { id: 0, name: 'ODX', shortName: null, uscc: '000000000000000000' };
  const base = config.publicBaseUrl;
  const licence = licenceOf(config);
  const modified = datasets.reduce<Date | undefined>((m, d) => {
    const t = d.dataUpdatedAt && d.dataUpdatedAt > d.publishedAt ? d.dataUpdatedAt : d.publishedAt;
    return !m || t > m ? t : m;
  }, undefined);
  return {
    title: `${publisher.name}公共数据开放目录`,
    description: `${publisher.name}发布的无条件开放公共数据：数据集、下载格式和行查询接口。`,
    homepage: `${base}/`,
    publisher: agentOf(publisher),
    baseUrl: base,
    licence: { url: licence.url, title: licence.title },
    ...(modified ? { modified } : {}),
    apiDocsUrl: `${base}/openapi.json`,
    datasets: datasets.map((d) => toDcatDataset(d, config, rules)),
  };
}

/** The Data Package input of one loaded dataset (undefined when no data is loaded yet). */
export function dataPackageInput(ds: OpenDataset, config: Config, rules: Readonly<MaskRules>): DataPackageInput | undefined {
  const downloads = downloadLinks(config.publicBaseUrl, ds);
  if (!Object.keys(downloads).length) return undefined;
  const { schemaItems } = publishedItems(ds.doc.items, rules);
  const urls = datasetUrls(config.publicBaseUrl, ds.code);
  const licence = licenceOf(config);
  return {
    code: ds.code,
    title: ds.doc.name,
    description: ds.doc.summary,
    id: urls.self,
    homepage: urls.self,
    licence: { url: licence.url, title: licence.title, name: licence.id },
    keywords: ds.doc.tags,
    publisher: { name: ds.department.name },
    items: schemaItems,
    downloads,
  };
}
