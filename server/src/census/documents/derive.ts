import type { Knex } from 'knex';
import type { DataResource } from '../../schemas/validator.ts';
import { tsvectorLiteral } from '../search-text.ts';
import type { CensusKind } from './kinds.ts';
import { invalidDocument } from './validate.ts';

/** The weighted text a resource is found by: name, then item labels and tags, then summary and the rest. */
export function resourceSearchText(doc: DataResource) {
  return {
    A: [doc.name],
    B: [...doc.items.map((i) => i.label), ...(doc.tags ?? [])],
    C: [doc.summary, ...doc.items.map((i) => i.name)],
    D: [doc.scenario ?? '', ...(doc.matters ?? [])],
  };
}

/** Registry rules a JSON Schema cannot see: the classification and source system must exist here. */
async function checkResource(trx: Knex.Transaction, doc: DataResource, departmentId: number): Promise<void> {
  const problems = [];
  if (!(await trx('odx.classifications').where({ code: doc.category }).first('code'))) {
    problems.push({ path: '/category', message: `no classification has the code ${doc.category}`, messageZh: `信息资源分类 ${doc.category} 不存在` });
  }
  if (doc.sourceSystem !== undefined) {
    const sys = await trx('odx.systems').where({ id: doc.sourceSystem }).first('department_id');
    if (!sys || sys.department_id !== departmentId) {
      problems.push({ path: '/sourceSystem', message: `system ${doc.sourceSystem} is not one of the provider's systems`, messageZh: `来源信息系统 ${doc.sourceSystem} 不属于提供方` });
    }
  }
  if (problems.length) throw invalidDocument(problems, 422);
}

/**
 * The columns kept beside a document for queries. For a resource they describe what the
 * catalogue shows: the published version while one exists, else the working draft.
 */
export async function derivedColumns(trx: Knex.Transaction, kind: CensusKind, doc: Record<string, any>, departmentId: number, publishedDoc?: Record<string, any> | null) {
  if (kind !== 'resource') return { name: doc.name };
  await checkResource(trx, doc as DataResource, departmentId);
  const visible = (publishedDoc ?? doc) as DataResource;
  return {
    name: visible.name,
    category: visible.category,
    share_type: visible.shareType,
    open_type: visible.openType,
    domain: visible.domain ?? null,
    format_type: visible.format.type,
    update_cycle: visible.updateCycle,
    search: trx.raw('?::tsvector', [tsvectorLiteral(resourceSearchText(visible))]),
  };
}
