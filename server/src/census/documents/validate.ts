import type { Knex } from 'knex';
import { HttpError, text } from '../../http/errors.ts';
import { validateDocument, type DocType, type Violation } from '../../schemas/validator.ts';
import { KINDS, type CensusKind } from './kinds.ts';

/**
 * A document that breaks its schema or a registry rule (an unknown owner, classification or
 * system): always 400 `invalid_document` with every violation's JSON path, in Chinese and
 * English — one status for every way a document can be wrong, so a form maps each to its field.
 */
export function invalidDocument(violations: Pick<Violation, 'path' | 'message' | 'messageZh'>[]): HttpError {
  return new HttpError(400, 'invalid_document', text(`文档有 ${violations.length} 个问题`, `the document has ${violations.length} problem(s)`), violations);
}

export function assertValid<K extends CensusKind>(kind: K, doc: unknown): DocType<K> {
  const r = validateDocument(kind, doc);
  if (!r.ok) throw invalidDocument(r.violations);
  return r.value;
}

/** The department a document names as its owner; 400 naming the field when no department has that code. */
export async function ownerDepartment(db: Knex | Knex.Transaction, kind: CensusKind, doc: Record<string, unknown>): Promise<number> {
  const field = KINDS[kind].ownerField;
  const row = await db('odx.departments').where({ uscc: doc[field] }).first('id');
  if (!row) {
    throw invalidDocument([{ path: `/${field}`, message: `no department has the code ${String(doc[field])}`, messageZh: `没有统一社会信用代码为 ${String(doc[field])} 的部门` }]);
  }
  return row.id;
}
