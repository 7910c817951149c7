import { Empty, Select, Table } from 'antd';
import { useMemo, useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useOpenIndex } from './api.ts';
import { ChartOrTable, describe, EChart } from './Chart.tsx';
import { figure, OPEN_INDICATORS, plotted, shown } from './indicators.ts';
import { barHeight, barOption, NAME_WIDTH } from './options.ts';
import './governance.css';

type Row = { key: string; name: string; open: object; total?: true };

/**
 * 开放指数: each department's open-data figures for a month, for anyone (GET /api/v1/open/index,
 * public, counts only), as a chart with its table view and as the full table.
 */
export function OpenIndexPage() {
  const { t, number, lang } = useI18n();
  const [month, setMonth] = useState<string | undefined>(undefined);
  const q = useOpenIndex(month);
  const [by, setBy] = useState<string>('datasets');
  const data = q.data;
  // the figures the API gives: an older server without a figure simply has no column for it
  const columns = OPEN_INDICATORS.filter((d) => data?.city && d.key in data.city);
  const kind = OPEN_INDICATORS.find((d) => d.key === by)?.kind ?? 'count';
  const label = t(`gov.ind.open.${by}` as Parameters<typeof t>[0]);
  const shownMonth = data?.month ?? '';
  const bars = useMemo(
    () => (data?.departments ?? []).map((r) => ({ name: r.department.name, value: figure(r.open, by) })).filter((r) => r.value !== null).sort((a, b) => b.value! - a.value!),
    [data, by],
  );
  const chartTitle = t('gov.open.chart', { month: shownMonth, indicator: label });
  const option = useMemo(
    () => barOption(bars.map((b) => ({ name: b.name, value: plotted(b.value, kind) })), { seriesName: label, percent: kind === 'share', format: (v) => (kind === 'share' ? `${number(v)}%` : number(v)) }),
    [bars, kind, label, number],
  );
  const rows: Row[] = data?.city ? [...data.departments.map((r) => ({ key: String(r.department.id), name: r.department.name, open: r.open })), { key: 'city', name: t('gov.city'), open: data.city, total: true }] : [];

  return (
    <div>
      <h1 className="page-title">{t('gov.open.title')}</h1>
      <p>{t('gov.open.lead')}</p>
      {q.isError ? (
        <ProblemAlert error={q.error} onRetry={() => q.refetch()} />
      ) : q.isPending ? (
        <Loading rows={8} />
      ) : !data!.month ? (
        <Empty description={t('gov.open.empty')} />
      ) : (
        <>
          <div className="chart-controls">
            <Field label={t('gov.open.month')}>
              {(id) => <Select id={id} style={{ minWidth: 140 }} value={data!.month!} onChange={setMonth} options={data!.months.map((m) => ({ value: m, label: m }))} />}
            </Field>
            <Field label={t('gov.open.chartBy')}>
              {(id) => <Select id={id} style={{ minWidth: 180 }} value={by} onChange={setBy} options={columns.filter((c) => c.key !== 'developers').map((c) => ({ value: c.key, label: t(`gov.ind.open.${c.key}` as Parameters<typeof t>[0]) }))} />}
            </Field>
          </div>
          <section className="panel" aria-labelledby="open-chart">
            <h2 id="open-chart">{chartTitle}</h2>
            {bars.length === 0 ? (
              <p>{t('gov.open.noBars')}</p>
            ) : (
              <ChartOrTable
                label={chartTitle}
                chart={<EChart option={option} title={chartTitle} description={describe(lang, chartTitle, bars.map((b) => ({ name: b.name, text: shown(b.value, kind, number) })))} height={barHeight(bars.length)} />}
                table={
                  <Table
                    className="gov-table"
                    data-testid="open-chart-table"
                    size="small"
                    rowKey="name"
                    pagination={false}
                    caption={chartTitle}
                    dataSource={bars}
                    columns={[
                      { key: 'name', dataIndex: 'name', title: t('gov.department') },
                      { key: 'value', dataIndex: 'value', title: label, align: 'right', render: (v: number | null) => shown(v, kind, number) },
                    ]}
                  />
                }
              />
            )}
          </section>
          <section className="panel" aria-labelledby="open-table">
            <h2 id="open-table">{t('gov.open.table', { month: shownMonth })}</h2>
            {/* a wide table scrolls sideways in a region the keyboard can reach (an antd scroll box cannot take the focus) */}
            <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="open-table">
              <Table
                className="gov-table gov-open-table"
                data-testid="open-index-table"
                size="small"
                rowKey="key"
                pagination={false}
                rowClassName={(r: Row) => (r.total ? 'gov-open-total' : '')}
                dataSource={rows}
                columns={[
                  { key: 'name', dataIndex: 'name', title: t('gov.department'), width: NAME_WIDTH },
                  ...columns.map((c) => ({
                    key: c.key,
                    title: t(`gov.ind.open.${c.key}` as Parameters<typeof t>[0]),
                    align: 'right' as const,
                    render: (_: unknown, r: Row) => shown(figure(r.open, c.key), c.kind, number),
                  })),
                ]}
              />
            </div>
            <p className="gov-note">{t('gov.open.definitions')}</p>
          </section>
        </>
      )}
    </div>
  );
}
