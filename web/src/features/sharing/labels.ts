import type { Translate } from '../../i18n/i18n.tsx';
import type { MessageKey } from '../../i18n/messages.ts';

/** The sharing workflow's codes in words (states, modes, periods, grant statuses). */
export const stateLabel = (t: Translate, s: string) => t(`sharing.state.${s}` as MessageKey);
export const modeLabel = (t: Translate, m: string) => t(`sharing.mode.${m}` as MessageKey);
export const grantStatusLabel = (t: Translate, s: string) => t(`sharing.grant.status.${s}` as MessageKey);
export const periodLabel = (t: Translate, p: { kind: string; until?: string } | undefined) =>
  p ? (p.kind === 'until' ? `${t('sharing.period.until')} ${p.until ?? ''}` : t(`sharing.period.${p.kind}` as MessageKey)) : '';

/** Colours a state tag: red for what failed, green for a grant, blue for waiting. */
export function stateColor(s: string): string | undefined {
  if (s === 'granted') return 'green';
  if (s === 'refused' || s === 'denied' || s === 'rejected') return 'red';
  if (s === 'withdrawn') return undefined;
  return 'blue';
}

/** The share-request states (server/src/sharing/states.ts), in the order of the workflow. */
export const STATES = ['submitted', 'provider_review', 'granted', 'refused', 'disputed', 'denied', 'rejected', 'withdrawn'] as const;
