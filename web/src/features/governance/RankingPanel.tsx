import { Select, Table } from 'antd';
import { useMemo, useState } from 'react';
import { Field } from '../../components/Field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { Evaluation, Trend } from './api.ts';
import { ChartOrTable, describe, EChart } from './Chart.tsx';
import { DASHBOARD_INDICATORS, figure, kindOf, labelKey, plotted, shown, type IndicatorKey } from './indicators.ts';
import { barHeight, barOption } from './options.ts';

interface Ranked {
  department: { id: number; name: string };
  rank: number | null;
  value: number | null;
}

/** Standard competition ranks (1, 1, 3), highest first; departments with nothing to measure last, unranked. */
function rankBy(rows: { department: { id: number; name: string }; value: number | null }[]): Ranked[] {
  const scored = rows.filter((r) => r.value !== null).sort((a, b) => b.value! - a.value!);
  const ranked: Ranked[] = [];
  scored.forEach((r, i) => ranked.push({ ...r, rank: i > 0 && scored[i - 1].value === r.value ? ranked[i - 1].rank : i + 1 }));
  return [...ranked, ...rows.filter((r) => r.value === null).map((r) => ({ ...r, rank: null }))];
}

/** 部门排名: the month's evaluation score (考核评价) or one indicator of the month's snapshot, as bars and as a table. */
export function RankingPanel({ month, evaluation, trend }: { month: string; evaluation: Evaluation | undefined; trend: Trend }) {
  const { t, number, lang } = useI18n();
  const [by, setBy] = useState<'score' | IndicatorKey>('score');
  const kind = by === 'score' ? 'score' : kindOf(by);
  const label = by === 'score' ? t('gov.rank.score') : t(labelKey(by));
  const rows: Ranked[] = useMemo(() => {
    if (by === 'score') return (evaluation?.items ?? []).map((r) => ({ department: r.department, rank: r.rank, value: r.score }));
    return rankBy(trend.items.filter((p) => p.month === month && p.department).map((p) => ({ department: p.department!, value: figure(p.indicators, by) })));
  }, [by, evaluation, trend, month]);
  const title = t('gov.rank.chart', { month, indicator: label });
  const bars = rows.filter((r) => r.value !== null);
  const option = useMemo(
    () => barOption(bars.map((r) => ({ name: r.department.name, value: plotted(r.value, kind) })), { seriesName: label, percent: kind === 'share', hundred: kind === 'score', format: (v) => (kind === 'share' ? `${number(v)}%` : number(v)) }),
    [rows, kind, label, number],
  );
  return (
    <section className="panel" aria-labelledby="gov-rank">
      <h2 id="gov-rank">{t('gov.rank.title')}</h2>
      <div className="chart-controls">
        <Field label={t('gov.rank.by')}>
          {(id) => (
            <Select id={id} style={{ minWidth: 200 }} value={by} onChange={setBy}
              options={[{ value: 'score' as const, label: t('gov.rank.score') }, ...DASHBOARD_INDICATORS.map((d) => ({ value: d.key, label: t(labelKey(d.key)) }))]} />
          )}
        </Field>
      </div>
      {by === 'score' && evaluation && <p className="gov-note">{t('gov.rank.settings', { version: evaluation.settingsVersion })}</p>}
      {bars.length === 0 ? (
        <p>{t('gov.rank.empty')}</p>
      ) : (
        <ChartOrTable
          label={t('gov.rank.title')}
          chart={<EChart option={option} title={title} description={describe(lang, title, bars.map((r) => ({ name: r.department.name, text: shown(r.value, kind, number) })))} height={barHeight(bars.length)} />}
          table={
            <Table
              className="gov-table"
              data-testid="rank-table"
              size="small"
              rowKey={(r) => r.department.id}
              pagination={false}
              caption={title}
              dataSource={rows}
              columns={[
                { key: 'rank', dataIndex: 'rank', title: t('gov.rank.rank'), width: 64, render: (v: number | null) => (v === null ? '—' : number(v)) },
                { key: 'department', title: t('gov.department'), render: (_: unknown, r: Ranked) => r.department.name },
                { key: 'value', dataIndex: 'value', title: label, align: 'right', render: (v: number | null) => shown(v, kind, number) },
              ]}
            />
          }
        />
      )}
    </section>
  );
}
