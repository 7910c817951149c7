import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiCall, apiGet, apiSend } from '../../api/client.ts';
import type { Schema } from '../../api/types.ts';
import type { CensusKind } from './kinds.ts';
import { KIND_CONFIG } from './kinds.ts';

/** One row of a census list, whichever the list: what the lists show. */
export interface ListRow {
  id: number;
  name: string;
  status: string;
  code?: string | null;
  updatedAt?: string | null;
}
export interface ListPage {
  items: ListRow[];
  next: string | null;
}
export type Entry = Schema<'SystemEntry'> | Schema<'DemandEntry'> | Schema<'Resource'>;
export type HistoryItem = Schema<'HistoryEntry'>;

export const censusKeys = {
  all: (kind: CensusKind) => ['census', kind] as const,
  list: (kind: CensusKind, params: object) => ['census', kind, 'list', params] as const,
  entry: (kind: CensusKind, id: number) => ['census', kind, id] as const,
  history: (kind: CensusKind, id: number) => ['census', kind, id, 'history'] as const,
};

export interface ListParams {
  q?: string;
  status?: string;
  cursor?: string;
  department?: number | null;
}

/** A page of the department's entries: resources through the catalogue search (drafts included for its own staff), systems and demands through their lists. */
export function useCensusList(kind: CensusKind, params: ListParams) {
  const { plural } = KIND_CONFIG[kind];
  return useQuery({
    queryKey: censusKeys.list(kind, params),
    placeholderData: keepPreviousData,
    queryFn: async ({ signal }): Promise<ListPage> => {
      const common = { q: params.q, status: params.status, cursor: params.cursor, department: params.department ?? undefined, limit: 20 };
      if (kind === 'resource') {
        const page = await apiGet<{ items: Schema<'ResourceSummary'>[]; next: string | null }>(`/api/v1/${plural}`, { ...common, facets: false }, signal);
        return { items: page.items.map((r) => ({ id: r.id, name: r.name, status: r.status, code: r.code })), next: page.next };
      }
      const page = await apiGet<{ items: Schema<'SystemEntry'>[]; next: string | null }>(`/api/v1/${plural}`, common, signal);
      return { items: page.items.map((r) => ({ id: r.id, name: r.name, status: r.status, updatedAt: r.updatedAt })), next: page.next };
    },
  });
}

export function useEntry(kind: CensusKind, id: number | null) {
  return useQuery({
    queryKey: censusKeys.entry(kind, id ?? 0),
    enabled: id !== null,
    queryFn: ({ signal }) => apiGet<Entry>(`/api/v1/${KIND_CONFIG[kind].plural}/${id}`, {}, signal),
  });
}

export function useHistory(kind: CensusKind, id: number | null) {
  return useQuery({
    queryKey: censusKeys.history(kind, id ?? 0),
    enabled: id !== null,
    queryFn: ({ signal }) => apiGet<{ items: HistoryItem[] }>(`/api/v1/${KIND_CONFIG[kind].plural}/${id}/history`, {}, signal),
  });
}

/** Create (no id) or replace (with the version read, so a concurrent change is refused rather than lost). */
export function useSaveEntry(kind: CensusKind) {
  const qc = useQueryClient();
  const base = `/api/v1/${KIND_CONFIG[kind].plural}`;
  return useMutation({
    mutationFn: ({ id, version, doc }: { id: number | null; version?: number; doc: unknown }) =>
      id === null ? apiSend<Entry>('POST', base, doc) : apiCall<Entry>('PUT', `${base}/${id}`, { body: doc, params: { version } }),
    onSuccess: (entry) => {
      qc.setQueryData(censusKeys.entry(kind, entry.id), entry);
      void qc.invalidateQueries({ queryKey: censusKeys.all(kind) });
    },
  });
}

/** A lifecycle step of a resource (submit, withdraw). */
export function useStep(kind: CensusKind) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, step }: { id: number; step: 'submit' | 'withdraw' }) => apiSend<Entry>('POST', `/api/v1/${KIND_CONFIG[kind].plural}/${id}/${step}`, {}),
    onSuccess: (entry) => {
      qc.setQueryData(censusKeys.entry(kind, entry.id), entry);
      void qc.invalidateQueries({ queryKey: censusKeys.all(kind) });
    },
  });
}
