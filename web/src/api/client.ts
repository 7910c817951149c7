/**
 * The one way the web app calls ODX: the same public HTTP API scripts use, same-origin, JSON.
 * Every failure becomes an ApiError carrying what the API said (status, code, problems) and the
 * request id a person can quote.
 */
/** One problem of a refused request, its message already in the language the app asked for. */
export interface Problem {
  in?: string;
  path?: string;
  message: string;
}

let language = 'zh-CN';

/** The language the API answers errors in (its `Accept-Language`): the person's choice, set by the i18n provider. */
export function setApiLanguage(lang: 'zh' | 'en'): void {
  language = lang === 'en' ? 'en' : 'zh-CN';
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
    readonly requestId: string | null = null,
    readonly retryAfter: number | null = null,
    /** `details` when it is an object (a list is `problems`): e.g. a refused sign-in's `{ limit, retryAfter }`. */
    readonly details: Record<string, unknown> | null = null,
  ) {
    super(message);
  }
}

export type QueryValue = string | number | boolean | null | undefined | readonly string[];

/** A query string from parameters, leaving out empty ones; arrays are comma-joined (the API's lists). */
export function queryString(params: Record<string, QueryValue>): string {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length) out.set(k, v.join(','));
    } else out.set(k, String(v));
  }
  const s = out.toString();
  return s ? `?${s}` : '';
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One call to the API. A body is sent as JSON, a form (files) as multipart; the session cookie goes
 * along (writes with it are checked against Origin by the server).
 */
export async function apiCall<T>(method: Method, path: string, opts: { params?: Record<string, QueryValue>; body?: unknown; form?: FormData; signal?: AbortSignal } = {}): Promise<T> {
  let res: Response;
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': language };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  try {
    res = await fetch(path + queryString(opts.params ?? {}), {
      method,
      headers,
      // the browser writes a form's multipart Content-Type with its boundary itself
      body: opts.form ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
      signal: opts.signal,
      credentials: 'same-origin',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', (err as Error).message);
  }
  const requestId = res.headers.get('x-request-id');
  const body = res.headers.get('content-type')?.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) {
    const e = (body as { error?: { code?: string; message?: string; details?: unknown; requestId?: string } } | null)?.error;
    const problems = Array.isArray(e?.details) ? (e.details as Problem[]) : [];
    const retry = res.headers.get('retry-after');
    const details = e?.details && typeof e.details === 'object' && !Array.isArray(e.details) ? (e.details as Record<string, unknown>) : null;
    throw new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? res.statusText, problems, e?.requestId ?? requestId, retry ? Number(retry) : null, details);
  }
  return body as T;
}

export function apiGet<T>(path: string, params: Record<string, QueryValue> = {}, signal?: AbortSignal): Promise<T> {
  return apiCall<T>('GET', path, { params, signal });
}

/** A write: POST (or another method) with a JSON body. */
export function apiSend<T>(method: Exclude<Method, 'GET'>, path: string, body?: unknown): Promise<T> {
  return apiCall<T>(method, path, { body });
}
