import type { DocumentRow } from './commands.ts';

/** A census list entry (system, demand) as the API shows it. */
export function presentDocument(r: DocumentRow) {
  return { id: r.id, departmentId: r.department_id, name: r.name, status: r.status, version: r.version, doc: r.doc, createdAt: r.created_at, updatedAt: r.updated_at };
}
