import { Alert, Button, Input, Popconfirm, Space } from 'antd';
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { Field } from '../../components/Field.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { may, useMe } from '../session/api.ts';
import { useShareRequest, useShareStep } from './api.ts';
import { RequestSummary } from './RequestSummary.tsx';

/** One share request for the department that made it: its steps and deadline; dispute a refusal, withdraw while waiting, look at the data once granted. */
export function RequestDetailPage() {
  const { t } = useI18n();
  const me = useMe().data!;
  const id = Number(useParams().id);
  const [params] = useSearchParams();
  const q = useShareRequest(id);
  const step = useShareStep();
  const [reason, setReason] = useState('');
  const [basis, setBasis] = useState('');
  if (q.isError) return <ProblemAlert error={q.error} onRetry={() => q.refetch()} />;
  if (!q.data) return <Loading />;
  const r = q.data;
  const ours = r.consumerDepartmentId === me.departmentId;
  const canWithdraw = ours && ['submitted', 'provider_review', 'disputed'].includes(r.state) && may(me, 'withdrawShareRequest');
  const liveGrant = ours && r.grant?.live && r.grant.mode !== 'verify' ? r.grant : null;
  return (
    <>
      <h1 className="page-title">{t('sharing.detail.title', { id: r.id })}</h1>
      {params.get('sent') && <Alert type="success" showIcon message={t('sharing.request.sent', { id: r.id })} style={{ marginBottom: 12 }} />}
      {liveGrant && may(me, 'querySharedRows') && (
        <p>
          <Link to={`/console/sharing/data/${liveGrant.id}`}>{t('sharing.detail.view')}</Link>
        </p>
      )}
      <RequestSummary r={r} />
      {step.isError && <ProblemAlert error={step.error} />}
      {ours && r.state === 'refused' && may(me, 'disputeShareRequest') && (
        <section className="panel">
          <h2>{t('sharing.dispute.title')}</h2>
          <p>{t('sharing.dispute.lead')}</p>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              step.mutate({ id, step: 'dispute', body: { reason: reason.trim(), ...(basis.trim() ? { legalBasis: basis.trim() } : {}) } });
            }}
          >
            <Field label={t('sharing.dispute.reason')}>{(fid) => <Input.TextArea id={fid} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} />}</Field>
            <Field label={t('sharing.dispute.basis')}>{(fid) => <Input id={fid} value={basis} onChange={(e) => setBasis(e.target.value)} maxLength={2000} />}</Field>
            <Button type="primary" htmlType="submit" loading={step.isPending} disabled={reason.trim().length < 2}>
              {t('sharing.dispute.submit')}
            </Button>
          </form>
        </section>
      )}
      {canWithdraw && (
        <Space>
          <Popconfirm title={t('sharing.withdrawConfirm')} onConfirm={() => step.mutate({ id, step: 'withdraw', body: {} })}>
            <Button danger>{t('sharing.withdraw')}</Button>
          </Popconfirm>
        </Space>
      )}
    </>
  );
}
