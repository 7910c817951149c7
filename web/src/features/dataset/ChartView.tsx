import { Radio, Select, Table } from 'antd';
import { useCallback, useMemo } from 'react';
import { EChart } from '../../components/chart/EChart.tsx';
import { Field } from '../../components/Field.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { CHART_ROW_LIMIT, useChartRows, type Dataset } from './api.ts';
import { aggregate, type Aggregation, type Group } from './aggregate.ts';
import { NUMERIC_TYPES, type RowQuery } from '../../components/preview/rowQuery.ts';

type Kind = 'bar' | 'line' | 'pie';
const KINDS: Kind[] = ['bar', 'line', 'pie'];
const AGGS: Aggregation[] = ['count', 'sum', 'mean'];
const MAX_GROUPS = 30;

/**
 * The chart of the filtered rows: x, y and aggregation chosen by the person (kept in the URL), drawn
 * by ECharts with its aria description on, and the same figures as a table.
 */
export function ChartView({ dataset, query, params, setParams }: { dataset: Dataset; query: RowQuery; params: URLSearchParams; setParams(changes: Record<string, string | null>): void }) {
  const { t, number } = useI18n();
  const groupable = dataset.items.filter((i) => !NUMERIC_TYPES.has(i.type) || i.type === 'I');
  const numeric = dataset.items.filter((i) => NUMERIC_TYPES.has(i.type) && !i.masked);
  const x = dataset.items.some((i) => i.name === params.get('x')) ? params.get('x')! : (groupable[0] ?? dataset.items[0])?.name;
  const agg: Aggregation = AGGS.includes(params.get('agg') as Aggregation) && numeric.length ? (params.get('agg') as Aggregation) : 'count';
  const y = agg === 'count' ? null : numeric.some((i) => i.name === params.get('y')) ? params.get('y')! : numeric[0]?.name ?? null;
  const kind: Kind = KINDS.includes(params.get('chart') as Kind) ? (params.get('chart') as Kind) : 'bar';
  const view = params.get('view') === 'table' ? 'table' : 'chart';
  const fields = [x, ...(y ? [y] : [])].filter(Boolean) as string[];
  const rows = useChartRows(dataset.code, query, fields, Boolean(x));
  const label = (name: string | null) => dataset.items.find((i) => i.name === name)?.label ?? '';
  const blank = t('chart.blank');
  const groups = useMemo(() => (rows.data ? aggregate(rows.data.items, x, y, agg, blank) : []), [rows.data, x, y, agg, blank]);
  const shown = useMemo(() => groups.slice(0, MAX_GROUPS), [groups]);
  const title = y ? t('chart.title', { x: label(x), y: label(y), agg: t(`chart.${agg}`) }) : t('chart.titleCount', { x: label(x) });

  return (
    <div>
      <div className="chart-controls">
        <Field label={t('chart.x')}>
          {(id) => <Select id={id} style={{ minWidth: 160 }} value={x} onChange={(v) => setParams({ x: v })} options={dataset.items.map((i) => ({ value: i.name, label: i.label }))} />}
        </Field>
        <Field label={t('chart.agg')}>
          {(id) => <Select id={id} style={{ minWidth: 100 }} value={agg} onChange={(v) => setParams({ agg: v })} options={AGGS.filter((a) => a === 'count' || numeric.length).map((a) => ({ value: a, label: t(`chart.${a}`) }))} />}
        </Field>
        {agg !== 'count' && (
          <Field label={t('chart.y')}>
            {(id) => <Select id={id} style={{ minWidth: 160 }} value={y ?? undefined} onChange={(v) => setParams({ y: v })} options={numeric.map((i) => ({ value: i.name, label: i.label }))} />}
          </Field>
        )}
        <Field label={t('chart.type')}>
          {(id) => <Select id={id} style={{ minWidth: 100 }} value={kind} onChange={(v) => setParams({ chart: v })} options={KINDS.map((k) => ({ value: k, label: t(`chart.${k}`) }))} />}
        </Field>
        <Radio.Group aria-label={t('chart.view')} value={view} onChange={(e) => setParams({ view: e.target.value === 'table' ? 'table' : null })} optionType="button"
          options={[{ value: 'chart', label: t('chart.asChart') }, { value: 'table', label: t('chart.asTable') }]} />
      </div>
      {rows.isError ? (
        <ProblemAlert error={rows.error} onRetry={() => rows.refetch()} />
      ) : rows.isPending ? (
        <Loading rows={6} />
      ) : (
        <>
          <p style={{ margin: '0 0 8px', fontSize: 13 }}>
            {rows.data.count !== undefined && rows.data.count > CHART_ROW_LIMIT
              ? t('chart.rowsCapped', { n: number(CHART_ROW_LIMIT), total: number(rows.data.count) })
              : t('chart.rowsUsed', { n: number(rows.data.items.length) })}
          </p>
          {groups.length === 0 ? (
            <p>{t('chart.empty')}</p>
          ) : view === 'table' ? (
            <Table
              className="chart-table"
              size="small"
              rowKey="key"
              pagination={false}
              caption={title}
              dataSource={groups}
              columns={[
                { key: 'key', dataIndex: 'key', title: label(x) },
                { key: 'value', dataIndex: 'value', title: `${t(`chart.${agg}`)}${y ? ` · ${label(y)}` : ''}`, align: 'right', render: (v: number) => number(v) },
              ]}
            />
          ) : (
            <Chart groups={shown} kind={kind} title={title} seriesName={t(`chart.${agg}`)} />
          )}
        </>
      )}
    </div>
  );
}

function Chart({ groups, kind, title, seriesName }: { groups: Group[]; kind: Kind; title: string; seriesName: string }) {
  const option = useCallback(
    (width: number) => {
      // on a phone the group names turn sooner, so they do not run into each other
      const narrow = width < 600;
      return {
        title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
        tooltip: { trigger: kind === 'pie' ? 'item' : 'axis' },
        ...(kind === 'pie'
          ? { series: [{ type: 'pie', name: seriesName, radius: ['30%', '65%'], top: 30, data: groups.map((g) => ({ name: g.key, value: g.value })) }] }
          : {
              grid: { left: 8, right: 16, bottom: 8, top: 48, containLabel: true },
              xAxis: { type: 'category', data: groups.map((g) => g.key), axisLabel: { interval: 0, rotate: groups.length > (narrow ? 2 : 6) ? 40 : 0, width: narrow ? 64 : 90, overflow: 'truncate' } },
              yAxis: { type: 'value' },
              series: [{ type: kind, name: seriesName, data: groups.map((g) => g.value) }],
            }),
      };
    },
    [groups, kind, title, seriesName],
  );
  return <EChart option={option} className="chart-canvas" />;
}
