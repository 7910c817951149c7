import { lazy, Suspense } from 'react';
import { Link, useLocation } from 'react-router';
import { useI18n } from '../../i18n/i18n.tsx';
import { useMe } from './api.ts';

const AccountDropdown = lazy(async () => ({ default: (await import('./AccountDropdown.tsx')).AccountDropdown }));

/** The header's corner: a visitor's sign-in link, or the signed-in person's name with the console, account and sign-out. */
export function AccountMenu() {
  const { t } = useI18n();
  const me = useMe();
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
  return (
    // the name in the menu's place while its code loads, so the header does not shift
    <Suspense fallback={<span className="account-button account-loading">{me.data.displayName} ▾</span>}>
      <AccountDropdown name={me.data.displayName} />
    </Suspense>
  );
}
