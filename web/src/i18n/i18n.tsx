import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, zh, type MessageKey } from './messages.ts';
import { setApiLanguage } from '../api/client.ts';
import { formatCount, formatDate, formatNumber, type Lang } from './format.ts';

const STORAGE_KEY = 'odx.lang';
const catalogues: Record<Lang, Record<MessageKey, string>> = { zh, en };

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang(lang: Lang): void;
  t: Translate;
  date: typeof formatDate;
  number: (n: number | null | undefined) => string;
  count: (n: number | null | undefined) => string;
}

const I18nContext = createContext<I18n | null>(null);

/** The remembered choice, else Chinese: the portal is Chinese first whatever the browser says. */
function initialLang(): Lang {
  let lang: Lang = 'zh';
  try {
    if (localStorage.getItem(STORAGE_KEY) === 'en') lang = 'en';
  } catch {
    // private mode: Chinese
  }
  // before the first query is sent, so the API's errors come in this language from the start
  setApiLanguage(lang);
  return lang;
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = catalogues[lang]['app.title'];
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // private mode: the choice lasts for this page only
    }
    setApiLanguage(next);
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const messages = catalogues[lang];
    const t: Translate = (key, vars) => {
      let s = messages[key];
      if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
      return s;
    };
    return { lang, setLang, t, date: formatDate, number: (n) => formatNumber(n, lang), count: (n) => formatCount(n, lang) };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
