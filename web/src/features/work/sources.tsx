import { Checkbox } from 'antd';
import { useState, type ComponentType } from 'react';
import { Link } from 'react-router';
import { usePaging } from '../../components/usePaging.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { useMe } from '../session/api.ts';
import { useShareRequests } from '../sharing/api.ts';
import { RequestsTable } from '../sharing/RequestsTable.tsx';
import { answerPage } from './api.ts';
import { ResourceQueue } from './ResourceQueue.tsx';

/**
 * A tab of the inbox: one kind of work (its `kind` in GET /api/v1/work/waiting gives the tab's
 * counts), shown to whoever has `ability`. A new kind of work — open-data applications, error
 * reports — is one more entry here with its own panel paging through its own list route.
 */
export interface InboxSource {
  kind: string;
  ability: string;
  Panel: ComponentType;
}

function ShareRequestAnswers() {
  const { t } = useI18n();
  const [overdue, setOverdue] = useState(false);
  const paging = usePaging(String(overdue));
  const rows = useShareRequests(answerPage(overdue, paging.cursor));
  return (
    <>
      <Checkbox checked={overdue} onChange={(e) => setOverdue(e.target.checked)} style={{ marginBottom: 8 }}>
        {t('work.onlyOverdue')}
      </Checkbox>
      <RequestsTable
        rows={rows}
        paging={paging}
        label={t('work.kind.share_request.answer' as MessageKey)}
        link={(r) => `/console/inbox/share-requests/${r.id}`}
        show={['consumer']}
        action={(r) => <Link to={`/console/inbox/share-requests/${r.id}`} aria-label={`${t('work.answer')} ${r.id}`}>{t('work.answer')}</Link>}
      />
    </>
  );
}

function ResourceApprovals() {
  const { t } = useI18n();
  const me = useMe().data!;
  return <ResourceQueue status="submitted" steps={['approve', 'return']} department={me.departmentId ?? undefined} label={t('work.kind.resource.approve' as MessageKey)} />;
}

export const INBOX_SOURCES: readonly InboxSource[] = [
  { kind: 'share_request.answer', ability: 'approveShareRequest', Panel: ShareRequestAnswers },
  { kind: 'resource.approve', ability: 'approveResource', Panel: ResourceApprovals },
];
