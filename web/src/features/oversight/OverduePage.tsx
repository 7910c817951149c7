import { usePaging } from '../../components/usePaging.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useShareRequests } from '../sharing/api.ts';
import { RequestsTable } from '../sharing/RequestsTable.tsx';

/** 超期督办: `role=authority&overdue=true` — every overdue request of every department, in whatever state it waits. */
export function OverduePage() {
  const { t } = useI18n();
  const paging = usePaging('overdue');
  const rows = useShareRequests({ role: 'authority', overdue: 'true', cursor: paging.cursor, limit: 20 });
  return (
    <>
      <h1 className="page-title">{t('oversight.overdue.title')}</h1>
      <p>{t('oversight.overdue.lead')}</p>
      <RequestsTable rows={rows} paging={paging} label={t('oversight.overdue.title')} link={(r) => `/console/oversight/disputes/${r.id}`} empty={t('oversight.overdue.empty')} />
    </>
  );
}
