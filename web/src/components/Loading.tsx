import { Skeleton } from 'antd';
import { useI18n } from '../i18n/i18n.tsx';

/** A loading state that keeps the layout, announced to screen readers. */
export function Loading({ rows = 4 }: { rows?: number }) {
  const { t } = useI18n();
  return (
    <div role="status" aria-live="polite">
      <span className="visually-hidden">{t('common.loading')}</span>
      <Skeleton active paragraph={{ rows }} />
    </div>
  );
}
