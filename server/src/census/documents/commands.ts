import type { CommandContext } from '../../audit/command.ts';
import { notFound, stateConflict, text, versionConflict } from '../../http/errors.ts';
import { columnsOf, derivedColumns, registryProblems, type DocumentViolation } from './derive.ts';
import { recordStep, recordSteps } from './history.ts';
import { KINDS, type CensusKind } from './kinds.ts';
import { assertValid, invalidDocument, ownerDepartment } from './validate.ts';

export type DocumentRow = Record<string, any> & { id: number; department_id: number; status: string; version: number; doc: Record<string, any> };

/** Validates a new census document, stores it as version 1 of its department, and records history and audit. */
export async function documentCreator(ctx: CommandContext, kind: CensusKind, input: unknown): Promise<DocumentRow> {
  const doc = assertValid(kind, input) as Record<string, any>;
  const departmentId = await ownerDepartment(ctx.trx, kind, doc);
  const [row] = await documentsCreator(ctx, kind, [doc], departmentId, (_, problems) => {
    throw invalidDocument(problems);
  });
  return row;
}

/** Rows per INSERT: a statement binds at most 65,535 values, and a resource row binds 11. */
const INSERT_BATCH = 1_000;

/**
 * Stores documents that passed their schema as version 1 each, all of one department, set-based:
 * the registry rules in two queries, then a multi-row INSERT of the documents and one of their
 * history per batch, and an audit event each — the same rows and events `documentCreator` writes,
 * at a few statements per thousand documents (census imports of 10,000 rows). `onInvalid` is told
 * the first document a registry rule refuses and must throw.
 */
export async function documentsCreator(
  ctx: CommandContext,
  kind: CensusKind,
  docs: Record<string, any>[],
  departmentId: number,
  onInvalid: (index: number, problems: DocumentViolation[]) => never,
): Promise<DocumentRow[]> {
  const problems = await registryProblems(ctx.trx, kind, docs, departmentId);
  for (const [index, p] of problems) onInvalid(index, p);
  const status = KINDS[kind].initialStatus;
  const out: DocumentRow[] = [];
  if (docs.length === 0) return out;
  const derived = Object.keys(columnsOf(kind, docs[0]));
  const columns = ['department_id', 'status', 'doc', 'version', ...derived];
  const types: Record<string, string> = { department_id: 'bigint', doc: 'jsonb', version: 'int', search: 'tsvector' };
  // one JSON parameter per batch: knex would bind (and build SQL for) every value of every row
  const sql = `insert into ${KINDS[kind].table} (${columns.join(', ')})
    select ${columns.join(', ')} from jsonb_to_recordset(?::jsonb) as r(${columns.map((c) => `${c} ${types[c] ?? 'text'}`).join(', ')})
    returning *`;
  for (let from = 0; from < docs.length; from += INSERT_BATCH) {
    const batch = docs.slice(from, from + INSERT_BATCH);
    const values = batch.map((doc) => ({ department_id: departmentId, status, doc, version: 1, ...columnsOf(kind, doc) }));
    // rows come back in the order of the recordset, which is the order of the batch
    const rows: DocumentRow[] = (await ctx.trx.raw(sql, [JSON.stringify(values)])).rows;
    await recordSteps(ctx, kind, departmentId, rows.map((row, i) => ({ docId: row.id, version: 1, action: 'create', status, doc: batch[i] })));
    out.push(...rows);
  }
  return out;
}

/** Locks a document for a change; 404 when it does not exist. */
export async function lockDocument(ctx: CommandContext, kind: CensusKind, id: number): Promise<DocumentRow> {
  const row = await ctx.trx(KINDS[kind].table).where({ id }).forUpdate().first();
  if (!row) throw notFound(text(`${KINDS[kind].noun} ${id}`, `${kind} ${id}`));
  return row;
}

/**
 * Replaces the working document with a new version. A published resource keeps its
 * published version visible while the revision goes through the lifecycle again.
 */
export async function documentUpdater(ctx: CommandContext, kind: CensusKind, id: number, input: unknown, expectedVersion?: number): Promise<DocumentRow> {
  const current = await lockDocument(ctx, kind, id);
  if (!KINDS[kind].editable.includes(current.status)) {
    throw stateConflict(text(`状态为“${current.status}”的${KINDS[kind].noun}不能编辑`, `a ${kind} in status '${current.status}' cannot be edited`), {
      status: current.status,
      editable: KINDS[kind].editable,
    });
  }
  if (expectedVersion !== undefined && expectedVersion !== current.version) {
    throw versionConflict(
      text(`第 ${expectedVersion} 版已不是当前版本（当前为第 ${current.version} 版），请重新加载后再编辑`, `version ${expectedVersion} is not current (current: ${current.version}); reload and edit again`),
      { currentVersion: current.version },
    );
  }
  const doc = assertValid(kind, input) as Record<string, any>;
  const field = KINDS[kind].ownerField;
  if (doc[field] !== current.doc[field]) {
    throw invalidDocument([{ path: `/${field}`, message: 'the owning department cannot change', messageZh: '所属部门不可变更' }]);
  }
  const status = kind === 'resource' && current.status === 'published' ? 'draft' : current.status;
  const version = current.version + 1;
  const [row] = await ctx.trx(KINDS[kind].table)
    .where({ id })
    .update({
      doc: JSON.stringify(doc),
      version,
      status,
      updated_at: ctx.trx.fn.now(),
      ...(await derivedColumns(ctx.trx, kind, doc, current.department_id, current.published_doc)),
    })
    .returning('*');
  await recordStep(ctx, kind, id, current.department_id, { version, action: current.status === 'published' ? 'revise' : 'update', status, doc });
  return row;
}
