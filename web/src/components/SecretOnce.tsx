import { Alert, Button, Input, Space } from 'antd';
import { useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';

/** A new token's or key's secret, shown the one time the API gives it, with a copy button. */
export function SecretOnce({ label, secret }: { label: string; secret: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <Alert
      type="warning"
      showIcon
      className="secret-once"
      message={t('secret.once', { label })}
      description={
        <Space.Compact style={{ width: '100%' }}>
          <Input readOnly value={secret} aria-label={label} className="secret-value" onFocus={(e) => e.currentTarget.select()} />
          <Button onClick={() => navigator.clipboard?.writeText(secret).then(() => setCopied(true), () => setCopied(false))}>{copied ? t('secret.copied') : t('secret.copy')}</Button>
        </Space.Compact>
      }
    />
  );
}
