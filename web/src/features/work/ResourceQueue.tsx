import { App, Button, Input, Modal, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import type { Schema } from '../../api/types.ts';
import { CursorPager } from '../../components/CursorPager.tsx';
import { Field } from '../../components/Field.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { usePaging } from '../../components/usePaging.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { may, useMe } from '../session/api.ts';
import { DeadlineTag } from '../sharing/DeadlineTag.tsx';
import { useDepartmentNames } from '../sharing/api.ts';
import { useResourceStep, useResourcesIn } from './api.ts';

type Row = Schema<'ResourceSummary'>;
type Step = 'approve' | 'return' | 'publish' | 'retire';

/**
 * Catalogue entries waiting in one status, a page at a time from the server, each with the steps
 * the caller may take: the officer approves or returns what was submitted, the authority publishes
 * or returns what was approved. A return needs a reason.
 */
export function ResourceQueue({ status, steps, department, label }: { status: 'submitted' | 'approved'; steps: Step[]; department?: number; label: string }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const me = useMe().data!;
  const paging = usePaging(`${status}:${department ?? ''}`);
  const rows = useResourcesIn(status, department, paging.cursor);
  const step = useResourceStep();
  const dept = useDepartmentNames();
  const [returning, setReturning] = useState<Row | null>(null);
  const [reason, setReason] = useState('');
  const allowed = steps.filter((s) => may(me, `${s}Resource`));
  const run = (r: Row, s: Step, note?: string) =>
    step.mutate(
      { id: r.id, step: s, note },
      {
        onSuccess: () => {
          setReturning(null);
          void message.success(t(s === 'return' ? 'work.resource.returned' : 'work.resource.approved', { name: r.name }));
        },
      },
    );
  return (
    <>
      {step.isError && <ProblemAlert error={step.error} />}
      {rows.isError ? (
        <ProblemAlert error={rows.error} onRetry={() => rows.refetch()} />
      ) : (
        <div className="table-scroll">
          <Table<Row>
            aria-label={label}
            size="small"
            rowKey="id"
            loading={rows.isFetching}
            pagination={false}
            scroll={{ x: 'max-content' }}
            dataSource={rows.data?.items ?? []}
            locale={{ emptyText: rows.isPending ? ' ' : <span className="table-empty">{t('work.resource.empty')}</span> }}
            columns={[
              { key: 'id', title: t('sharing.col.id'), dataIndex: 'id' },
              { key: 'name', title: t('work.resource.name'), dataIndex: 'name' },
              // the deadline next to the name: on a phone the columns after it scroll out of view
              { key: 'deadline', title: t('sharing.col.deadline'), render: (_, r) => <DeadlineTag dueAt={r.approval?.dueAt ?? null} daysLeft={r.approval?.daysLeft ?? null} overdue={r.approval?.overdue ?? false} /> },
              { key: 'dept', title: t('sharing.col.provider'), render: (_, r) => dept(r.departmentId) },
              { key: 'share', title: t('sharing.request.mode'), render: (_, r) => (r.shareType ? <Tag>{t(`sharing.shareType.${r.shareType}` as MessageKey)}</Tag> : null) },
              {
                key: 'actions',
                title: t('sharing.col.actions'),
                render: (_, r) => (
                  <Space>
                    {allowed.map((s) =>
                      s === 'return' ? (
                        <Button key={s} size="small" onClick={() => (setReturning(r), setReason(''))}>
                          {t('work.resource.return')}
                        </Button>
                      ) : (
                        <Button key={s} size="small" type="primary" loading={step.isPending && step.variables?.id === r.id} onClick={() => run(r, s)} aria-label={`${t(`oversight.step.${s}` as MessageKey)} ${r.name}`}>
                          {t(`oversight.step.${s}` as MessageKey)}
                        </Button>
                      ),
                    )}
                  </Space>
                ),
              },
            ]}
          />
        </div>
      )}
      <CursorPager label={label} page={paging.page} hasPrev={paging.hasPrev} next={rows.data?.next ?? null} onPrev={paging.onPrev} onNext={paging.onNext} />
      <Modal
        open={returning !== null}
        title={`${t('work.resource.return')} · ${returning?.name ?? ''}`}
        okText={t('work.resource.return')}
        okButtonProps={{ disabled: reason.trim().length < 2, loading: step.isPending }}
        onCancel={() => setReturning(null)}
        onOk={() => returning && run(returning, 'return', reason.trim())}
      >
        <Field label={t('work.resource.returnReason')}>{(fid) => <Input.TextArea id={fid} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} />}</Field>
      </Modal>
    </>
  );
}
