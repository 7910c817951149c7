import { Badge } from 'antd';
import { Link } from 'react-router';
import { useI18n } from '../../i18n/i18n.tsx';
import { may, useMe } from '../session/api.ts';
import { useWaiting } from './api.ts';

/** The console top bar's bell: how much waits on the person, red when some of it is overdue; leads to the inbox (or the authority's queues). */
export function WaitingBell() {
  const { t } = useI18n();
  const me = useMe().data;
  const allowed = may(me, 'getWaitingWork');
  const w = useWaiting(allowed);
  if (!allowed || !w.data) return null;
  const to = may(me, 'approveShareRequest') || may(me, 'approveResource') ? '/console/inbox' : '/console/oversight/publish';
  const label = t('work.bell', { n: w.data.waiting, o: w.data.overdue });
  return (
    <Link to={to} className="waiting-bell" aria-label={label} title={label}>
      <Badge count={w.data.waiting} overflowCount={999} color={w.data.overdue > 0 ? '#cf1322' : '#595959'} size="small">
        <span aria-hidden="true" className="bell-icon">
          🔔
        </span>
      </Badge>
      {w.data.overdue > 0 && <span className="bell-overdue">{t('sharing.deadline.overdue')} {w.data.overdue}</span>}
    </Link>
  );
}
