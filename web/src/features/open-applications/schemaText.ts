import schema from '../../../../catalog-schemas/open-application.schema.json';
import type { Lang } from '../../i18n/format.ts';

/**
 * Words of the application form taken from its JSON Schema (catalog-schemas/open-application.schema.json),
 * the one the server validates with: in Chinese a field's `title` and a code's `x-labels`, in English
 * the English half of its `description` — never retyped here.
 */
type Node = { title?: string; description?: string; properties?: Record<string, Node>; 'x-labels'?: Record<string, string> };
const root = schema as unknown as Node;

const english = (description = '') => description.slice(description.lastIndexOf('。') + 1).trim().replace(/\.$/, '');

/** The commitments an applicant accepts, in the schema's order: key and what it says. */
export function commitments(lang: Lang): { key: string; text: string }[] {
  return Object.entries(root.properties!.commitments.properties!).map(([key, n]) => ({ key, text: lang === 'zh' ? n.title! : english(n.description) }));
}

const ORG_KINDS_EN: Record<string, string> = { enterprise: 'Enterprise', institution: 'Public institution (university, research institute)', social_organisation: 'Social organisation', individual: 'Individual' };
const MODES_EN: Record<string, string> = { query: 'API query', download: 'Bulk download' };
const PERIODS_EN: Record<string, string> = { '30d': '30 days', '90d': '90 days', '180d': '180 days', long_term: 'Long-term', until: 'Until a date' };

/** The codes of an enum field with their names: organisation kind, access mode, period kind. */
export function codes(field: 'orgKind' | 'accessMode' | 'period', lang: Lang): { value: string; label: string }[] {
  const p = root.properties!;
  const node = field === 'orgKind' ? p.organisation.properties!.kind : field === 'accessMode' ? p.accessMode : p.period.properties!.kind;
  const en = field === 'orgKind' ? ORG_KINDS_EN : field === 'accessMode' ? MODES_EN : PERIODS_EN;
  return Object.entries(node['x-labels']!).map(([value, zh]) => ({ value, label: lang === 'zh' ? zh : en[value] }));
}

/**
 * A rule for a group of checkboxes: at least one ticked. Not `required`, which makes antd put
 * aria-required on the group's element, where ARIA does not allow it (axe: aria-allowed-attr).
 */
export const atLeastOne = (message: string) => ({
  validator: (_rule: unknown, value: string[] | undefined) => (value?.length ? Promise.resolve() : Promise.reject(new Error(message))),
});
