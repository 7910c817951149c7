import type { CommandContext } from '../../audit/command.ts';
import { notFound, stateConflict, text, versionConflict } from '../../http/errors.ts';
import { derivedColumns } from './derive.ts';
import { recordStep } from './history.ts';
import { KINDS, type CensusKind } from './kinds.ts';
import { assertValid, invalidDocument, ownerDepartment } from './validate.ts';

export type DocumentRow = Record<string, any> & { id: number; department_id: number; status: string; version: number; doc: Record<string, any> };

/** Validates a new census document, stores it as version 1 of its department, and records history and audit. */
export async function documentCreator(ctx: CommandContext, kind: CensusKind, input: unknown): Promise<DocumentRow> {
  const doc = assertValid(kind, input) as Record<string, any>;
  const departmentId = await ownerDepartment(ctx.trx, kind, doc);
  const status = KINDS[kind].initialStatus;
  const [row] = await ctx.trx(KINDS[kind].table)
    .insert({ department_id: departmentId, status, doc: JSON.stringify(doc), version: 1, ...(await derivedColumns(ctx.trx, kind, doc, departmentId)) })
    .returning('*');
  await recordStep(ctx, kind, row.id, departmentId, { version: 1, action: 'create', status, doc });
  return row;
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
    throw invalidDocument([{ path: `/${field}`, message: 'the owning department cannot change', messageZh: '所属部门不可变更' }], 422);
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
