import { Select } from 'antd';
import { useSearchParams } from 'react-router';
import { Field } from '../../components/Field.tsx';
import { usePaging } from '../../components/usePaging.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useShareRequests } from './api.ts';
import { STATES, stateLabel } from './labels.ts';
import { RequestsTable } from './RequestsTable.tsx';

/** The share requests the caller's department made, with their steps' state and deadlines. */
export function MyRequestsPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const state = params.get('state') ?? '';
  const paging = usePaging(state);
  const rows = useShareRequests({ role: 'consumer', state: state || undefined, cursor: paging.cursor, limit: 20 });
  return (
    <>
      <h1 className="page-title">{t('sharing.requests.title')}</h1>
      <p>{t('sharing.requests.lead')}</p>
      <div className="filter-bar">
        <Field label={t('sharing.col.state')}>
          {(id) => (
            <Select
              id={id}
              style={{ minWidth: 180 }}
              value={state}
              onChange={(v) => setParams(v ? { state: v } : {})}
              options={[{ value: '', label: t('sharing.requests.all') }, ...STATES.map((s) => ({ value: s, label: stateLabel(t, s) }))]}
            />
          )}
        </Field>
      </div>
      <RequestsTable rows={rows} paging={paging} link={(r) => `/console/sharing/requests/${r.id}`} label={t('sharing.requests.title')} show={['provider', 'state']} />
    </>
  );
}
