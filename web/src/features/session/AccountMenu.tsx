import { Button, Dropdown } from 'antd';
import { Link, useLocation, useNavigate } from 'react-router';
import { useI18n } from '../../i18n/i18n.tsx';
import { useMe, useSignOut } from './api.ts';

/** The header's corner: a visitor's sign-in link, or the signed-in person's name with the console, account and sign-out. */
export function AccountMenu() {
  const { t } = useI18n();
  const me = useMe();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const location = useLocation();
  if (me.isPending) return null;
  if (!me.data) {
    // the sign-in page itself needs no link to itself; elsewhere bring the person back here afterwards
    if (location.pathname === '/sign-in') return null;
    return (
      <Link className="account-link" to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`}>
        {t('session.signIn')}
      </Link>
    );
  }
  const name = me.data.displayName;
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
