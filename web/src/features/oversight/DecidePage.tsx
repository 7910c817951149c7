import { Alert, Button, Checkbox, Input, Radio } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { Field } from '../../components/Field.tsx';
import { Loading } from '../../components/Loading.tsx';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useShareRequest, useShareStep } from '../sharing/api.ts';
import { stateLabel } from '../sharing/labels.ts';
import { RequestSummary } from '../sharing/RequestSummary.tsx';

/** The authority decides a dispute: grant (possibly fewer items) or deny, with the reason. Other states are shown, not acted on. */
export function DecidePage() {
  const { t } = useI18n();
  const id = Number(useParams().id);
  const q = useShareRequest(id);
  const step = useShareStep();
  const [decision, setDecision] = useState<'grant' | 'deny'>('grant');
  const [items, setItems] = useState<string[] | null>(null);
  const [reason, setReason] = useState('');
  if (q.isError) return <ProblemAlert error={q.error} onRetry={() => q.refetch()} />;
  if (!q.data) return <Loading />;
  const r = q.data;
  const asked = (r.request as { items: string[] }).items;
  const chosen = items ?? asked;
  return (
    <>
      <h1 className="page-title">{t('oversight.decide.title', { id: r.id })}</h1>
      <p>
        <Link to="/console/oversight/disputes">{t('oversight.decide.back')}</Link>
      </p>
      {step.isSuccess && <Alert type="success" showIcon role="status" message={t('work.answer.done', { state: stateLabel(t, step.data.state) })} style={{ marginBottom: 12 }} />}
      <RequestSummary r={r} />
      {step.isError && <ProblemAlert error={step.error} />}
      {r.state === 'disputed' && (
        <form
          className="panel"
          onSubmit={(e) => {
            e.preventDefault();
            step.mutate({ id, step: 'decide', body: { decision, reason: reason.trim(), ...(decision === 'grant' && chosen.length < asked.length ? { items: chosen } : {}) } });
          }}
        >
          <fieldset className="field">
            <legend>{t('oversight.disputes.title')}</legend>
            <Radio.Group
              value={decision}
              onChange={(e) => setDecision(e.target.value)}
              options={[
                { value: 'grant', label: t('oversight.decide.grant') },
                { value: 'deny', label: t('oversight.decide.deny') },
              ]}
            />
          </fieldset>
          {decision === 'grant' && (
            <fieldset className="field">
              <legend>{t('oversight.decide.items')}</legend>
              <Checkbox.Group value={chosen} onChange={(v) => setItems(v as string[])} options={asked.map((n) => ({ value: n, label: n }))} />
            </fieldset>
          )}
          <Field label={t('oversight.decide.reason')}>{(fid) => <Input.TextArea id={fid} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} />}</Field>
          <Button type="primary" htmlType="submit" loading={step.isPending} disabled={reason.trim().length < 2 || chosen.length === 0}>
            {decision === 'grant' ? t('oversight.decide.grant') : t('oversight.decide.deny')}
          </Button>
        </form>
      )}
    </>
  );
}
