import { Input } from 'antd';
import { Link, useNavigate } from 'react-router';
import { DatasetCard } from '../../components/DatasetCard.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { codeLabel, PRIORITY_DOMAINS } from '../../i18n/labels.ts';
import { useDatasetSearch } from '../search/api.ts';
import { useOpenSummary, type OpenSummary } from './api.ts';

/** 首页: "is there data about X, and can I get it now?" — a search box first, then what is open. */
export function HomePage() {
  const { t, lang, count, number } = useI18n();
  const navigate = useNavigate();
  const summary = useOpenSummary();
  // the facets of an empty search count the datasets of each domain
  const domains = useDatasetSearch({ limit: 1 });
  const domainCounts = new Map((domains.data?.facets?.domain ?? []).map((f) => [String(f.value), f.count]));

  const stats: [string, 'datasets' | 'departments' | 'rows' | 'downloadsThisMonth', (n: number) => string][] = [
    [t('home.stat.datasets'), 'datasets', number],
    [t('home.stat.departments'), 'departments', number],
    [t('home.stat.rows'), 'rows', count],
    [t('home.stat.downloads'), 'downloadsThisMonth', number],
  ];

  const list = (items: OpenSummary['newest'], extra?: (d: OpenSummary['newest'][number]) => string) =>
    items.length === 0 ? (
      <p>{t('home.noneYet')}</p>
    ) : (
      <ul className="dataset-list">
        {items.map((d) => (
          <li key={d.code}>
            <DatasetCard d={d} extra={extra?.(d)} />
          </li>
        ))}
      </ul>
    );

  return (
    <div>
      <section className="hero">
        <h1>{t('home.heading')}</h1>
        <p>{t('home.lead')}</p>
        <form role="search" onSubmit={(e) => e.preventDefault()}>
          <label htmlFor="home-q" className="visually-hidden">
            {t('home.searchLabel')}
          </label>
          <Input.Search id="home-q" size="large" placeholder={t('home.searchPlaceholder')} enterButton={t('home.search')} onSearch={(q) => navigate(q.trim() ? `/search?q=${encodeURIComponent(q.trim())}` : '/search')} />
        </form>
      </section>

      <section aria-labelledby="stats-title">
        <h2 id="stats-title" className="visually-hidden">{t('home.stats')}</h2>
        {summary.isError ? (
          <ProblemAlert error={summary.error} onRetry={() => summary.refetch()} />
        ) : (
          <dl className="stats">
            {stats.map(([label, key, fmt]) => (
              <div className="stat" key={key}>
                <dt className="stat-label">{label}</dt>
                <dd className="stat-value" style={{ margin: 0 }}>{summary.data ? fmt(summary.data[key]) : '—'}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>

      <section aria-labelledby="domains-title">
        <h2 id="domains-title" className="section-title">{t('home.domains')}</h2>
        <ul className="domains">
          {PRIORITY_DOMAINS.map((d) => (
            <li key={d}>
              <Link to={`/search?domain=${d}`}>
                <span className="domain-name">{codeLabel('domain', d, lang)}</span>
                <span className="domain-count">{domains.data ? t('home.domainCount', { n: number(domainCounts.get(d) ?? 0) }) : '\u00a0'}</span>
              </Link>
            </li>
          ))}
        </ul>
      </section>

      <div className="two-cols">
        <section className="panel" aria-labelledby="newest-title" style={{ marginTop: 16 }}>
          <h2 id="newest-title" className="section-title" style={{ marginTop: 0 }}>{t('home.newest')}</h2>
          {summary.isPending ? <Loading /> : summary.data && list(summary.data.newest)}
        </section>
        <section className="panel" aria-labelledby="used-title" style={{ marginTop: 16 }}>
          <h2 id="used-title" className="section-title" style={{ marginTop: 0 }}>{t('home.mostUsed')}</h2>
          {summary.isPending ? <Loading /> : summary.data && list(summary.data.mostUsed, (d) => t('home.uses', { n: number(d.uses) }))}
        </section>
      </div>
      <p style={{ textAlign: 'center' }}>
        <Link to="/search">{t('home.all')}</Link>
      </p>
    </div>
  );
}
