/**
 * The API's one error shape: `{ error: Problem }` with the HTTP status. A problem's `code` is one of
 * PROBLEM_CODES, each documented in docs/errors.md; a client branches on the code, never on the
 * message, so codes are stable and distinct (a stale version is not a wrong state).
 */
export const PROBLEM_CODES = [
  'bad_request',
  'invalid_document',
  'unauthorized',
  'forbidden',
  'not_found',
  'not_acceptable',
  'version_conflict',
  'state_conflict',
  'already_exists',
  'reference_conflict',
  'payload_too_large',
  'unsupported_media_type',
  'unprocessable',
  'import_rejected',
  'rate_limited',
  'unavailable',
  'misconfigured',
  'internal',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** The languages a message is written in: Chinese first (the default), English second. */
export type Lang = 'zh' | 'en';

/**
 * A message for a person, in both languages. Problems carry them, and the error writer picks one by
 * the request's `Accept-Language` (`languageOf`), so a handler never needs to know who is asking.
 */
export class Bilingual {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {}
  in(lang: Lang): string {
    return lang === 'zh' ? this.zh : this.en;
  }
  /** In a log line or an English-only envelope (CKAN's), a message reads as English, as `Error.message` does. */
  toString(): string {
    return this.en;
  }
  /** Stored (a load's error, an audit detail) with both texts, so a later reader can still choose. */
  toJSON(): { zh: string; en: string } {
    return { zh: this.zh, en: this.en };
  }
}

export const text = (zh: string, en: string) => new Bilingual(zh, en);

/**
 * The language a request asks for: the highest-weighted `Accept-Language` tag that is Chinese or
 * English (`zh`, `zh-CN`, `en-GB`, …); Chinese when there is no header or it names neither.
 */
export function languageOf(header: string | undefined): Lang {
  if (!header) return 'zh';
  let best: Lang = 'zh';
  let bestQ = 0;
  for (const part of header.split(',')) {
    const [tag, ...params] = part.trim().toLowerCase().split(';');
    const lang: Lang | null = /^zh(-|$)/.test(tag) ? 'zh' : /^en(-|$)/.test(tag) ? 'en' : null;
    if (!lang) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (Number.isFinite(q) && q > bestQ) {
      best = lang;
      bestQ = q;
    }
  }
  return best;
}

/**
 * A problem's details as the caller reads them: every Bilingual in the caller's language, and every
 * issue that carries `message` (English) with `messageZh` (the validators' and the census import's
 * reports) answered with `message` in the caller's language; `messageZh` stays, as clients written
 * before Accept-Language was honoured read it.
 */
export function localized(value: unknown, lang: Lang): unknown {
  if (value instanceof Bilingual) return value.in(lang);
  if (Array.isArray(value)) return value.map((v) => localized(v, lang));
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = localized(v, lang);
  if (lang === 'zh' && typeof out.messageZh === 'string' && typeof out.message === 'string') out.message = out.messageZh;
  return out;
}

/** What an error response carries under `error`. */
export interface Problem {
  code: ProblemCode;
  /** In the caller's language. */
  message: string;
  details?: unknown;
  requestId?: string;
}

/**
 * An error that becomes `{ error: Problem }` with its status. Its message is a Bilingual; a plain string
 * (a fault's own words, a name) is answered as it is in either language. `Error.message` is the
 * English text, for logs.
 */
export class HttpError extends Error {
  readonly text: Bilingual;
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    message: Bilingual | string,
    readonly details?: unknown,
  ) {
    const t = typeof message === 'string' ? new Bilingual(message, message) : message;
    super(t.en);
    this.text = t;
  }
}

export const badRequest = (message: Bilingual, details?: unknown) => new HttpError(400, 'bad_request', message, details);
export const unauthorized = (message = text('需要有效的访问令牌或登录会话', 'a valid bearer token is required')) => new HttpError(401, 'unauthorized', message);
export const forbidden = (message: Bilingual, details?: unknown) => new HttpError(403, 'forbidden', message, details);
/** `what` names the target in both languages: notFound(text(`数据集 ${code}`, `open dataset ${code}`)). */
export const notFound = (what: Bilingual) => new HttpError(404, 'not_found', text(`未找到${what.zh}`, `${what.en} not found`));
/** The caller edited from a version that is no longer current: reload and edit again. */
export const versionConflict = (message: Bilingual, details?: unknown) => new HttpError(409, 'version_conflict', message, details);
/** The target's state (status, lifecycle, a pending or suspended record, a limit) does not allow this now. */
export const stateConflict = (message: Bilingual, details?: unknown) => new HttpError(409, 'state_conflict', message, details);
/** Something unique (a login, an e-mail address) is taken. */
export const alreadyExists = (message: Bilingual, details?: unknown) => new HttpError(409, 'already_exists', message, details);
export const unprocessable = (message: Bilingual, details?: unknown) => new HttpError(422, 'unprocessable', message, details);
