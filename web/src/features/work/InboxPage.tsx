import { Badge, Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { may, useMe } from '../session/api.ts';
import { useWaiting } from './api.ts';
import { INBOX_SOURCES } from './sources.tsx';

/** 待办: one tab per kind of work waiting on the department, each with its count and how many are overdue. */
export function InboxPage() {
  const { t } = useI18n();
  const me = useMe().data!;
  const [params, setParams] = useSearchParams();
  const waiting = useWaiting(true);
  const sources = INBOX_SOURCES.filter((s) => may(me, s.ability));
  const active = sources.find((s) => s.kind === params.get('tab'))?.kind ?? sources[0]?.kind;
  const count = (kind: string) => waiting.data?.kinds.find((k) => k.kind === kind);
  return (
    <>
      <h1 className="page-title">{t('work.inbox.title')}</h1>
      <p>{t('work.inbox.lead')}</p>
      <Tabs
        activeKey={active}
        onChange={(k) => setParams({ tab: k })}
        items={sources.map((s) => {
          const c = count(s.kind);
          return {
            key: s.kind,
            label: (
              <span>
                {t(`work.kind.${s.kind}` as MessageKey)}{' '}
                {c && <Badge count={c.waiting} showZero overflowCount={99999} color={c.overdue > 0 ? '#cf1322' : '#595959'} />}
              </span>
            ),
            children: s.kind === active ? <s.Panel /> : null,
          };
        })}
      />
    </>
  );
}
