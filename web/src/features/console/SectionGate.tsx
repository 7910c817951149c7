import { Result } from 'antd';
import type { ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import { useMe } from '../session/api.ts';
import type { ConsoleSection } from './sections.tsx';
import { mayOpen } from './visible.ts';

/** A console page reached by a person without its ability (a shared link, a role taken away): say so, call nothing. */
export function SectionGate({ ability, reach, children }: Pick<ConsoleSection, 'ability' | 'reach'> & { children: ReactNode }) {
  const { t } = useI18n();
  const me = useMe().data;
  if (!mayOpen(me, { ability, reach })) return <Result status="403" title={t('console.forbidden')} subTitle={t('console.nothing')} />;
  return <>{children}</>;
}
