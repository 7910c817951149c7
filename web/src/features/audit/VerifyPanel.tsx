import { Alert, Button, Progress, Space } from 'antd';
import { formatDateTime } from '../../i18n/format.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { ProblemAlert } from '../../components/ProblemAlert.tsx';
import { useVerification, type Verification } from './api.ts';

/** `odx audit verify` from the page: step after step with a progress bar, then intact, or the first broken seq. */
export function VerifyPanel() {
  const { t } = useI18n();
  const v = useVerification();
  const r = v.result;
  // progress over the events this verification recomputes: from its start to the head when it began
  const span = r ? Math.max(0, r.first.headSeq - (r.first.start?.seq ?? 0)) : 0;
  const percent = r ? (span === 0 ? 100 : Math.floor((r.checked / span) * 100)) : 0;
  return (
    <section aria-labelledby="verify-title" className="panel">
      <h2 id="verify-title" className="visually-hidden">
        {t('audit.tab.verify')}
      </h2>
      <p>{t('audit.verify.lead')}</p>
      <Space wrap>
        <Button type="primary" loading={v.running} disabled={v.running} onClick={() => void v.run('genesis')}>
          {t('audit.verify.full')}
        </Button>
        <Button disabled={v.running} onClick={() => void v.run('checkpoint')}>
          {t('audit.verify.fromCheckpoint')}
        </Button>
        {v.running && <Button onClick={v.cancel}>{t('audit.verify.cancel')}</Button>}
      </Space>
      {r && (
        <div className="verify-progress">
          <Progress percent={percent} status={r.last.state === 'broken' ? 'exception' : v.running ? 'active' : r.last.state === 'intact' ? 'success' : 'normal'} aria-label={t('audit.verify.progress')} />
          <p aria-live="polite">{t('audit.verify.progressText', { done: r.checked, total: span })}</p>
        </div>
      )}
      {!v.running && r && r.last.state === 'running' && <Alert type="warning" showIcon message={t('audit.verify.cancelled')} />}
      {r && r.last.state !== 'running' && <Outcome r={r} />}
      {v.error != null && <ProblemAlert error={v.error} />}
    </section>
  );
}

function Outcome({ r }: { r: Verification }) {
  const { t } = useI18n();
  const { first, last } = r;
  const start = first.start!;
  if (last.state === 'intact') {
    const statement =
      start.kind === 'genesis'
        ? t('audit.verify.intactFull', { n: r.checked, to: last.verifiedTo, alg: last.hashAlgorithm })
        : t('audit.verify.intactCheckpoint', { n: r.checked, from: start.seq + 1, to: last.verifiedTo, alg: last.hashAlgorithm, id: start.checkpointId ?? '', seq: start.seq, at: formatDateTime(start.signedAt) });
    return <Alert type="success" showIcon role="status" message={t('audit.verify.intact')} description={statement} />;
  }
  const seq = last.firstBadSeq ?? 0;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      message={t('audit.verify.broken', { seq })}
      description={
        <>
          {last.problem && <p>{t(`audit.verify.problem.${last.problem}` as MessageKey, { seq, prev: seq - 1 })}</p>}
          {last.verifiedTo > 0 && last.problem !== 'checkpoint' && start.kind === 'genesis' && <p>{t('audit.verify.checkedBefore', { to: last.verifiedTo })}</p>}
          {last.detail && <p className="hint">{t('audit.verify.detail', { detail: last.detail })}</p>}
        </>
      }
    />
  );
}
