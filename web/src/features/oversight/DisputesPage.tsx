import { Link } from 'react-router';
import { usePaging } from '../../components/usePaging.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useShareRequests } from '../sharing/api.ts';
import { RequestsTable } from '../sharing/RequestsTable.tsx';

/** Disputes waiting for the authority's decision, every department's, with their deadlines. */
export function DisputesPage() {
  const { t } = useI18n();
  const paging = usePaging('disputed');
  const rows = useShareRequests({ role: 'authority', state: 'disputed', cursor: paging.cursor, limit: 20 });
  return (
    <>
      <h1 className="page-title">{t('oversight.disputes.title')}</h1>
      <p>{t('oversight.disputes.lead')}</p>
      <RequestsTable
        rows={rows}
        paging={paging}
        label={t('oversight.disputes.title')}
        link={(r) => `/console/oversight/disputes/${r.id}`}
        show={['consumer', 'provider']}
        empty={t('oversight.disputes.empty')}
        action={(r) => <Link to={`/console/oversight/disputes/${r.id}`} aria-label={`${t('work.answer')} ${r.id}`}>{t('work.answer')}</Link>}
      />
    </>
  );
}
