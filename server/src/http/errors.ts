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

/** What an error response carries under `error`. */
export interface Problem {
  code: ProblemCode;
  message: string;
  details?: unknown;
  requestId?: string;
}

/** An error that becomes `{ error: Problem }` with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) => new HttpError(400, 'bad_request', message, details);
export const unauthorized = (message = 'a valid bearer token is required') => new HttpError(401, 'unauthorized', message);
export const forbidden = (message: string, details?: unknown) => new HttpError(403, 'forbidden', message, details);
export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
/** The caller edited from a version that is no longer current: reload and edit again. */
export const versionConflict = (message: string, details?: unknown) => new HttpError(409, 'version_conflict', message, details);
/** The target's state (status, lifecycle, a pending or suspended record, a limit) does not allow this now. */
export const stateConflict = (message: string, details?: unknown) => new HttpError(409, 'state_conflict', message, details);
/** Something unique (a login, an e-mail address) is taken. */
export const alreadyExists = (message: string, details?: unknown) => new HttpError(409, 'already_exists', message, details);
export const unprocessable = (message: string, details?: unknown) => new HttpError(422, 'unprocessable', message, details);
