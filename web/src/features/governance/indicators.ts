/**
 * The indicators the governance pages show, by their key in the API (`area.name`, docs/indicators.md),
 * and how a figure reads: a share as a percentage, the quality score on its 0–100 scale, counts as they are.
 */
import type { Schema } from '../../api/types.ts';
import type { MessageKey } from '../../i18n/messages.ts';

export type Figures = Schema<'IndicatorFigures'>;
export type Kind = 'share' | 'score' | 'count' | 'days';

export const DASHBOARD_INDICATORS = [
  { key: 'census.linkRate', kind: 'share' },
  { key: 'timeliness.onTimeRate', kind: 'share' },
  { key: 'quality.score', kind: 'score' },
  { key: 'sharing.realTimeRate', kind: 'share' },
  { key: 'sharing.inTimeRate', kind: 'share' },
  { key: 'sharing.demandFulfilmentRate', kind: 'share' },
  { key: 'open.machineReadableShare', kind: 'share' },
  { key: 'quality.errorReportInTimeRate', kind: 'share' },
  { key: 'census.systemsWithResourceShare', kind: 'share' },
  { key: 'census.resources', kind: 'count' },
  { key: 'sharing.received', kind: 'count' },
  { key: 'sharing.medianAnswerDays', kind: 'days' },
  { key: 'sharing.grantsInForce', kind: 'count' },
  { key: 'open.datasets', kind: 'count' },
  { key: 'open.downloads', kind: 'count' },
  { key: 'open.apiCalls', kind: 'count' },
] as const satisfies readonly { key: string; kind: Kind }[];

export type IndicatorKey = (typeof DASHBOARD_INDICATORS)[number]['key'];

/** The indicators of the department × indicator table: the shares and the score, all on 0–100. */
export const HEAT_INDICATORS = DASHBOARD_INDICATORS.filter((d) => d.kind === 'share' || d.kind === 'score').slice(0, 8);

/**
 * The open-data figures of the public index, in the order its table shows them. Figures the API
 * does not give (conditional applications before that count exists) are left out by the page.
 */
export const OPEN_INDICATORS = [
  { key: 'datasets', kind: 'count' },
  { key: 'capacity', kind: 'count' },
  { key: 'machineReadableShare', kind: 'share' },
  { key: 'domains', kind: 'count' },
  { key: 'downloads', kind: 'count' },
  { key: 'apiCalls', kind: 'count' },
  { key: 'developersActive', kind: 'count' },
  { key: 'developers', kind: 'count' },
  { key: 'applications', kind: 'count' },
  { key: 'applicationsApproved', kind: 'count' },
  { key: 'applicationInTimeRate', kind: 'share' },
] as const satisfies readonly { key: string; kind: Kind }[];

export const kindOf = (key: string): Kind => DASHBOARD_INDICATORS.find((d) => d.key === key)?.kind ?? 'count';

export const labelKey = (key: string) => `gov.ind.${key}` as MessageKey;

/** A figure by its key, null when absent or not a number. */
export function figure(x: object | null | undefined, key: string): number | null {
  let v: unknown = x;
  for (const part of key.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return typeof v === 'number' ? v : null;
}

/** The figure as charts and the heat table plot it: shares as percentages (two decimals), everything else as it is. */
export function plotted(v: number | null, kind: Kind): number | null {
  if (v === null) return null;
  return kind === 'share' ? Math.round(v * 10_000) / 100 : v;
}

/** The figure as a person reads it, in their locale: 66.67%, 95.3, 1,234; a dash when there was nothing to measure. */
export function shown(v: number | null, kind: Kind, number: (n: number) => string): string {
  if (v === null) return '—';
  return kind === 'share' ? `${number(plotted(v, kind)!)}%` : number(v);
}
