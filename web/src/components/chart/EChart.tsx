import { useEffect, useRef, type CSSProperties } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';

/** One palette, readable in grey too; the decal patterns tell series apart without colour (and in print). */
const PALETTE = ['#0b57d0', '#e8710a', '#1e8e3e', '#a142f4', '#d93025', '#12b5cb', '#5f6368', '#f9ab00'];

/**
 * A chart drawn by ECharts — loaded only when a chart is drawn — with its aria description on, the
 * palette and decal patterns, redrawn when its option or the language changes and resized with the
 * window. `option` gets the element's width, so a chart can lay itself out for a phone; keep it
 * stable between renders (useCallback). `description`, when given, replaces ECharts' own aria text
 * (which reads a category chart's values with their axis positions) with one written from the same
 * figures as the chart's table view.
 */
export function EChart({
  option,
  description,
  className,
  style,
  onDrawn,
}: {
  option: (width: number) => Record<string, unknown>;
  description?: string;
  className?: string;
  style?: CSSProperties;
  onDrawn?: () => void;
}) {
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
      c.setOption({ color: PALETTE, ...option(el.current.clientWidth), aria: { enabled: true, decal: { show: true }, ...(description ? { label: { description } } : {}) } });
      onDrawn?.();
      window.addEventListener('resize', onResize);
    });
    return () => {
      disposed = true;
      window.removeEventListener('resize', onResize);
      chart?.dispose();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- onDrawn is a notice, not what is drawn
  }, [option, description, lang]);
  return <div ref={el} className={className} style={style} data-testid="chart" />;
}
