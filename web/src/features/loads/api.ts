import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, apiGet, apiSend, queryString, type Problem } from '../../api/client.ts';
import type { Answer, Schema } from '../../api/types.ts';

export type Load = Schema<'Load'>;
export type DataVersion = Schema<'DataVersion'>;
export type ResourcePage = Answer<'searchResources'>;

export const loadKeys = {
  resources: (department: number | null) => ['loads', 'resources', department] as const,
  loads: (resourceId: number) => ['loads', resourceId] as const,
  load: (resourceId: number, id: number) => ['loads', resourceId, id] as const,
  versions: (resourceId: number) => ['loads', resourceId, 'versions'] as const,
};

/** The department's resources a load can go into (any status: a draft may be loaded before publication). */
export function useOwnResources(department: number | null) {
  return useQuery({
    queryKey: loadKeys.resources(department),
    queryFn: ({ signal }) => apiGet<ResourcePage>('/api/v1/resources', { department, facets: 'false', limit: 100 }, signal),
    enabled: department !== null,
  });
}

export function useLoads(resourceId: number | null) {
  return useQuery({
    queryKey: loadKeys.loads(resourceId ?? 0),
    queryFn: ({ signal }) => apiGet<Answer<'listLoads'>>(`/api/v1/resources/${resourceId}/loads`, {}, signal),
    enabled: resourceId !== null,
  });
}

const finished = (l: Load | undefined) => l !== undefined && (l.state === 'succeeded' || l.state === 'failed');

/** A load followed while it runs: asked again every half second until it has succeeded or failed. */
export function useLoad(resourceId: number, id: number | null) {
  return useQuery({
    queryKey: loadKeys.load(resourceId, id ?? 0),
    queryFn: ({ signal }) => apiGet<Load>(`/api/v1/resources/${resourceId}/loads/${id}`, {}, signal),
    enabled: id !== null,
    refetchInterval: (q) => (finished(q.state.data) ? false : 500),
  });
}

export function useVersions(resourceId: number | null) {
  return useQuery({
    queryKey: loadKeys.versions(resourceId ?? 0),
    queryFn: ({ signal }) => apiGet<Answer<'listVersions'>>(`/api/v1/resources/${resourceId}/versions`, {}, signal),
    enabled: resourceId !== null,
  });
}

export function useRestoreVersion(resourceId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (version: number) => apiSend<unknown>('POST', `/api/v1/resources/${resourceId}/versions/${version}/restore`),
    onSuccess: () => client.invalidateQueries({ queryKey: loadKeys.loads(resourceId) }),
  });
}

export interface LoadOptions {
  mode: 'replace' | 'append' | 'upsert';
  maxErrors: number;
  allowEmpty: boolean;
}

/**
 * Sends an extract as the body of POST …/loads, telling the bytes sent as they go (fetch cannot
 * report upload progress; XMLHttpRequest can). Answers the queued load, which the page then follows.
 */
export function uploadExtract(resourceId: number, file: File, options: LoadOptions, onSent: (sent: number, total: number) => void): Promise<Load> {
  const params = queryString({ mode: options.mode, maxErrors: options.maxErrors, allowEmpty: options.allowEmpty ? 'true' : undefined, fileName: file.name });
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/resources/${resourceId}/loads${params}`);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onSent(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, 'network', 'the upload did not reach the server'));
    xhr.onload = () => {
      let body: { error?: { code?: string; message?: string; details?: unknown; requestId?: string } } | Load | null = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: the status says enough
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as Load);
      const e = (body as { error?: { code?: string; message?: string; details?: unknown; requestId?: string } } | null)?.error;
      reject(new ApiError(xhr.status, e?.code ?? `http_${xhr.status}`, e?.message ?? xhr.statusText, Array.isArray(e?.details) ? (e.details as Problem[]) : [], e?.requestId ?? null));
    };
    xhr.send(file);
  });
}

/** The rejects of a load, read from the same audited rejects.csv a person can download. */
export function useRejects(resourceId: number, load: Load | undefined) {
  return useQuery({
    queryKey: [...loadKeys.load(resourceId, load?.id ?? 0), 'rejects'],
    queryFn: async ({ signal }) => {
      const res = await fetch(rejectsUrl(resourceId, load!.id), { signal, credentials: 'same-origin' });
      if (!res.ok) throw new ApiError(res.status, `http_${res.status}`, res.statusText);
      return parseCsv(await res.text());
    },
    enabled: !!load && (load.rejected ?? 0) > 0 && finished(load),
  });
}

export const rejectsUrl = (resourceId: number, loadId: number) => `/api/v1/resources/${resourceId}/loads/${loadId}/rejects.csv`;

/** RFC 4180 CSV into records keyed by the header row (the rejects file: quoted values may hold commas, quotes and newlines). */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...data] = rows;
  return data.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])));
}
