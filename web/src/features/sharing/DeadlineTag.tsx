import { Tag, Tooltip } from 'antd';
import { formatDate } from '../../i18n/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** A deadline in working days (the deadline is 24:00 of its last day, so that day is shown) as the server counted it (`daysLeft`, docs/sharing.md): days left, due today, or overdue in red. */
export function DeadlineTag({ dueAt, daysLeft, overdue }: { dueAt: string | null; daysLeft: number | null; overdue: boolean }) {
  const { t } = useI18n();
  if (dueAt === null || daysLeft === null) return <span className="deadline-none">{t('sharing.deadline.none')}</span>;
  const text = overdue
    ? daysLeft < 0
      ? t('sharing.deadline.overdueBy', { n: -daysLeft })
      : t('sharing.deadline.overdue')
    : daysLeft === 0
      ? t('sharing.deadline.today')
      : t('sharing.deadline.left', { n: daysLeft });
  return (
    <Tooltip title={t('sharing.deadline.due', { date: formatDate(new Date(new Date(dueAt).getTime() - 1)) })}>
      <Tag color={overdue ? 'red' : undefined} className={overdue ? 'deadline overdue' : 'deadline'}>
        {text}
      </Tag>
    </Tooltip>
  );
}
