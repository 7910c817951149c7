import { Tag } from 'antd';
import { Link } from 'react-router';
import type { Schema } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { codeLabel } from '../i18n/labels.ts';

type Summary = Schema<'DatasetSummary'>;

/** What a card shows: a search result (DatasetSummary) has it all, a home page list's entry (SummaryDataset) has no summary, cycle or data date. */
export type DatasetLike = Pick<Summary, 'code' | 'name' | 'department' | 'domain' | 'rows' | 'publishedAt'> & Partial<Pick<Summary, 'summary' | 'updateCycle' | 'dataUpdatedAt'>>;

export const datasetPath = (code: string) => `/datasets/${encodeURIComponent(code)}`;

/** A dataset in a list (search results, home): its name links to its page; every value is text. */
export function DatasetCard({ d, extra, headingLevel = 3 }: { d: DatasetLike; extra?: string; headingLevel?: 2 | 3 }) {
  const { t, lang, date, count } = useI18n();
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <article className="dataset-card">
      <H className="dataset-card-title">
        <Link to={datasetPath(d.code)}>{d.name}</Link>
      </H>
      {d.summary && <p className="dataset-card-summary">{d.summary}</p>}
      <div className="dataset-card-meta">
        <span>{d.department.name}</span>
        {d.domain && <Tag color="blue">{codeLabel('domain', d.domain, lang)}</Tag>}
        {d.updateCycle && <Tag>{codeLabel('updateCycle', d.updateCycle, lang)}</Tag>}
        <span>{d.rows === null ? t('search.noData') : t('common.rows', { n: count(d.rows) })}</span>
        {(d.dataUpdatedAt || d.publishedAt) && <span>{t('search.updated', { d: date(d.dataUpdatedAt ?? d.publishedAt) })}</span>}
        {extra && <span>{extra}</span>}
      </div>
    </article>
  );
}
