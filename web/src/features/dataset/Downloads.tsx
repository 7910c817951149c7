import { Button } from 'antd';
import { useI18n } from '../../i18n/i18n.tsx';
import { DOWNLOAD_FORMATS } from '../../i18n/labels.ts';
import { datasetApi, type Dataset } from './api.ts';
import { rowQueryString, type RowQuery } from '../../components/preview/rowQuery.ts';

/** A download URL: CSV for people carries the BOM Excel needs to read UTF-8 Chinese, and the items' labels as its header. */
export function downloadUrl(code: string, format: string, q: RowQuery): string {
  // CSV for people: a BOM so Excel reads UTF-8, the Chinese labels as the header (docs/data-api.md)
  const qs = rowQueryString(q, { format, ...(format === 'csv' ? { bom: '1', header: 'label' } : {}) });
  return `${datasetApi(code).download}?${qs}`;
}

/** Each format, of the whole dataset and of the rows the preview's filters select. */
export function Downloads({ dataset, query }: { dataset: Dataset; query: RowQuery }) {
  const { t } = useI18n();
  const whole: RowQuery = { filters: [], sort: [] };
  const scopes = [
    { key: 'whole', title: t('download.whole'), q: whole },
    ...(query.filters.length ? [{ key: 'filtered', title: t('download.filtered'), q: query }] : []),
  ];
  return (
    <div>
      {scopes.map((s) => (
        <section key={s.key} aria-labelledby={`dl-${s.key}`}>
          <h3 id={`dl-${s.key}`} style={{ fontSize: 15 }}>{s.title}</h3>
          <ul className="download-list">
            {DOWNLOAD_FORMATS.filter((f) => dataset.links.downloads[f]).map((f) => (
              <li key={f}>
                <Button href={downloadUrl(dataset.code, f, s.q)} download aria-label={t('download.link', { format: t(`download.format.${f}`), scope: s.title })} data-format={f} data-scope={s.key}>
                  {t(`download.format.${f}`)}
                </Button>
              </li>
            ))}
          </ul>
        </section>
      ))}
      {!query.filters.length && <p style={{ fontSize: 13 }}>{t('download.filteredNone')}</p>}
      <p style={{ fontSize: 13 }}>{t('download.csvNote')}</p>
    </div>
  );
}
