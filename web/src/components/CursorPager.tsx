import { Button, Space } from 'antd';
import { useI18n } from '../i18n/i18n.tsx';

/**
 * Keyset paging as the API pages (a `next` cursor, no page numbers to jump to): the cursors that
 * led to this page are kept by the caller (in the URL), so "previous" goes back one.
 */
export function CursorPager({ page, hasPrev, next, onPrev, onNext, label }: { page: number; hasPrev: boolean; next: string | null; onPrev(): void; onNext(next: string): void; label: string }) {
  const { t } = useI18n();
  if (!hasPrev && !next) return null;
  return (
    <nav aria-label={label} className="cursor-pager">
      <Space wrap>
        <Button onClick={onPrev} disabled={!hasPrev}>
          {t('common.prev')}
        </Button>
        <span aria-live="polite">{t('common.page', { n: page })}</span>
        <Button onClick={() => next && onNext(next)} disabled={!next}>
          {t('common.next')}
        </Button>
      </Space>
    </nav>
  );
}

/** The cursors trail kept in a URL parameter: `a,b,c` (cursors are base64url, never a comma). */
export function cursorTrail(raw: string | null): string[] {
  return raw ? raw.split(',').filter(Boolean) : [];
}
