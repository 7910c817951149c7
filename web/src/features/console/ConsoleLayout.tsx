import { App as AntApp, Layout, Menu, Tag } from 'antd';
import type { ItemType } from 'antd/es/menu/interface';
import { useState } from 'react';
import { Link, Outlet, ScrollRestoration, useLocation } from 'react-router';
import { LanguageSwitch } from '../../components/LanguageSwitch.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';
import { AccountMenu } from '../session/AccountMenu.tsx';
import { useMe } from '../session/api.ts';
import { RequireSignIn } from '../session/RequireSignIn.tsx';
import { WaitingBell } from '../work/WaitingBell.tsx';
import { useDepartmentName } from './api.ts';
import { menuGroups } from './visible.ts';

/** The console's frame for a signed-in person: top bar with department and roles, the menu of what their abilities allow. */
export function ConsoleLayout() {
  return (
    <RequireSignIn>
      {/* App.useApp()'s message for the console's pages (the portal has none, so the home page does not load it) */}
      <AntApp>
        <ConsoleFrame />
      </AntApp>
    </RequireSignIn>
  );
}

function ConsoleFrame() {
  const { t } = useI18n();
  const me = useMe().data!;
  const department = useDepartmentName(me.departmentId);
  const location = useLocation();
  const [collapsed, setCollapsed] = useState(false);
  const items: ItemType[] = [{ key: '/console', label: <Link to="/console">{t('console.overview')}</Link> }];
  for (const { group, sections: inGroup } of menuGroups(me)) {
    items.push({
      type: 'group',
      key: group,
      label: t(`console.group.${group}` as MessageKey),
      // pointing at an entry starts loading its page's code, a moment before the click
      children: inGroup.map((s) => ({
        key: `/console/${s.path}`,
        label: (
          <Link to={`/console/${s.path}`} onMouseEnter={() => void s.page()} onFocus={() => void s.page()}>
            {t(s.label)}
          </Link>
        ),
      })),
    });
  }
  // the menu entry whose page (or a page under it) is showing
  const selected = items
    .flatMap((i) => (i && 'children' in i && i.children ? i.children : [i]))
    .map((i) => String(i?.key))
    .filter((k) => location.pathname === k || location.pathname.startsWith(`${k}/`))
    .sort((a, b) => b.length - a.length)[0];
  return (
    <div className="app console">
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="app-header">
        <div className="app-header-inner console-header">
          <Link to="/console" className="brand">
            <img src="/favicon.svg" alt="" width={28} height={28} />
            <span>{t('console.title')}</span>
          </Link>
          <div className="console-who">
            <span>{me.departmentId === null ? t('console.noDepartment') : (department ?? '')}</span>
            {me.roles.map((r) => (
              <Tag key={r} className="console-role">
                {t(`role.${r}` as MessageKey)}
              </Tag>
            ))}
          </div>
          <WaitingBell />
          <Link to="/" className="console-portal-link">
            {t('console.toPortal')}
          </Link>
          <LanguageSwitch />
          <AccountMenu />
        </div>
      </header>
      <Layout className="console-body" hasSider>
        <Layout.Sider
          breakpoint="lg"
          collapsedWidth={0}
          collapsed={collapsed}
          onCollapse={setCollapsed}
          width={220}
          theme="light"
          zeroWidthTriggerStyle={{ top: 8 }}
          trigger={null}
          className="console-sider"
        >
          <nav aria-label={t('console.menu')}>
            <Menu mode="inline" items={items} selectedKeys={selected ? [selected] : []} onClick={() => window.innerWidth < 992 && setCollapsed(true)} />
          </nav>
        </Layout.Sider>
        {/* not Layout.Content: that is a <main> of its own, and the page has one main landmark */}
        <div className="console-content">
          <button type="button" className="console-menu-toggle" aria-expanded={!collapsed} onClick={() => setCollapsed(!collapsed)}>
            ☰ {t('console.openMenu')}
          </button>
          <main id="main" tabIndex={-1} className="app-main console-main">
            <Outlet />
          </main>
        </div>
      </Layout>
      <ScrollRestoration />
    </div>
  );
}
