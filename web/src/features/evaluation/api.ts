import { useQuery } from '@tanstack/react-query';
import { apiGet, queryString } from '../../api/client.ts';
import type { Schema } from '../../api/types.ts';

export type EvaluationReport = Schema<'EvaluationReport'>;
export type EvaluationRow = Schema<'EvaluationRow'>;

export function useEvaluation(month: string) {
  return useQuery({
    queryKey: ['evaluation', month],
    queryFn: ({ signal }) => apiGet<EvaluationReport>('/api/v1/evaluations', { month }, signal),
  });
}

/** The same report as files: the .xlsx of the API and the PDF the server prints from the printable page. */
export const evaluationFile = (month: string, kind: 'xlsx' | 'pdf') =>
  kind === 'xlsx' ? `/api/v1/evaluations${queryString({ month, format: 'xlsx' })}` : `/api/v1/evaluations/report.pdf${queryString({ month })}`;

/** The month before the current one (the city's calendar is close enough to the browser's for a default). */
export function lastMonth(now = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}
