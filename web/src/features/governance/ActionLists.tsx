import { Table } from 'antd';
import { Link } from 'react-router';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { formatDateTime } from '../../i18n/format.ts';
import type { MessageKey } from '../../i18n/messages.ts';
import { may, useMe } from '../session/api.ts';
import { OVERDUE_SHOWN, useIndicatorsNow, useOverdueReports, useOverdueRequests } from './api.ts';

const STALE_SHOWN = 20;

/** 未按时更新的资源: what is stale today, with days overdue; each resource's page is where it is acted on. */
export function StaleList({ cityView }: { cityView: boolean }) {
  const { t, number, date } = useI18n();
  const now = useIndicatorsNow();
  if (now.isError) return <ProblemAlert error={now.error} onRetry={() => now.refetch()} />;
  if (now.isPending) return <Loading rows={4} />;
  const stale = now.data.departments
    .flatMap((d) => d.timeliness.stale.map((s) => ({ ...s, department: d.department.name })))
    .sort((a, b) => b.daysOverdue - a.daysOverdue || a.resourceId - b.resourceId);
  return (
    <section className="panel" aria-labelledby="gov-stale">
      <h2 id="gov-stale">{t('gov.stale.title')}</h2>
      <p className="gov-note">
        {t('gov.stale.lead', { grace: number(now.data.graceDays) })}
        {stale.length > STALE_SHOWN && ` ${t('gov.overdue.more', { n: number(STALE_SHOWN) })}`}
      </p>
      <Table
        className="gov-table"
        data-testid="stale-table"
        size="small"
        rowKey="resourceId"
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('gov.stale.empty') }}
        dataSource={stale.slice(0, STALE_SHOWN)}
        columns={[
          { key: 'resource', title: t('gov.stale.resource'), render: (_: unknown, s) => <Link to={`/console/resources/${s.resourceId}`}>{s.name}</Link> },
          { key: 'code', dataIndex: 'code', title: t('dataset.code') },
          ...(cityView ? [{ key: 'department', dataIndex: 'department', title: t('gov.department') }] : []),
          { key: 'cycle', dataIndex: 'updateCycle', title: t('gov.stale.cycle'), render: (c: string) => t(`gov.cycle.${c}` as MessageKey) ?? c },
          { key: 'last', dataIndex: 'lastLoadAt', title: t('gov.stale.lastLoad'), render: (v: string | null) => (v ? date(v) : t('gov.stale.never')) },
          { key: 'overdue', dataIndex: 'daysOverdue', title: t('gov.stale.overdue'), align: 'right', render: (n: number) => t('gov.stale.days', { n: number(n) }) },
        ]}
      />
    </section>
  );
}

/**
 * 超期事项: overdue share requests and error reports. The authority sees every department's and
 * follows up in 超期督办; an officer sees their department's and answers from the inbox.
 */
export function OverdueLists({ cityView }: { cityView: boolean }) {
  const { t, number } = useI18n();
  const me = useMe().data;
  const requestsAllowed = may(me, 'listShareRequests') && (cityView ? may(me, 'checkShareRequest') : may(me, 'approveShareRequest'));
  const requests = useOverdueRequests(cityView ? 'authority' : 'provider', requestsAllowed);
  const reports = useOverdueReports(cityView ? undefined : 'provider', may(me, 'listErrorReports'));
  const names = new Map((useIndicatorsNow().data?.departments ?? []).map((d) => [d.department.id, d.department.name]));
  const actOn = (id: number) => (cityView ? `/console/oversight/disputes/${id}` : `/console/inbox/share-requests/${id}`);
  return (
    <section className="panel" aria-labelledby="gov-overdue">
      <h2 id="gov-overdue">{t('gov.overdue.title')}</h2>
      {requestsAllowed && (
        <>
          <h3>{t('gov.overdue.requests')}</h3>
          {requests.isError ? (
            <ProblemAlert error={requests.error} onRetry={() => requests.refetch()} />
          ) : requests.isPending ? (
            <Loading rows={3} />
          ) : (
            <Table
              className="gov-table"
              data-testid="overdue-requests"
              size="small"
              rowKey="id"
              pagination={false}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: t('gov.overdue.noRequests') }}
              dataSource={requests.data.items}
              columns={[
                { key: 'id', title: t('gov.overdue.request'), render: (_: unknown, r) => <Link to={actOn(r.id)}>{t('gov.overdue.act', { id: r.id })}</Link> },
                { key: 'resource', title: t('gov.stale.resource'), render: (_: unknown, r) => r.resource.name ?? r.resource.code },
                ...(cityView ? [{ key: 'provider', title: t('gov.department'), render: (_: unknown, r: { providerDepartmentId: number }) => names.get(r.providerDepartmentId) ?? r.providerDepartmentId }] : []),
                { key: 'state', dataIndex: 'state', title: t('gov.overdue.state'), render: (s: string) => t(`sharing.state.${s}` as MessageKey) },
                { key: 'due', dataIndex: 'dueAt', title: t('gov.overdue.due'), render: (v: string | null) => formatDateTime(v) },
              ]}
            />
          )}
          <p>
            <Link to={cityView ? '/console/oversight/overdue' : '/console/inbox'}>{cityView ? t('gov.overdue.all') : t('gov.overdue.inbox')}</Link>
            {requests.data && requests.data.items.length >= OVERDUE_SHOWN && <span className="gov-note"> {t('gov.overdue.more', { n: number(OVERDUE_SHOWN) })}</span>}
          </p>
        </>
      )}
      <h3>{t('gov.overdue.reports')}</h3>
      {reports.isError ? (
        <ProblemAlert error={reports.error} onRetry={() => reports.refetch()} />
      ) : reports.isPending ? (
        <Loading rows={3} />
      ) : (
        <Table
          className="gov-table"
          data-testid="overdue-reports"
          size="small"
          rowKey="id"
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('gov.overdue.noReports') }}
          dataSource={reports.data.items}
          columns={[
            { key: 'id', dataIndex: 'id', title: t('gov.overdue.report'), render: (id: number) => number(id) },
            { key: 'resource', title: t('gov.stale.resource'), render: (_: unknown, r) => <Link to={`/console/resources/${r.resource.id}`}>{r.resource.name ?? r.resource.code}</Link> },
            ...(cityView ? [{ key: 'provider', title: t('gov.department'), render: (_: unknown, r: { providerDepartmentId: number }) => names.get(r.providerDepartmentId) ?? r.providerDepartmentId }] : []),
            { key: 'received', dataIndex: 'createdAt', title: t('gov.overdue.received'), render: (v: string) => formatDateTime(v) },
            { key: 'due', dataIndex: 'dueAt', title: t('gov.overdue.due'), render: (v: string) => formatDateTime(v) },
          ]}
        />
      )}
    </section>
  );
}
