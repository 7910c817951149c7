import { Card, Descriptions, Empty, Tag } from 'antd';
import { Link } from 'react-router';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { useMe } from '../session/api.ts';
import { useDepartmentName } from './api.ts';
import { menuGroups } from './visible.ts';

/** The console's first screen: who you are, where, and what you can do from here, grouped as the menu is. */
export function ConsolePage() {
  const { t } = useI18n();
  const me = useMe().data!;
  const department = useDepartmentName(me.departmentId);
  const groups = menuGroups(me);
  return (
    <>
      <h1 className="page-title">{t('console.welcome', { name: me.displayName })}</h1>
      <Descriptions size="small" column={1} className="panel">
        <Descriptions.Item label={t('console.department')}>{me.departmentId === null ? t('console.noDepartment') : (department ?? '…')}</Descriptions.Item>
        <Descriptions.Item label={t('console.roles')}>
          {me.roles.map((r) => (
            <Tag key={r}>{t(`role.${r}` as MessageKey)}</Tag>
          ))}
        </Descriptions.Item>
      </Descriptions>
      {groups.length === 0 ? (
        <Empty description={t('console.nothing')} />
      ) : (
        <>
          <p>{t('console.lead')}</p>
          {groups.map(({ group, sections }) => (
            <section key={group} className="console-group" aria-labelledby={`console-group-${group}`}>
              <h2 id={`console-group-${group}`} className="console-group-title">
                {t(`console.group.${group}` as MessageKey)}
              </h2>
              <ul className="console-cards">
                {sections.map((s) => (
                  <li key={s.path}>
                    <Card size="small">
                      <Link to={`/console/${s.path}`}>{t(s.label)}</Link>
                    </Card>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </>
      )}
    </>
  );
}
