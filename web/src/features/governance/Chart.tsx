import { Radio } from 'antd';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';

/** One palette, readable in grey too; the decal patterns tell series apart without colour. */
const PALETTE = ['#0b57d0', '#e8710a', '#1e8e3e', '#a142f4', '#d93025', '#12b5cb', '#5f6368', '#f9ab00'];

/** The aria description of a chart: its title, then each point's name and figure as the table view writes them. */
export function describe(lang: 'zh' | 'en', title: string, points: { name: string; text: string }[]): string {
  return lang === 'zh' ? `${title}。${points.map((p) => `${p.name}：${p.text}`).join('；')}。` : `${title}. ${points.map((p) => `${p.name}: ${p.text}`).join('; ')}.`;
}

/**
 * A chart drawn by ECharts (loaded only when one is drawn), with its aria description on. The
 * description is written from the same figures as the table view (ECharts' own reads a category
 * chart's values with their axis positions), so a screen reader hears what the table shows.
 */
export function EChart({ option, title, description, height }: { option: Record<string, unknown>; title: string; description: string; height: number }) {
  const { lang } = useI18n();
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let disposed = false;
    let chart: { dispose(): void; resize(): void } | null = null;
    const onResize = () => chart?.resize();
    import('./echarts.ts').then(({ echarts }) => {
      if (disposed || !el.current) return;
      const c = echarts.init(el.current, null, { renderer: 'canvas', locale: lang === 'zh' ? 'ZH' : 'EN' });
      chart = c;
      // the title is the card's heading on the page; ECharts still reads it into the aria description
      c.setOption({ aria: { enabled: true, decal: { show: true }, label: { description } }, color: PALETTE, title: { text: title, show: false }, ...option });
      window.addEventListener('resize', onResize);
    });
    return () => {
      disposed = true;
      window.removeEventListener('resize', onResize);
      chart?.dispose();
    };
  }, [option, title, description, lang]);
  return <div ref={el} className="gov-chart" style={{ height }} data-testid="chart" />;
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
