import { Alert, Descriptions, Tabs, Tag } from 'antd';
import { lazy, Suspense, useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { codeLabel } from '../../i18n/labels.ts';
import { ApiSnippets } from './ApiSnippets.tsx';
import { may, useMe } from '../session/api.ts';
import { datasetApi, useDataset } from './api.ts';
import { Downloads } from './Downloads.tsx';
import { ItemsTable, QualityTable } from './ItemsTable.tsx';
import { PreviewTable } from '../../components/preview/PreviewTable.tsx';
import { readRowQuery, writeRowQuery, type RowQuery } from '../../components/preview/rowQuery.ts';

// the chart view brings ECharts: loaded when its tab is opened
const ChartView = lazy(async () => ({ default: (await import('./ChartView.tsx')).ChartView }));
// a code the open catalogue does not have may be a conditionally open dataset (有条件开放): its conditions and the application form
const ConditionalDatasetView = lazy(async () => ({ default: (await import('../open-applications/ConditionalDatasetView.tsx')).ConditionalDatasetView }));

const TABS = ['preview', 'chart', 'items', 'quality', 'download', 'api'] as const;
type Tab = (typeof TABS)[number];

/** 数据集详情: what the dataset is, its rows (filter, sort, chart), and how to take it away. */
export function DatasetPage() {
  const { code = '' } = useParams();
  const { t, lang, date, number } = useI18n();
  const [params, setParams] = useSearchParams();
  const ds = useDataset(code);
  // a department's staff may ask for the full resource, unmasked items included, through sharing
  const me = useMe().data;
  const query = useMemo(() => readRowQuery(params), [params]);
  const tab: Tab = TABS.includes(params.get('tab') as Tab) ? (params.get('tab') as Tab) : 'preview';

  const change = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: !('pages' in changes) });
  };
  // other filters or another order start the preview at its first page
  const setQuery = (q: RowQuery) => {
    const next = writeRowQuery(params, q);
    next.delete('pages');
    setParams(next);
  };

  if (ds.isError && ds.error instanceof ApiError && ds.error.status === 404) {
    return (
      <Suspense fallback={<Loading rows={10} />}>
        <ConditionalDatasetView code={code} />
      </Suspense>
    );
  }
  if (ds.isError) return <ProblemAlert error={ds.error} onRetry={() => ds.refetch()} />;
  if (ds.isPending) return <Loading rows={10} />;
  const d = ds.data;
  const loaded = Boolean(d.links.rows);

  const panel = (which: Tab) => {
    if (!loaded && ['preview', 'chart', 'download'].includes(which)) return <Alert type="info" showIcon message={t('dataset.noData')} />;
    switch (which) {
      case 'preview':
        return <PreviewTable items={d.items} totalRows={d.rows} source={{ path: datasetApi(d.code).rows }} query={query} params={params} setQuery={setQuery} setPaging={change} />;
      case 'chart':
        return (
          <Suspense fallback={<Loading />}>
            <ChartView dataset={d} query={query} params={params} setParams={change} />
          </Suspense>
        );
      case 'items':
        return <ItemsTable dataset={d} />;
      case 'quality':
        return <QualityTable dataset={d} />;
      case 'download':
        return <Downloads dataset={d} query={query} />;
      case 'api':
        return <ApiSnippets dataset={d} query={query} />;
    }
  };

  return (
    <div>
      <p style={{ margin: 0 }}>
        <Link to="/search">← {t('dataset.back')}</Link>
      </p>
      <div className="dataset-head panel">
        <h1>{d.name}</h1>
        <p>{d.summary}</p>
        <div>
          {d.domain && <Tag color="blue">{codeLabel('domain', d.domain, lang)}</Tag>}
          <Tag color="green">{codeLabel('openType', 'open', lang)}</Tag>
          {d.tags.map((tag) => (
            <Tag key={tag}>{tag}</Tag>
          ))}
        </div>
      </div>
      <section className="panel" aria-labelledby="meta-title">
        <h2 id="meta-title" className="visually-hidden">{t('dataset.meta')}</h2>
        <Descriptions className="meta-grid" size="small" column={{ xs: 1, sm: 2, lg: 3 }} bordered>
          <Descriptions.Item label={t('dataset.department')}>
            <Link to={`/search?department=${d.department.id}`}>{d.department.name}</Link>
          </Descriptions.Item>
          <Descriptions.Item label={t('dataset.updateCycle')}>{codeLabel('updateCycle', d.updateCycle, lang)}</Descriptions.Item>
          <Descriptions.Item label={t('dataset.lastUpdate')}>{date(d.dataUpdatedAt ?? d.publishedAt)}</Descriptions.Item>
          <Descriptions.Item label={t('dataset.rows')}>{d.rows === null ? t('search.noData') : number(d.rows)}</Descriptions.Item>
          <Descriptions.Item label={t('dataset.licence')}>
            <a href={d.licence.url} rel="license noreferrer">{d.licence.title}</a>
          </Descriptions.Item>
          <Descriptions.Item label={t('dataset.code')}>
            <code>{d.code}</code>
            {may(me, 'createShareRequest') && (
              <Link to={`/console/sharing/request?code=${encodeURIComponent(d.code)}`} style={{ marginInlineStart: 8 }}>
                {t('sharing.menu.request')}
              </Link>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('dataset.published')}>{date(d.publishedAt)}</Descriptions.Item>
          <Descriptions.Item label={t('dataset.format')}>{codeLabel('formatType', d.format.type, lang)}{d.format.subtype ? ` (${d.format.subtype})` : ''}</Descriptions.Item>
        </Descriptions>
      </section>
      <section className="panel">
        <Tabs
          activeKey={tab}
          onChange={(k) => change({ tab: k === 'preview' ? null : k })}
          items={TABS.map((k) => ({ key: k, label: t(`dataset.tab.${k}`), children: k === tab ? panel(k) : null }))}
        />
      </section>
    </div>
  );
}
