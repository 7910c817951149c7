import { Result } from 'antd';
import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import { may, useMe } from '../session/api.ts';

/** A console page reached by a person without its ability (a shared link, a role taken away): say so, call nothing. */
export function SectionGate({ ability, children }: { ability: string | null; children: ReactNode }) {
  const { t } = useI18n();
  const me = useMe().data;
  if (ability !== null && !may(me, ability)) return <Result status="403" title={t('console.forbidden')} subTitle={t('console.nothing')} />;
  return <>{children}</>;
}
