import common from '../../../catalog-schemas/common.schema.json';
import type { Lang } from './format.ts';

/**
 * Names of the catalogue's codes (domain, update cycle, format type, data type, mask, open type):
 * in Chinese the schemas' own `x-labels`, never retyped (WEB.md); in English ours.
 */
export type CodeList = 'domain' | 'updateCycle' | 'formatType' | 'dataType' | 'mask' | 'openType';

const defs = common.$defs as unknown as Record<CodeList, { 'x-labels': Record<string, string> }>;

const english: Record<CodeList, Record<string, string>> = {
  domain: {
    finance: 'Inclusive finance', transport: 'Transport', health: 'Health care', market: 'Market regulation',
    social_security: 'Social security', culture_tourism: 'Culture and tourism', credit: 'Credit', education: 'Education and culture',
    environment: 'Environment', agriculture: 'Agriculture', housing: 'Housing and construction', public_safety: 'Public safety', other: 'Other',
  },
  updateCycle: { realtime: 'Real time', daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly', quarterly: 'Quarterly', semiannual: 'Half-yearly', yearly: 'Yearly', irregular: 'Irregular' },
  formatType: { file: 'Electronic file', spreadsheet: 'Spreadsheet', database: 'Database', image: 'Image', stream: 'Streaming media', self_describing: 'Self-describing', service: 'Service interface', other: 'Other' },
  dataType: { C: 'Text', N: 'Number', Y: 'Currency', D: 'Date', T: 'Date and time', L: 'Boolean', M: 'Memo', G: 'General', B: 'Double', I: 'Integer', F: 'Float' },
  mask: { mobile: 'Mobile number masked', 'id-card': 'ID card number masked', name: 'Name masked', drop: 'Not output', hash: 'Replaced by a hash' },
  openType: { open: 'Open without conditions', conditional: 'Open on conditions', closed: 'Not open' },
};

/** The download formats a search can filter on (datasets with data in that format). */
export const DOWNLOAD_FORMATS = ['csv', 'xlsx', 'json', 'ndjson', 'arrow'] as const;

/** The six priority domains of the open data plan, in the order the home page shows them. */
export const PRIORITY_DOMAINS = ['finance', 'transport', 'health', 'market', 'social_security', 'culture_tourism'] as const;

export function codeLabel(list: CodeList, code: string | null | undefined, lang: Lang): string {
  if (code === null || code === undefined) return '';
  const table = lang === 'zh' ? defs[list]['x-labels'] : english[list];
  return table[code] ?? code;
}

/** A format facet's value: a download format (csv, …) or a 信息资源格式 type. */
export function formatLabel(code: string, lang: Lang): string {
  return (DOWNLOAD_FORMATS as readonly string[]).includes(code) ? code.toUpperCase() : codeLabel('formatType', code, lang);
}
