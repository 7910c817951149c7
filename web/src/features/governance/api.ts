/** The governance API as the dashboard and the open-data index call it (docs/indicators.md). */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiGet } from '../../api/client.ts';
import type { Answer, Schema } from '../../api/types.ts';

export type Trend = Schema<'IndicatorTrend'>;
export type Evaluation = Schema<'EvaluationReport'>;
export type IndicatorReport = Schema<'IndicatorReport'>;
export type OpenIndex = Schema<'OpenIndex'>;

/** Snapshots do not change within a visit: a few minutes before asking again. */
const STEADY = 5 * 60_000;

export function useTrend(from: string, to: string) {
  return useQuery({
    queryKey: ['indicators', 'trend', from, to],
    queryFn: ({ signal }) => apiGet<Trend>('/api/v1/indicators/trend', { from, to }, signal),
    placeholderData: keepPreviousData,
    staleTime: STEADY,
  });
}

export function useEvaluation(month: string) {
  return useQuery({
    queryKey: ['evaluations', month],
    queryFn: ({ signal }) => apiGet<Evaluation>('/api/v1/evaluations', { month }, signal),
    placeholderData: keepPreviousData,
    staleTime: STEADY,
  });
}

/**
 * The month's indicators computed from history, for a month without its snapshot (the month still
 * running, as of today): the same figures a snapshot would keep.
 */
export function useMonthIndicators(month: string, enabled: boolean) {
  const today = shanghaiDay(new Date());
  const to = today < lastDay(month) ? today : lastDay(month);
  return useQuery({
    queryKey: ['indicators', 'month', month, to],
    queryFn: ({ signal }) => apiGet<IndicatorReport>('/api/v1/indicators', { from: `${month}-01`, to, as_of: to }, signal),
    enabled,
    staleTime: 60_000,
  });
}

/** The indicators as of now: the stale list is what to act on today. */
export function useIndicatorsNow() {
  return useQuery({ queryKey: ['indicators', 'now'], queryFn: ({ signal }) => apiGet<IndicatorReport>('/api/v1/indicators', {}, signal), staleTime: 60_000 });
}

export const OVERDUE_SHOWN = 10;

export function useOverdueRequests(role: 'authority' | 'provider', enabled: boolean) {
  return useQuery({
    queryKey: ['share-requests', 'list', { role, overdue: 'true', limit: OVERDUE_SHOWN }],
    queryFn: ({ signal }) => apiGet<Answer<'listShareRequests'>>('/api/v1/share-requests', { role, overdue: 'true', limit: OVERDUE_SHOWN }, signal),
    enabled,
  });
}

export function useOverdueReports(role: 'provider' | undefined, enabled: boolean) {
  return useQuery({
    queryKey: ['error-reports', 'list', { role, overdue: 'true', limit: OVERDUE_SHOWN }],
    queryFn: ({ signal }) => apiGet<Schema<'ErrorReportPage'>>('/api/v1/error-reports', { role, overdue: 'true', limit: OVERDUE_SHOWN }, signal),
    enabled,
  });
}

export function useOpenIndex(month: string | undefined) {
  return useQuery({
    queryKey: ['open', 'index', month ?? 'latest'],
    queryFn: ({ signal }) => apiGet<OpenIndex>('/api/v1/open/index', { month }, signal),
    placeholderData: keepPreviousData,
    staleTime: STEADY,
  });
}

/** The date (YYYY-MM-DD) in Shanghai of an instant. */
export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** A month moved by n months (n may be negative). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const i = y * 12 + (m - 1) + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** The last day (YYYY-MM-DD) of a month. */
export function lastDay(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}
