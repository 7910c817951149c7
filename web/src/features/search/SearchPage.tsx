import { Button, Checkbox, Empty, Input, Radio } from 'antd';
import { useId, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { CursorPager, cursorTrail } from '../../components/CursorPager.tsx';
import { DatasetCard } from '../../components/DatasetCard.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { codeLabel, formatLabel } from '../../i18n/labels.ts';
import { useDatasetSearch, type Facet, type SearchParams } from './api.ts';

type ListFacet = 'domain' | 'format' | 'updateCycle';
const LIST_FACETS: ListFacet[] = ['domain', 'format', 'updateCycle'];
const list = (v: string | null) => (v ? v.split(',').filter(Boolean) : []);

/** 数据目录: full-text search of the open catalogue with facets; everything it shows is in the URL, so a result page can be shared. */
export function SearchPage() {
  const { t, lang, number } = useI18n();
  const [params, setParams] = useSearchParams();
  const trail = cursorTrail(params.get('pages'));
  const search: SearchParams = useMemo(
    () => ({
      q: params.get('q') ?? undefined,
      department: params.get('department') ?? undefined,
      domain: list(params.get('domain')),
      format: list(params.get('format')),
      updateCycle: list(params.get('updateCycle')),
      cursor: trail.at(-1),
    }),
    [params],
  );
  const result = useDatasetSearch(search);
  const headingId = useId();

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    // a new question starts at its first page
    if (!('pages' in changes)) next.delete('pages');
    setParams(next);
  };
  const onSearch = (value: string) => update({ q: value.trim() || null });
    const facets = result.data?.facets;
  const active = (search.department ? 1 : 0) + LIST_FACETS.reduce((n, f) => n + (search[f]?.length ?? 0), 0);

  const facetLabel = (f: ListFacet, v: string) => (f === 'format' ? formatLabel(v, lang) : codeLabel(f, v, lang));
  const facetOptions = (f: ListFacet, values: Facet[] = [], selected: string[]) => {
    const shown = new Map(values.map((v) => [String(v.value), v.count]));
    for (const s of selected) if (!shown.has(s)) shown.set(s, 0);
    return [...shown].map(([value, n]) => ({ value, label: <span>{facetLabel(f, value)}<span className="facet-count">({number(n)})</span></span> }));
  };

  const filters = (
    <div>
      <fieldset className="facet">
        <legend>{t('search.facet.department')}</legend>
        <Radio.Group value={search.department ?? ''} onChange={(e) => update({ department: e.target.value || null })} style={{ display: 'flex', flexDirection: 'column' }}>
          <Radio value="">{t('search.anyDepartment')}</Radio>
          {(facets?.department ?? []).map((d) => (
            <Radio key={d.value} value={String(d.value)}>
              {d.label}
              <span className="facet-count">({number(d.count)})</span>
            </Radio>
          ))}
        </Radio.Group>
      </fieldset>
      {LIST_FACETS.map((f) => {
        const options = facetOptions(f, facets?.[f], search[f] ?? []);
        return options.length === 0 ? null : (
          <fieldset className="facet" key={f}>
            <legend>{t(`search.facet.${f}`)}</legend>
            <Checkbox.Group value={search[f]} options={options} onChange={(v) => update({ [f]: (v as string[]).join(',') || null })} />
          </fieldset>
        );
      })}
      {active > 0 && (
        <Button onClick={() => update({ department: null, domain: null, format: null, updateCycle: null })}>{t('search.clear')}</Button>
      )}
    </div>
  );

  return (
    <div>
      <h1 className="page-title">{t('search.heading')}</h1>
      <form role="search" className="panel" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="search-q" className="visually-hidden">
          {t('search.label')}
        </label>
        <Input.Search id="search-q" key={search.q ?? ''} defaultValue={search.q} placeholder={t('search.placeholder')} enterButton={t('search.submit')} size="large" allowClear onSearch={onSearch} />
      </form>
      <div className="search-layout">
        <aside className="panel" aria-label={t('search.filters')}>
          <details open={typeof window === 'undefined' || window.matchMedia('(min-width: 901px)').matches} className="facets-details">
            <summary>
              <h2 className="section-title" style={{ display: 'inline', margin: 0 }}>
                {t('search.filters')}
                {/* folded away on a phone: say that filters are on */}
                {active > 0 && ` (${active})`}
              </h2>
            </summary>
            <div style={{ marginTop: 12 }}>{filters}</div>
          </details>
        </aside>
        <section className="panel" aria-labelledby={headingId} aria-busy={result.isFetching}>
          <div className="results-head">
            <h2 id={headingId} className="section-title" style={{ margin: 0 }} aria-live="polite">
              {result.data ? t(result.data.approximate ? 'search.resultsApprox' : 'search.results', { n: number(result.data.total) }) : t('common.loading')}
            </h2>
          </div>
          {result.isError ? (
            <ProblemAlert error={result.error} onRetry={() => result.refetch()} />
          ) : result.isPending ? (
            <Loading rows={8} />
          ) : result.data.items.length === 0 ? (
            <Empty
              description={
                <div>
                  <p style={{ fontWeight: 600, margin: 0 }}>{t('search.empty')}</p>
                  <p style={{ margin: 0 }}>{t('search.emptyHint')}</p>
                </div>
              }
            >
              {active > 0 && <Button onClick={() => update({ department: null, domain: null, format: null, updateCycle: null })}>{t('search.clear')}</Button>}
            </Empty>
          ) : (
            <>
              <ul className="dataset-list">
                {result.data.items.map((d) => (
                  <li key={d.code}>
                    <DatasetCard d={d} />
                  </li>
                ))}
              </ul>
              <CursorPager
                label={t('search.heading')}
                page={trail.length + 1}
                hasPrev={trail.length > 0}
                next={result.data.next}
                onPrev={() => update({ pages: trail.slice(0, -1).join(',') || null })}
                onNext={(n) => update({ pages: [...trail, n].join(',') })}
              />
            </>
          )}
        </section>
      </div>
    </div>
  );
}
