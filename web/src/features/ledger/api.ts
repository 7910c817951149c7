/**
 * The ledger (一本账) as the console reads it: GET /api/v1/census/ledger, one list at a time, filtered
 * and paged by the server; the export is the same URL with `format`, fetched by the browser itself.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiGet, queryString, type QueryValue } from '../../api/client.ts';
import type { Answer, Schema } from '../../api/types.ts';

export type Ledger = Schema<'Ledger'>;
export type LedgerList = 'systems' | 'resources' | 'demands';
export type LedgerSystem = Schema<'LedgerSystem'>;
export type LedgerResource = Schema<'LedgerResource'>;
export type LedgerDemand = Schema<'LedgerDemand'>;

export const PAGE_SIZE = 20;

export function useLedger(params: Record<string, QueryValue>) {
  return useQuery({
    queryKey: ['ledger', params],
    queryFn: ({ signal }) => apiGet<Ledger>('/api/v1/census/ledger', { ...params, limit: PAGE_SIZE }, signal),
    placeholderData: keepPreviousData,
  });
}

/** The address of the export with the filters shown: a link the browser downloads, named by the server (一本账-数据清单-日期.xlsx). */
export function exportUrl(filters: Record<string, QueryValue>, format: 'xlsx' | 'csv'): string {
  return `/api/v1/census/ledger${queryString({ ...filters, format })}`;
}

export function useDepartments() {
  return useQuery({
    queryKey: ['departments', 'all'],
    queryFn: ({ signal }) => apiGet<Answer<'listDepartments'>>('/api/v1/departments', {}, signal),
    staleTime: 10 * 60_000,
  });
}

type JsonNode = { $ref?: string; enum?: string[]; 'x-labels'?: Record<string, string>; properties?: Record<string, JsonNode>; items?: JsonNode; $defs?: Record<string, JsonNode> };

/**
 * The Chinese names of a census document's codes (`x-labels` of its JSON Schema, GET
 * /api/v1/schemas/:kind): the same words the forms and the exported files use.
 */
export function useCodeLabels(kind: 'system' | 'resource' | 'demand') {
  const q = useQuery({
    queryKey: ['catalog-schema', kind],
    queryFn: ({ signal }) => apiGet<JsonNode>(`/api/v1/schemas/${kind}`, {}, signal),
    staleTime: Infinity,
  });
  const node = (field: string): JsonNode | undefined => {
    let n = q.data?.properties?.[field];
    for (let hops = 0; n?.$ref && hops < 5; hops++) n = q.data?.$defs?.[n.$ref.split('/').pop()!];
    return n;
  };
  return {
    options: (field: string) => (node(field)?.enum ?? []).map((code) => ({ value: code, label: node(field)?.['x-labels']?.[code] ?? code })),
    label: (field: string, code: string | number | null | undefined) => (code == null ? '—' : (node(field)?.['x-labels']?.[String(code)] ?? String(code))),
  };
}
