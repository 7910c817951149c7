import { QueryClientProvider } from '@tanstack/react-query';
import { ConfigProvider } from 'antd';
// the ES modules: antd/locale/* are CommonJS and drag antd/lib's copies of the pickers' locales into the entry
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import { RouterProvider } from 'react-router';
import { I18nProvider, useI18n } from '../i18n/i18n.tsx';
import { queryClient } from './queryClient.ts';
import { router } from './router.tsx';

/** Colours chosen for contrast 4.5:1 on white (Ant Design's defaults for links and secondary text fall short). */
const theme = {
  token: {
    colorPrimary: '#0b57d0',
    colorLink: '#0b57d0',
    // hover and active shades stay dark enough for text on white
    colorPrimaryHover: '#0842a0',
    colorPrimaryActive: '#06357f',
    colorLinkHover: '#0842a0',
    colorLinkActive: '#06357f',
    // danger buttons (refuse, revoke, withdraw) and a form's messages under its fields: Ant Design's red (3.3:1) and its hover shade are below 4.5:1 as text on white
    colorError: '#c41d1d',
    colorErrorHover: '#a8071a',
    colorErrorActive: '#820014',
    colorErrorText: '#c41d1d',
    colorErrorTextHover: '#a8071a',
    colorErrorTextActive: '#820014',
    colorTextSecondary: 'rgba(0, 0, 0, 0.68)',
    colorTextDescription: 'rgba(0, 0, 0, 0.68)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
    // a submitted entry's form is shown read-only: its values must stay readable (Ant Design's 0.25 is 1.8:1)
    colorTextDisabled: 'rgba(0, 0, 0, 0.6)',
    borderRadius: 6,
    fontFamily: "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif",
  },
};

function Localised() {
  const { lang } = useI18n();
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={theme} button={{ autoInsertSpace: false }}>
      {/* Ant Design's <App> (message, modal, notification) is the console's (ConsoleLayout): the portal shows none, and its code is not on the home page */}
      <RouterProvider router={router} />
    </ConfigProvider>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <Localised />
      </I18nProvider>
    </QueryClientProvider>
  );
}
