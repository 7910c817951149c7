import { Button, Input, Modal, Space, Table, Tabs, Tag } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { CursorPager } from '../../components/CursorPager.tsx';
import { Field } from '../../components/Field.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { usePaging } from '../../components/usePaging.ts';
import { formatDate } from '../../i18n/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { may, useMe } from '../session/api.ts';
import { useDepartmentNames, useGrants, useGrantStep, type Grant } from './api.ts';
import { grantStatusLabel, modeLabel } from './labels.ts';

type Step = 'suspend' | 'resume' | 'revoke';

/** 授权管理: the grants the department gave (suspend, resume, revoke — in force on the next read) and those it holds (look at the data). */
export function GrantsPage() {
  const { t } = useI18n();
  const me = useMe().data!;
  const [params, setParams] = useSearchParams();
  const role = params.get('role') === 'consumer' ? 'consumer' : 'provider';
  const paging = usePaging(role);
  const grants = useGrants({ role, cursor: paging.cursor, limit: 20 });
  const step = useGrantStep();
  const dept = useDepartmentNames();
  const [pending, setPending] = useState<{ g: Grant; step: Step } | null>(null);
  const [reason, setReason] = useState('');

  const actions = (g: Grant) => {
    if (role === 'consumer') {
      return g.live && g.mode !== 'verify' && may(me, 'querySharedRows') ? <Link to={`/console/sharing/data/${g.id}`}>{t('sharing.grant.view')}</Link> : null;
    }
    const can: Step[] = g.status === 'active' ? ['suspend', 'revoke'] : g.status === 'suspended' ? ['resume', 'revoke'] : [];
    return (
      <Space>
        {can
          .filter((s) => may(me, `${s}Grant`))
          .map((s) => (
            <Button key={s} size="small" danger={s !== 'resume'} onClick={() => (setPending({ g, step: s }), setReason(''))}>
              {t(`sharing.grant.${s}` as MessageKey)}
            </Button>
          ))}
      </Space>
    );
  };
  const columns = [
    { key: 'id', title: t('sharing.col.id'), dataIndex: 'id' },
    { key: 'resource', title: t('sharing.col.resource'), render: (_: unknown, g: Grant) => g.resource.name },
    { key: 'party', title: role === 'provider' ? t('sharing.col.consumer') : t('sharing.col.provider'), render: (_: unknown, g: Grant) => dept(role === 'provider' ? g.consumerDepartmentId : g.providerDepartmentId) },
    { key: 'mode', title: t('sharing.col.mode'), render: (_: unknown, g: Grant) => modeLabel(t, g.mode) },
    { key: 'items', title: t('sharing.col.items'), render: (_: unknown, g: Grant) => <span className="clamp-2">{g.items.join('、')}</span> },
    { key: 'period', title: t('sharing.col.period'), render: (_: unknown, g: Grant) => `${formatDate(g.startsAt)} — ${g.endsAt ? formatDate(g.endsAt) : t('sharing.grant.longTerm')}` },
    { key: 'status', title: t('sharing.col.status'), render: (_: unknown, g: Grant) => <Tag color={g.live ? 'green' : g.status === 'suspended' ? 'gold' : undefined}>{grantStatusLabel(t, g.status)}</Tag> },
    { key: 'actions', title: t('sharing.col.actions'), render: (_: unknown, g: Grant) => actions(g) },
  ];
  const table = (
    <>
      {grants.isError ? (
        <ProblemAlert error={grants.error} onRetry={() => grants.refetch()} />
      ) : (
        <div className="table-scroll">
          <Table
            aria-label={role === 'provider' ? t('sharing.grants.given') : t('sharing.grants.held')}
            size="small"
            rowKey="id"
            loading={grants.isFetching}
            columns={columns}
            dataSource={grants.data?.items ?? []}
            pagination={false}
            scroll={{ x: 'max-content' }}
            locale={{ emptyText: grants.isPending ? ' ' : <span className="table-empty">{t('sharing.grants.empty')}</span> }}
          />
        </div>
      )}
      <CursorPager label={t('sharing.grants.title')} page={paging.page} hasPrev={paging.hasPrev} next={grants.data?.next ?? null} onPrev={paging.onPrev} onNext={paging.onNext} />
    </>
  );
  return (
    <>
      <h1 className="page-title">{t('sharing.grants.title')}</h1>
      <p>{t('sharing.grants.lead')}</p>
      {step.isError && <ProblemAlert error={step.error} />}
      <Tabs
        activeKey={role}
        onChange={(k) => setParams({ role: k })}
        items={[
          { key: 'provider', label: t('sharing.grants.given'), children: role === 'provider' ? table : null },
          { key: 'consumer', label: t('sharing.grants.held'), children: role === 'consumer' ? table : null },
        ]}
      />
      <Modal
        open={pending !== null}
        title={pending ? `${t(`sharing.grant.${pending.step}` as MessageKey)} · ${pending.g.resource.name}` : ''}
        okText={pending ? t(`sharing.grant.${pending.step}` as MessageKey) : ''}
        okButtonProps={{ danger: pending?.step !== 'resume', disabled: pending?.step !== 'resume' && reason.trim().length < 2, loading: step.isPending }}
        onCancel={() => setPending(null)}
        onOk={() =>
          pending && step.mutate({ id: pending.g.id, step: pending.step, reason: reason.trim() || undefined }, { onSuccess: () => setPending(null) })
        }
      >
        <Field label={t('sharing.grant.reason')}>{(fid) => <Input.TextArea id={fid} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} />}</Field>
      </Modal>
    </>
  );
}
