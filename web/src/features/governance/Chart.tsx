import { Radio } from 'antd';
import { useCallback, useState, type ReactNode } from 'react';
import { EChart as Chart } from '../../components/chart/EChart.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

/** The aria description of a chart: its title, then each point's name and figure as the table view writes them. */
export function describe(lang: 'zh' | 'en', title: string, points: { name: string; text: string }[]): string {
  return lang === 'zh' ? `${title}。${points.map((p) => `${p.name}：${p.text}`).join('；')}。` : `${title}. ${points.map((p) => `${p.name}: ${p.text}`).join('; ')}.`;
}

/** A governance chart: its aria description written from the table view's figures (see components/chart/EChart). */
export function EChart({ option, title, description, height }: { option: Record<string, unknown>; title: string; description: string; height: number }) {
  // the title is the card's heading on the page; ECharts still reads it into the aria description
  const draw = useCallback(() => ({ title: { text: title, show: false }, ...option }), [option, title]);
  return <Chart option={draw} description={description} className="gov-chart" style={{ height }} />;
}

/** A chart with its table view: the same figures, switched by a toggle the person can reach by keyboard. */
export function ChartOrTable({ label, chart, table }: { label: string; chart: ReactNode; table: ReactNode }) {
  const { t } = useI18n();
  const [view, setView] = useState<'chart' | 'table'>('chart');
  return (
    <>
      <Radio.Group
        className="gov-view"
        aria-label={`${t('gov.view')}：${label}`}
        value={view}
        onChange={(e) => setView(e.target.value)}
        optionType="button"
        size="small"
        options={[
          { value: 'chart', label: t('gov.asChart') },
          { value: 'table', label: t('gov.asTable') },
        ]}
      />
      {view === 'chart' ? chart : table}
    </>
  );
}
