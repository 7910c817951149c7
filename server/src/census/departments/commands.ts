import type { Knex } from 'knex';
import type { CommandContext } from '../../audit/command.ts';
import { alreadyExists, notFound, text, unprocessable } from '../../http/errors.ts';
import { presentDepartment } from './presenter.ts';
import type { DepartmentCreate, DepartmentRecord, DepartmentUpdate } from './schema.ts';

function columns(input: Partial<DepartmentCreate>) {
  return {
    name: input.name,
    short_name: input.shortName,
    uscc: input.uscc,
    region_code: input.regionCode,
    kind: input.kind,
    parent_id: input.parentId,
  };
}

async function assertParentKeepsTree(trx: Knex.Transaction, id: number | null, parentId: number | null | undefined) {
  if (parentId === undefined || parentId === null) return;
  const parent = await trx('odx.departments').where({ id: parentId }).first('id');
  if (!parent) throw unprocessable(text(`上级部门 ${parentId} 不存在`, `parent department ${parentId} does not exist`), [{ in: 'body', path: '/parentId', message: text('未知部门', 'unknown department') }]);
  if (id === null) return;
  const cycle = await trx.raw(
    `with recursive up as (select id, parent_id from odx.departments where id = ? union all
       select d.id, d.parent_id from odx.departments d join up on d.id = up.parent_id) select 1 from up where id = ? limit 1`,
    [parentId, id],
  );
  if (cycle.rows.length) throw unprocessable(text('部门不能隶属于自身', 'a department cannot sit under itself'), [{ in: 'body', path: '/parentId', message: text('会形成循环', 'would make a cycle') }]);
}

/** A code another department holds is told at its field (the unique index would only name its constraint). */
async function assertUsccFree(trx: Knex.Transaction, id: number | null, code: string | undefined) {
  if (code === undefined) return;
  const holder = await trx('odx.departments').where({ uscc: code }).modify((q) => void (id !== null && q.whereNot({ id }))).first('name');
  if (holder) {
    const said = text(`统一社会信用代码 ${code} 已属于“${holder.name}”`, `a department with the unified social credit code ${code} already exists: “${holder.name}”`);
    throw alreadyExists(said, [{ in: 'body', path: '/uscc', message: said }]);
  }
}

export async function departmentCreator(ctx: CommandContext, input: DepartmentCreate): Promise<DepartmentRecord> {
  await assertParentKeepsTree(ctx.trx, null, input.parentId);
  await assertUsccFree(ctx.trx, null, input.uscc);
  const [row] = await ctx.trx('odx.departments').insert(columns(input)).returning('*');
  ctx.audit({ action: 'department.create', departmentId: row.id, targetType: 'department', targetId: row.id, detail: { after: input } });
  return presentDepartment(row);
}

export async function departmentUpdater(ctx: CommandContext, id: number, input: DepartmentUpdate): Promise<DepartmentRecord> {
  const before = await ctx.trx('odx.departments').where({ id }).forUpdate().first();
  if (!before) throw notFound(text(`部门 ${id}`, `department ${id}`));
  await assertParentKeepsTree(ctx.trx, id, input.parentId);
  await assertUsccFree(ctx.trx, id, input.uscc);
  const [row] = await ctx.trx('odx.departments').where({ id }).update({ ...columns(input), updated_at: ctx.trx.fn.now() }).returning('*');
  ctx.audit({ action: 'department.update', departmentId: id, targetType: 'department', targetId: id, detail: { before: presentDepartment(before), change: input } });
  return presentDepartment(row);
}

export async function findDepartmentByUscc(knex: Knex, code: string): Promise<DepartmentRecord | undefined> {
  const row = await knex('odx.departments').where({ uscc: code }).first();
  return row ? presentDepartment(row) : undefined;
}
