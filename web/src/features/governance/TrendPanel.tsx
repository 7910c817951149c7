import { Select, Table } from 'antd';
import { useMemo, useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { Trend } from './api.ts';
import { ChartOrTable, describe, EChart } from './Chart.tsx';
import { DASHBOARD_INDICATORS, figure, kindOf, labelKey, plotted, shown, type IndicatorKey } from './indicators.ts';
import { lineOption } from './options.ts';

/** 月度趋势: one indicator of the city or one department over the months, as a line and as a table. */
export function TrendPanel({ trend, months, cityView }: { trend: Trend; months: string[]; cityView: boolean }) {
  const { t, number, lang } = useI18n();
  const [indicator, setIndicator] = useState<IndicatorKey>('census.linkRate');
  const departments = useMemo(() => {
    const seen = new Map<number, string>();
    for (const p of trend.items) if (p.department) seen.set(p.department.id, p.department.name);
    return [...seen].map(([id, name]) => ({ id, name }));
  }, [trend]);
  // the city for the authority; an officer's own department (the only one the server gives them)
  const [chosen, setChosen] = useState<'city' | number>('city');
  const who = cityView ? chosen : (departments[0]?.id ?? 'city');
  const whoName = who === 'city' ? t('gov.city') : (departments.find((d) => d.id === who)?.name ?? '');
  const kind = kindOf(indicator);
  const label = t(labelKey(indicator));
  const rows = useMemo(
    () =>
      months.map((month) => {
        const p = trend.items.find((x) => x.month === month && (who === 'city' ? x.department === null : x.department?.id === who));
        return { month, value: p ? figure(p.indicators, indicator) : null };
      }),
    [trend, months, who, indicator],
  );
  const title = t('gov.trend.chart', { indicator: label, who: whoName });
  const fmt = (v: number) => (kind === 'share' ? `${number(v)}%` : number(v));
  const option = useMemo(
    () => lineOption(rows.map((r) => r.month), rows.map((r) => plotted(r.value, kind)), { seriesName: label, percent: kind === 'share', hundred: kind === 'score', format: fmt }),
    [rows, kind, label, number],
  );
  return (
    <section className="panel" aria-labelledby="gov-trend">
      <h2 id="gov-trend">{t('gov.trend.title')}</h2>
      <div className="chart-controls">
        <Field label={t('gov.indicator')}>
          {(id) => <Select id={id} style={{ minWidth: 200 }} value={indicator} onChange={setIndicator} options={DASHBOARD_INDICATORS.map((d) => ({ value: d.key, label: t(labelKey(d.key)) }))} />}
        </Field>
        {cityView && (
          <Field label={t('gov.department')}>
            {(id) => (
              <Select id={id} style={{ minWidth: 200 }} value={chosen} onChange={setChosen} showSearch optionFilterProp="label"
                options={[{ value: 'city' as const, label: t('gov.city') }, ...departments.map((d) => ({ value: d.id, label: d.name }))]} />
            )}
          </Field>
        )}
      </div>
      {trend.items.length === 0 ? (
        <p>{t('gov.trend.empty')}</p>
      ) : (
        <ChartOrTable
          label={t('gov.trend.title')}
          chart={<EChart option={option} title={title} description={describe(lang, title, rows.map((r) => ({ name: r.month, text: shown(r.value, kind, number) })))} height={300} />}
          table={
            <Table
              className="gov-table"
              data-testid="trend-table"
              size="small"
              rowKey="month"
              pagination={false}
              caption={title}
              dataSource={rows}
              columns={[
                { key: 'month', dataIndex: 'month', title: t('gov.trend.month') },
                { key: 'value', dataIndex: 'value', title: label, align: 'right', render: (v: number | null) => shown(v, kind, number) },
              ]}
            />
          }
        />
      )}
    </section>
  );
}
