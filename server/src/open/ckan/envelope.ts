/**
 * CKAN's Action API envelope: `{ help, success: true, result }`, and on failure
 * `{ help, success: false, error: { __type, message, ...fields } }` with CKAN's statuses
 * (ckan/views/api.py): Validation Error 409, Not Found Error 404, Authorization Error 403,
 * Search Query Error 400, Search Error 409, Internal Server Error 500. An unknown action is
 * CKAN's bare 400 "Bad request - Action name not known: …".
 */
export type CkanErrorType =
  | 'Validation Error'
  | 'Not Found Error'
  | 'Authorization Error'
  | 'Search Query Error'
  | 'Search Error'
  | 'Internal Server Error';

const STATUS: Record<CkanErrorType, number> = {
  'Validation Error': 409,
  'Not Found Error': 404,
  'Authorization Error': 403,
  'Search Query Error': 400,
  'Search Error': 409,
  'Internal Server Error': 500,
};

export class CkanError extends Error {
  readonly status: number;
  constructor(
    readonly type: CkanErrorType,
    message: string,
    /** Per-field messages, as CKAN's ValidationError gives them: `{ id: ['Missing value'] }`. */
    readonly fields: Record<string, string[]> = {},
    status?: number,
  ) {
    super(message);
    this.status = status ?? STATUS[type];
  }
}

/** A missing or malformed parameter, named the way CKAN names it. */
export function validationError(field: string, message: string): CkanError {
  return new CkanError('Validation Error', `${field}: ${message}`, { [field]: [message] });
}

/** A parameter over its bound (lib/lists.ts): a Validation Error, answered 400 since the request, not the data, is at fault. */
export function tooLongError(field: string, message: string): CkanError {
  return new CkanError('Validation Error', `${field}: ${message}`, { [field]: [message] }, 400);
}

export function notFoundError(what: string): CkanError {
  return new CkanError('Not Found Error', `Not found: ${what}`);
}

export function searchQueryError(message: string): CkanError {
  return new CkanError('Search Query Error', `Search Query is invalid: ${message}`);
}

export function helpUrl(baseUrl: string, action: string): string {
  return `${baseUrl}/api/3/action/help_show?name=${encodeURIComponent(action)}`;
}

export function success(baseUrl: string, action: string, result: unknown) {
  return { help: helpUrl(baseUrl, action), success: true, result };
}

export function failure(baseUrl: string, action: string, err: CkanError) {
  return { help: helpUrl(baseUrl, action), success: false, error: { __type: err.type, message: err.message, ...err.fields } };
}
