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

export interface DocumentViolation {
  path: string;
  message: string;
  messageZh: string;
}

/**
 * Registry rules a JSON Schema cannot see — a resource's classification and source system must
 * exist here, the system among the provider's — checked for many documents at once (two queries
 * whatever their number). Returns the problems of each document by its index; none for other kinds.
 */
export async function registryProblems(trx: Knex.Transaction, kind: CensusKind, docs: Record<string, any>[], departmentId: number): Promise<Map<number, DocumentViolation[]>> {
  const out = new Map<number, DocumentViolation[]>();
  if (kind !== 'resource') return out;
  const resources = docs as DataResource[];
  const categories = [...new Set(resources.map((d) => d.category))];
  const systems = [...new Set(resources.flatMap((d) => (d.sourceSystem === undefined ? [] : [d.sourceSystem])))];
  const known = new Set((await trx('odx.classifications').whereIn('code', categories).pluck('code')) as string[]);
  const own = new Set(systems.length ? ((await trx('odx.systems').whereIn('id', systems).where({ department_id: departmentId }).pluck('id')) as number[]) : []);
  resources.forEach((doc, i) => {
    const problems: DocumentViolation[] = [];
    if (!known.has(doc.category)) problems.push({ path: '/category', message: `no classification has the code ${doc.category}`, messageZh: `信息资源分类 ${doc.category} 不存在` });
    if (doc.sourceSystem !== undefined && !own.has(doc.sourceSystem)) {
      problems.push({ path: '/sourceSystem', message: `system ${doc.sourceSystem} is not one of the provider's systems`, messageZh: `来源信息系统 ${doc.sourceSystem} 不属于提供方` });
    }
    if (problems.length) out.set(i, problems);
  });
  return out;
}

/** The columns kept beside a document for queries, once its registry rules hold (`registryProblems`); `search` as tsvector text. */
export function columnsOf(kind: CensusKind, doc: Record<string, any>, publishedDoc?: Record<string, any> | null): Record<string, string | null> {
  if (kind !== 'resource') return { name: doc.name };
  // for a resource they describe what the catalogue shows: the published version while one exists, else the working draft
  const visible = (publishedDoc ?? doc) as DataResource;
  return {
    name: visible.name,
    category: visible.category,
    share_type: visible.shareType,
    open_type: visible.openType,
    domain: visible.domain ?? null,
    format_type: visible.format.type,
    update_cycle: visible.updateCycle,
    search: tsvectorLiteral(resourceSearchText(visible)),
  };
}

/** The derived columns of one document, refused with 400 naming each field when a registry rule fails. */
export async function derivedColumns(trx: Knex.Transaction, kind: CensusKind, doc: Record<string, any>, departmentId: number, publishedDoc?: Record<string, any> | null) {
  const problems = (await registryProblems(trx, kind, [doc], departmentId)).get(0);
  if (problems) throw invalidDocument(problems);
  const { search, ...columns } = columnsOf(kind, doc, publishedDoc);
  return search === undefined ? columns : { ...columns, search: trx.raw('?::tsvector', [search]) };
}
