import { Table } from 'antd';
import { useI18n } from '../../i18n/i18n.tsx';
import type { Evaluation, Trend } from './api.ts';
import { figure, HEAT_INDICATORS, labelKey, plotted, shown } from './indicators.ts';
import { NAME_WIDTH } from './options.ts';

/** A band of the 0–100 scale; the cell's figure is always written too, so colour is never the only signal. */
function band(v: number | null): string {
  if (v === null) return 'gov-heat-none';
  return v >= 80 ? 'gov-heat-good' : v >= 60 ? 'gov-heat-fair' : 'gov-heat-poor';
}

type Row = { id: number; name: string; score: number | null; values: (number | null)[] };

/** 部门 × 指标: each department's main indicators of the month, coloured by band. */
export function HeatTable({ month, trend, evaluation }: { month: string; trend: Trend; evaluation: Evaluation | undefined }) {
  const { t, number } = useI18n();
  const score = new Map((evaluation?.items ?? []).map((r) => [r.department.id, r.score]));
  const rows: Row[] = trend.items
    .filter((p) => p.month === month && p.department)
    .map((p) => ({ id: p.department!.id, name: p.department!.name, score: score.get(p.department!.id) ?? null, values: HEAT_INDICATORS.map((d) => figure(p.indicators, d.key)) }))
    .sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || a.id - b.id);
  return (
    <section className="panel" aria-labelledby="gov-heat">
      <h2 id="gov-heat">{t('gov.heat.title')}</h2>
      <p className="gov-note">{t('gov.heat.legend')}</p>
      <Table
        className="gov-table gov-heat"
        data-testid="heat-table"
        size="small"
        rowKey="id"
        pagination={false}
        scroll={{ x: 'max-content' }}
        caption={t('gov.heat.caption', { month })}
        dataSource={rows}
        columns={[
          { key: 'name', dataIndex: 'name', title: t('gov.department'), fixed: 'left', width: NAME_WIDTH },
          { key: 'score', dataIndex: 'score', title: t('gov.rank.score'), align: 'right', onCell: (r: Row) => ({ className: band(r.score) }), render: (v: number | null) => shown(v, 'score', number) },
          ...HEAT_INDICATORS.map((d, i) => ({
            key: d.key,
            title: t(labelKey(d.key)),
            align: 'right' as const,
            onCell: (r: Row) => ({ className: band(plotted(r.values[i], d.kind)) }),
            render: (_: unknown, r: Row) => shown(r.values[i], d.kind, number),
          })),
        ]}
      />
    </section>
  );
}
