import { badRequest, text } from '../http/errors.ts';

/** Opaque keyset cursors: the sort key of the last row of a page, base64url-encoded JSON. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** `fits`, when given, says whether each value is one the endpoint could have handed out (e.g. it casts back to its column's type). */
export function decodeCursor(cursor: string, shape: ('number' | 'string')[], fits?: (v: unknown, i: number) => boolean): unknown[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === shape.length && key.every((v, i) => typeof v === shape[i] && (typeof v !== 'number' || Number.isFinite(v)) && (!fits || fits(v, i)))) return key;
  } catch {
    // falls through to the error below
  }
  throw badRequest(text('游标不是本接口给出的', 'the cursor is not one this endpoint handed out'), [{ in: 'query', path: '/cursor', message: text('游标无效', 'invalid cursor') }]);
}

/**
 * A page of a list read newest first by id, `limit + 1` rows at a time (the extra row only tells
 * that there is more): the presented items, and the cursor that reads on after the last of them.
 */
export function pageById<R extends { id: number }, T>(rows: R[], limit: number, present: (row: R) => T): { items: T[]; next: string | null } {
  const page = rows.slice(0, limit);
  return { items: page.map(present), next: rows.length > limit ? encodeCursor([page[page.length - 1].id]) : null };
}
