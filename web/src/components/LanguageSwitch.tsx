import { Button } from 'antd';
import { useI18n } from '../i18n/i18n.tsx';

/** 中文 / English; the choice is remembered in this browser. */
export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  const next = lang === 'zh' ? 'en' : 'zh';
  return (
    <Button type="text" className="lang-switch" aria-label={`${t('lang.label')}: ${t('lang.switchTo')}`} lang={next === 'zh' ? 'zh-CN' : 'en'} onClick={() => setLang(next)}>
      {t('lang.switchTo')}
    </Button>
  );
}
