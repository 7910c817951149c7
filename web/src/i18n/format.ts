/** Dates and numbers as WEB.md's conventions ask: dates YYYY-MM-DD in Asia/Shanghai, row counts as 1.2 万 / 12K. */
export type Lang = 'zh' | 'en';

const TZ = 'Asia/Shanghai';
const dateParts = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });
const timeParts = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

export function formatDate(value: string | Date | null | undefined): string {
  if (!value) return '';
  // a bare date is a calendar day, not an instant: shown as it is
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const d = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(d.getTime()) ? String(value) : dateParts.format(d);
}

export function formatDateTime(value: string | Date | null | undefined): string {
  if (!value) return '';
  const d = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(d.getTime()) ? String(value) : `${dateParts.format(d)} ${timeParts.format(d)}`;
}

const locales: Record<Lang, string> = { zh: 'zh-CN', en: 'en-US' };

export function formatNumber(n: number | null | undefined, lang: Lang): string {
  if (n === null || n === undefined) return '';
  return new Intl.NumberFormat(locales[lang], { maximumFractionDigits: 2 }).format(n);
}

/** Row counts: 1.2 万 / 3.4 亿 in Chinese, 12K / 340M in English; small counts in full with separators. */
export function formatCount(n: number | null | undefined, lang: Lang): string {
  if (n === null || n === undefined) return '';
  if (Math.abs(n) < (lang === 'zh' ? 10_000 : 1_000)) return formatNumber(n, lang);
  const compact = new Intl.NumberFormat(locales[lang], { notation: 'compact', maximumFractionDigits: 1 }).format(n);
  // Intl writes 1.2万; the portal puts a thin space before the unit as Chinese typesetting does
  return lang === 'zh' ? compact.replace(/(\d)([万亿])/, '$1 $2') : compact;
}
