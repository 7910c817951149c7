import type { Config } from '../../config.ts';
import type { MaskRules } from '../../data/masking.ts';
import { datasetUrls, downloadLinks, licenceOf, publishedItems, publishedQuality, type OpenDataset } from './model.ts';

/** A dataset in a list: what a search result shows. `r` is a resource row (published_doc). */
export function presentDatasetSummary(r: Record<string, any>, baseUrl: string) {
  const doc = r.published_doc;
  return {
    code: r.code as string,
    name: doc.name as string,
    summary: doc.summary as string,
    department: { id: Number(r.department_id), name: null as string | null },
    domain: doc.domain ?? null,
    format: doc.format,
    updateCycle: doc.updateCycle,
    tags: doc.tags ?? [],
    publishedAt: r.published_at,
    dataUpdatedAt: r.data_updated_at,
    rows: r.data_rows === null ? null : Number(r.data_rows),
    ...(r.rank !== undefined ? { score: r.rank } : {}),
    links: { self: datasetUrls(baseUrl, r.code).self },
  };
}
export type DatasetSummary = ReturnType<typeof presentDatasetSummary>;

/** One open dataset with everything a developer needs to use it. */
export function presentDataset(ds: OpenDataset, config: Config, rules: Readonly<MaskRules>) {
  const { items } = publishedItems(ds.doc.items, rules);
  const urls = datasetUrls(config.publicBaseUrl, ds.code);
  const doc = ds.doc;
  return {
    code: ds.code,
    name: doc.name,
    summary: doc.summary,
    department: { id: ds.department.id, name: ds.department.name, uscc: ds.department.uscc },
    category: doc.category,
    domain: doc.domain ?? null,
    format: doc.format,
    tags: doc.tags ?? [],
    updateCycle: doc.updateCycle,
    publishedAt: ds.publishedAt,
    /** When the data was last loaded. */
    dataUpdatedAt: ds.dataUpdatedAt,
    rows: ds.rows,
    licence: licenceOf(config),
    items,
    quality: publishedQuality(ds, items),
    ...(doc.scenario ? { scenario: doc.scenario } : {}),
    ...(doc.related?.length ? { related: doc.related } : {}),
    ...(doc.matters?.length ? { matters: doc.matters } : {}),
    links: {
      self: urls.self,
      rows: ds.loaded ? urls.rows : null,
      datapackage: ds.loaded ? urls.datapackage : null,
      downloads: downloadLinks(config.publicBaseUrl, ds),
      catalog: `${config.publicBaseUrl}/catalog.jsonld`,
    },
  };
}
