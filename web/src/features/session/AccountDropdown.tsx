import { Button, Dropdown } from 'antd';
import { Link, useNavigate } from 'react-router';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSignOut } from './api.ts';

/** The signed-in person's menu: console, account, sign out. Its own chunk: Ant Design's Dropdown and Menu are not the visitor's (home page) to load. */
export function AccountDropdown({ name }: { name: string }) {
  const { t } = useI18n();
  const signOut = useSignOut();
  const navigate = useNavigate();
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: [
          { key: 'console', label: <Link to="/console">{t('session.console')}</Link> },
          { key: 'account', label: <Link to="/console/account">{t('session.account')}</Link> },
          { type: 'divider' },
          { key: 'sign-out', label: t('session.signOut'), onClick: () => signOut.mutate(undefined, { onSuccess: () => navigate('/') }) },
        ],
      }}
    >
      <Button type="text" className="account-button" aria-label={t('session.menu', { name })}>
        {name} ▾
      </Button>
    </Dropdown>
  );
}
