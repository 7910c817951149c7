import { Alert, Button } from 'antd';
import { ApiError } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';

/** An API failure as a person reads it: what happened, each problem (the API wrote both in the person's language, see apiCall), the request id to quote. */
export function ProblemAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  const e = error instanceof ApiError ? error : null;
  let message = e?.message ?? String((error as Error)?.message ?? error);
  if (e?.status === 0) message = t('error.network');
  if (e?.status === 429 && e.retryAfter !== null) message = t('error.rateLimited', { s: e.retryAfter });
  const problems = e?.problems ?? [];
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      message={t('error.title')}
      description={
        <div>
          <p style={{ margin: 0 }}>{message}</p>
          {problems.length > 0 && (
            <ul style={{ margin: '4px 0 0', paddingInlineStart: 20 }}>
              {problems.map((p, i) => (
                <li key={i}>{p.message}{p.path ? ` (${p.path})` : ''}</li>
              ))}
            </ul>
          )}
          {e?.requestId && (
            <p style={{ margin: '4px 0 0' }}>
              {t('common.requestId')}: <code>{e.requestId}</code>
            </p>
          )}
        </div>
      }
      action={onRetry ? <Button onClick={onRetry}>{t('common.retry')}</Button> : undefined}
    />
  );
}
