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
        {/* drawn, not an emoji: government desktops often have no emoji font */}
        <svg aria-hidden="true" className="bell-icon" viewBox="0 0 24 24" width="20" height="20" fill="currentColor">
          <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z" />
        </svg>
      </Badge>
      {w.data.overdue > 0 && <span className="bell-overdue">{t('sharing.deadline.overdue')} {w.data.overdue}</span>}
    </Link>
  );
}
