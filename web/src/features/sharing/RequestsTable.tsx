import { Table, Tag } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { CursorPager } from '../../components/CursorPager.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import type { usePaging } from '../../components/usePaging.ts';
import { formatDateTime } from '../../i18n/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { DeadlineTag } from './DeadlineTag.tsx';
import { useDepartmentNames, type ShareRequest, type useShareRequests } from './api.ts';
import { modeLabel, stateColor, stateLabel } from './labels.ts';

/**
 * A page of share requests as the inboxes and lists show them — one row per request with its
 * deadline in working days — paged by the server (keyset cursors), so 10,000 waiting cost one page.
 */
export function RequestsTable({
  rows,
  paging,
  link,
  label,
  show = ['consumer', 'provider', 'state'],
  action,
  empty,
}: {
  rows: ReturnType<typeof useShareRequests>;
  paging: ReturnType<typeof usePaging>;
  /** Where a request's number leads. */
  link: (r: ShareRequest) => string;
  label: string;
  show?: ('consumer' | 'provider' | 'state')[];
  action?: (r: ShareRequest) => ReactNode;
  empty?: string;
}) {
  const { t } = useI18n();
  const dept = useDepartmentNames();
  if (rows.isError) return <ProblemAlert error={rows.error} onRetry={() => rows.refetch()} />;
  const columns = [
    { key: 'id', title: t('sharing.col.id'), render: (_: unknown, r: ShareRequest) => <Link to={link(r)}>{r.id}</Link> },
    { key: 'resource', title: t('sharing.col.resource'), render: (_: unknown, r: ShareRequest) => r.resource.name ?? r.resource.code },
    ...(show.includes('consumer') ? [{ key: 'consumer', title: t('sharing.col.consumer'), render: (_: unknown, r: ShareRequest) => dept(r.consumerDepartmentId) }] : []),
    ...(show.includes('provider') ? [{ key: 'provider', title: t('sharing.col.provider'), render: (_: unknown, r: ShareRequest) => dept(r.providerDepartmentId) }] : []),
    { key: 'purpose', title: t('sharing.col.purpose'), render: (_: unknown, r: ShareRequest) => <span className="clamp-2">{(r.request as { purpose?: string }).purpose}</span> },
    { key: 'mode', title: t('sharing.col.mode'), render: (_: unknown, r: ShareRequest) => modeLabel(t, r.accessMode) },
    ...(show.includes('state') ? [{ key: 'state', title: t('sharing.col.state'), render: (_: unknown, r: ShareRequest) => <Tag color={stateColor(r.state)}>{stateLabel(t, r.state)}</Tag> }] : []),
    { key: 'submitted', title: t('sharing.col.submitted'), render: (_: unknown, r: ShareRequest) => formatDateTime(r.submittedAt) },
    { key: 'deadline', title: t('sharing.col.deadline'), render: (_: unknown, r: ShareRequest) => <DeadlineTag dueAt={r.dueAt} daysLeft={r.daysLeft} overdue={r.overdue} /> },
    ...(action ? [{ key: 'action', title: t('sharing.col.actions'), render: (_: unknown, r: ShareRequest) => action(r) }] : []),
  ];
  return (
    <>
      <div className="table-scroll requests-table">
        <Table
          aria-label={label}
          size="small"
          rowKey="id"
          loading={rows.isFetching}
          columns={columns}
          dataSource={rows.data?.items ?? []}
          pagination={false}
          rowClassName={(r) => (r.overdue ? 'row-overdue' : '')}
          locale={{ emptyText: rows.isPending ? ' ' : <span className="table-empty">{empty ?? t('sharing.requests.empty')}</span> }}
        />
      </div>
      <CursorPager label={label} page={paging.page} hasPrev={paging.hasPrev} next={rows.data?.next ?? null} onPrev={paging.onPrev} onNext={paging.onNext} />
    </>
  );
}
