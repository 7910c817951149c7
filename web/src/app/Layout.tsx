import { NavLink, Outlet, Link, ScrollRestoration } from 'react-router';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';
import { AccountMenu } from '../features/session/AccountMenu.tsx';
import { useI18n } from '../i18n/i18n.tsx';

/** The portal's frame: skip link, header with the main navigation and the language switch, footer. */
export function Layout() {
  const { t } = useI18n();
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="app-header">
        <div className="app-header-inner">
          <Link to="/" className="brand">
            <img src="/favicon.svg" alt="" width={28} height={28} />
            <span>{t('app.title')}</span>
          </Link>
          <nav aria-label={t('nav.menu')} className="main-nav">
            <NavLink to="/" end>
              {t('nav.home')}
            </NavLink>
            <NavLink to="/search">{t('nav.search')}</NavLink>
            <NavLink to="/departments">{t('nav.departments')}</NavLink>
            <NavLink to="/open-index">{t('gov.open.nav')}</NavLink>
            <NavLink to="/developers">{t('dev.nav')}</NavLink>
            <a href="/docs/api">{t('nav.apiDocs')}</a>
          </nav>
          <LanguageSwitch />
          <AccountMenu />
        </div>
      </header>
      <main id="main" tabIndex={-1} className="app-main">
        <Outlet />
      </main>
      <footer className="app-footer">{t('footer.text', { licence: 'CC BY 4.0' })}</footer>
      <ScrollRestoration />
    </div>
  );
}
