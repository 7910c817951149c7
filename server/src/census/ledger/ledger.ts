/**
 * The ledger (一本账): every system, resource and demand in reach with its department, status
 * and links — a resource's source system, the resources a system feeds, the resources a demand
 * is linked to. JSON keeps codes; the CSV and .xlsx forms show Chinese headers and labels.
 */
import type { Knex } from 'knex';
import type { Scoping } from '../../http/route.ts';
import { whereInScope } from '../../policies/access.ts';
import { fieldInfo } from '../../schemas/validator.ts';

export const LEDGER_LISTS = ['systems', 'resources', 'demands'] as const;
export type LedgerList = (typeof LEDGER_LISTS)[number];

export interface LedgerFilter {
  /** The caller's reach. */
  scoping: Scoping;
  /** Only this department. */
  department?: number;
  lists?: readonly LedgerList[];
  /** Only entries in this status (each list has its own statuses). */
  status?: string;
  /** Only entries whose name holds each of these words. */
  q?: string;
  /** Resources only: of this class or any class under it (a code prefix). */
  category?: string;
  shareType?: string;
  openType?: string;
  domain?: string;
  /** Keyset paging of one list: at most `limit` entries after the id `after`; counts stay the totals. */
  limit?: number;
  after?: number;
}

/** The filters that concern resources alone. */
export const RESOURCE_FILTERS = ['category', 'shareType', 'openType', 'domain'] as const;

interface Dept {
  id: number;
  name: string;
  uscc: string;
}

export interface LedgerSystem {
  id: number;
  name: string;
  departmentId: number;
  department: string;
  departmentCode: string;
  status: string;
  buildStatus: string;
  systemType: string | null;
  scope: string;
  deployment: string | null;
  network: string;
  protectionLevel: number | null;
  classified: boolean | null;
  zombie: boolean | null;
  launchedAt: string | null;
  storageGb: number | null;
  contact: { name: string; mobile?: string; phone?: string } | null;
  /** Resources that name this system as their source. */
  resources: { id: number; code: string | null; name: string }[];
  version: number;
  updatedAt: string;
}

export interface LedgerResource {
  id: number;
  code: string | null;
  name: string;
  departmentId: number;
  department: string;
  departmentCode: string;
  status: string;
  category: string;
  categoryName: string | null;
  shareType: string;
  openType: string;
  updateCycle: string;
  domain: string | null;
  format: string;
  items: number;
  sourceSystem: { id: number; name: string } | null;
  linked: boolean;
  publishedAt: string | null;
  /** How many demands (of any department) are linked to this resource. */
  demands: number;
  version: number;
  updatedAt: string;
}

export interface LedgerDemand {
  id: number;
  name: string;
  departmentId: number;
  department: string;
  departmentCode: string;
  status: string;
  resourceName: string;
  items: string[];
  provider: string | null;
  providerName: string | null;
  accessMode: string;
  updateCycle: string | null;
  /** Catalogue entries the demand is linked to (供需对接). */
  resources: { id: number; code: string | null; name: string; departmentId: number }[];
  reason: string | null;
  version: number;
  updatedAt: string;
}

export interface Ledger {
  generatedAt: string;
  department: number | null;
  /** Totals of the lists as filtered, before paging. */
  counts: { systems: number; resources: number; demands: number };
  /** When one list is paged: the `after` of its next page, or null on the last. */
  next: number | null;
  systems: LedgerSystem[];
  resources: LedgerResource[];
  demands: LedgerDemand[];
}

function scoped<T extends Knex.QueryBuilder>(q: T, column: string, f: LedgerFilter): T {
  whereInScope(q, f.scoping, { department: column });
  if (f.department !== undefined) q.where(column, f.department);
  return q;
}

const likeWord = (w: string) => `%${w.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

/** A list's entries in reach that pass the filters (`t` is the table's alias), unordered and unpaged. */
function filtered<T extends Knex.QueryBuilder>(q: T, t: string, f: LedgerFilter): T {
  scoped(q, `${t}.department_id`, f);
  if (f.status) q.where(`${t}.status`, f.status);
  for (const word of (f.q ?? '').split(/\s+/).filter(Boolean)) q.whereRaw(`${t}.name ilike ? escape '\\'`, [likeWord(word)]);
  return q;
}

/** One list's rows, paged when asked, and its total. */
async function listPage(base: () => Knex.QueryBuilder, id: string, columns: unknown[], f: LedgerFilter): Promise<{ rows: Record<string, any>[]; total: number; next: number | null }> {
  const q = base().orderBy(id).select(...(columns as string[]));
  if (f.limit === undefined) {
    const rows = await q;
    return { rows, total: rows.length, next: null };
  }
  if (f.after !== undefined) q.where(id, '>', f.after);
  const rows: Record<string, any>[] = await q.limit(f.limit + 1);
  const more = rows.length > f.limit;
  const page = rows.slice(0, f.limit);
  const [{ n }] = await base().count({ n: '*' });
  return { rows: page, total: Number(n), next: more ? page[page.length - 1].id : null };
}

const iso = (d: Date | string | null | undefined) => (d instanceof Date ? d.toISOString() : (d ?? null));

/** Builds the ledger of the departments in reach. */
export async function buildLedger(knex: Knex, f: LedgerFilter): Promise<Ledger> {
  const want = new Set(f.lists ?? LEDGER_LISTS);
  const depts = new Map<number, Dept>();
  const byUscc = new Map<string, Dept>();
  for (const d of await knex('odx.departments').select('id', 'name', 'uscc')) {
    depts.set(d.id, d);
    byUscc.set(d.uscc, d);
  }
  const dept = (id: number) => depts.get(id) ?? { id, name: '', uscc: '' };
  const counts = { systems: 0, resources: 0, demands: 0 };
  let next: number | null = null;

  let resourceRows: Record<string, any>[] = [];
  if (want.has('resources')) {
    const base = () => {
      const q = filtered(knex('odx.resources as r').leftJoin('odx.classifications as c', 'c.code', 'r.category'), 'r', f);
      if (f.category) q.whereRaw(`r.doc->>'category' like ?`, [`${f.category.replace(/[\\%_]/g, (m) => `\\${m}`)}%`]);
      for (const [key, field] of [['shareType', 'shareType'], ['openType', 'openType'], ['domain', 'domain']] as const) {
        if (f[key]) q.whereRaw(`r.doc->>'${field}' = ?`, [f[key]]);
      }
      return q;
    };
    const page = await listPage(base, 'r.id', ['r.id', 'r.code', 'r.name', 'r.department_id', 'r.status', 'r.doc', 'r.category', 'c.name as category_name', 'r.linked', 'r.published_at', 'r.version', 'r.updated_at'], f);
    resourceRows = page.rows;
    counts.resources = page.total;
    next = page.next;
  }

  let systemRows: Record<string, any>[] = [];
  if (want.has('systems')) {
    const page = await listPage(() => filtered(knex('odx.systems as s'), 's', f), 's.id', ['s.id', 's.name', 's.department_id', 's.status', 's.doc', 's.version', 's.updated_at'], f);
    systemRows = page.rows;
    counts.systems = page.total;
    next ??= page.next;
  }
  const systemNames = new Map<number, string>(systemRows.map((s) => [s.id, s.name]));
  const missingSystems = [...new Set(resourceRows.map((r) => r.doc.sourceSystem).filter((id: unknown) => typeof id === 'number' && !systemNames.has(id)))];
  if (missingSystems.length) for (const s of await knex('odx.systems').whereIn('id', missingSystems).select('id', 'name')) systemNames.set(s.id, s.name);

  const demandCounts = new Map<number, number>();
  if (resourceRows.length) {
    const counted = await knex('odx.demand_links').whereIn('resource_id', resourceRows.map((r) => r.id)).groupBy('resource_id').select('resource_id').count({ n: '*' });
    for (const c of counted as Record<string, any>[]) demandCounts.set(Number(c.resource_id), Number(c.n));
  }

  // the resources each listed system feeds, whatever the filters: the links are part of the system's line
  const fedBy = new Map<number, LedgerSystem['resources']>();
  if (systemRows.length) {
    const fed = await scoped(
      knex('odx.resources').whereRaw(`(doc->>'sourceSystem')::bigint = any(?)`, [systemRows.map((s) => s.id)]).orderBy('id').select('id', 'code', 'doc', 'department_id'),
      'department_id',
      f,
    );
    for (const r of fed as Record<string, any>[]) {
      const sid = r.doc.sourceSystem;
      fedBy.set(sid, [...(fedBy.get(sid) ?? []), { id: r.id, code: r.code, name: r.doc.name }]);
    }
  }

  const systems: LedgerSystem[] = systemRows.map((s) => {
    const d = dept(s.department_id);
    const doc = s.doc;
    return {
      id: s.id,
      name: s.name,
      departmentId: d.id,
      department: d.name,
      departmentCode: d.uscc,
      status: s.status,
      buildStatus: doc.buildStatus,
      systemType: doc.systemType ?? null,
      scope: doc.scope,
      deployment: doc.deployment ?? null,
      network: doc.network,
      protectionLevel: doc.protectionLevel ?? null,
      classified: doc.classified ?? null,
      zombie: doc.zombie ?? null,
      launchedAt: doc.launchedAt ?? null,
      storageGb: doc.storageGb ?? null,
      contact: doc.contact ?? null,
      resources: fedBy.get(s.id) ?? [],
      version: s.version,
      updatedAt: iso(s.updated_at)!,
    };
  });

  const resources: LedgerResource[] = resourceRows.map((r) => {
    const d = dept(r.department_id);
    const doc = r.doc;
    const sid = doc.sourceSystem;
    return {
      id: r.id,
      code: r.code,
      name: doc.name,
      departmentId: d.id,
      department: d.name,
      departmentCode: d.uscc,
      status: r.status,
      category: doc.category,
      categoryName: doc.category === r.category ? (r.category_name ?? null) : null,
      shareType: doc.shareType,
      openType: doc.openType,
      updateCycle: doc.updateCycle,
      domain: doc.domain ?? null,
      format: doc.format?.type,
      items: doc.items?.length ?? 0,
      sourceSystem: typeof sid === 'number' ? { id: sid, name: systemNames.get(sid) ?? '' } : null,
      linked: r.linked,
      publishedAt: iso(r.published_at),
      demands: demandCounts.get(r.id) ?? 0,
      version: r.version,
      updatedAt: iso(r.updated_at)!,
    };
  });

  let demands: LedgerDemand[] = [];
  if (want.has('demands')) {
    const page = await listPage(() => filtered(knex('odx.demands as dm'), 'dm', f), 'dm.id', ['dm.id', 'dm.name', 'dm.department_id', 'dm.status', 'dm.doc', 'dm.reason', 'dm.version', 'dm.updated_at'], f);
    counts.demands = page.total;
    next ??= page.next;
    const rows = page.rows;
    const links = new Map<number, LedgerDemand['resources']>();
    if (rows.length) {
      const linkRows = await knex('odx.demand_links as l')
        .join('odx.resources as r', 'r.id', 'l.resource_id')
        .whereIn('l.demand_id', rows.map((m) => m.id))
        .orderBy(['l.demand_id', 'l.resource_id'])
        .select('l.demand_id', 'r.id', 'r.code', 'r.name', 'r.department_id');
      for (const l of linkRows as Record<string, any>[]) {
        links.set(Number(l.demand_id), [...(links.get(Number(l.demand_id)) ?? []), { id: l.id, code: l.code, name: l.name, departmentId: l.department_id }]);
      }
    }
    demands = rows.map((m) => {
      const d = dept(m.department_id);
      const doc = m.doc;
      return {
        id: m.id,
        name: m.name,
        departmentId: d.id,
        department: d.name,
        departmentCode: d.uscc,
        status: m.status,
        resourceName: doc.resourceName,
        items: doc.items ?? [],
        provider: doc.provider ?? null,
        providerName: doc.providerName ?? (doc.provider ? (byUscc.get(doc.provider)?.name ?? null) : null),
        accessMode: doc.accessMode,
        updateCycle: doc.updateCycle ?? null,
        resources: links.get(m.id) ?? [],
        reason: m.reason ?? null,
        version: m.version,
        updatedAt: iso(m.updated_at)!,
      };
    });
  }

  return { generatedAt: new Date().toISOString(), department: f.department ?? null, counts, next, systems, resources, demands };
}

// ---------------------------------------------------------------------------------------------
// Tabular forms (CSV, .xlsx): Chinese headers and labels

type Value = string | number | boolean | null;

export interface LedgerColumn<T> {
  header: string;
  value: (row: T) => Value;
}

const STATUS: Record<LedgerList, Record<string, string>> = {
  systems: { active: '在用', retired: '已停用' },
  resources: { draft: '草稿', submitted: '已提交', approved: '已审核', published: '已发布', retired: '已下架' },
  demands: { open: '待对接', matched: '已匹配', requested: '已申请', fulfilled: '已满足', unfulfillable: '无法满足' },
};

function label(kind: 'system' | 'resource' | 'demand', pointer: string, code: unknown): Value {
  if (code === null || code === undefined) return null;
  return fieldInfo(kind, pointer).labels?.[String(code)] ?? String(code);
}

const yesNo = (v: boolean | null) => (v === null ? null : v ? '是' : '否');
const refs = (list: { id: number; code?: string | null; name: string }[]) => list.map((r) => `${r.name}（${r.code ?? `编号 ${r.id}`}）`).join('、');

export const LEDGER_SHEETS: Record<LedgerList, string> = { systems: '系统清单', resources: '数据清单', demands: '需求清单' };

export const SYSTEM_COLUMNS: LedgerColumn<LedgerSystem>[] = [
  { header: '编号', value: (s) => s.id },
  { header: '名称', value: (s) => s.name },
  { header: '所属部门', value: (s) => s.department },
  { header: '部门统一社会信用代码', value: (s) => s.departmentCode },
  { header: '状态', value: (s) => STATUS.systems[s.status] ?? s.status },
  { header: '建设状态', value: (s) => label('system', '/buildStatus', s.buildStatus) },
  { header: '系统类型', value: (s) => s.systemType },
  { header: '使用范围', value: (s) => label('system', '/scope', s.scope) },
  { header: '部署位置', value: (s) => label('system', '/deployment', s.deployment) },
  { header: '承载网络', value: (s) => label('system', '/network', s.network) },
  { header: '等保定级', value: (s) => label('system', '/protectionLevel', s.protectionLevel) },
  { header: '是否涉密', value: (s) => yesNo(s.classified) },
  { header: '是否僵尸系统', value: (s) => yesNo(s.zombie) },
  { header: '启用时间', value: (s) => s.launchedAt },
  { header: '数据存储量（GB）', value: (s) => s.storageGb },
  { header: '联系人', value: (s) => (s.contact ? [s.contact.name, s.contact.mobile ?? s.contact.phone].filter(Boolean).join(' ') : null) },
  { header: '产生的信息资源数', value: (s) => s.resources.length },
  { header: '产生的信息资源', value: (s) => refs(s.resources) },
  { header: '版本', value: (s) => s.version },
  { header: '更新时间', value: (s) => s.updatedAt },
];

export const RESOURCE_COLUMNS: LedgerColumn<LedgerResource>[] = [
  { header: '编号', value: (r) => r.id },
  { header: '信息资源代码', value: (r) => r.code },
  { header: '名称', value: (r) => r.name },
  { header: '所属部门', value: (r) => r.department },
  { header: '部门统一社会信用代码', value: (r) => r.departmentCode },
  { header: '状态', value: (r) => STATUS.resources[r.status] ?? r.status },
  { header: '信息资源分类', value: (r) => (r.categoryName ? `${r.category} ${r.categoryName}` : r.category) },
  { header: '共享类型', value: (r) => label('resource', '/shareType', r.shareType) },
  { header: '开放属性', value: (r) => label('resource', '/openType', r.openType) },
  { header: '更新周期', value: (r) => label('resource', '/updateCycle', r.updateCycle) },
  { header: '所属领域', value: (r) => label('resource', '/domain', r.domain) },
  { header: '信息资源格式', value: (r) => label('resource', '/format/type', r.format) },
  { header: '信息项数', value: (r) => r.items },
  { header: '来源信息系统', value: (r) => (r.sourceSystem ? `${r.sourceSystem.name}（编号 ${r.sourceSystem.id}）` : null) },
  { header: '是否挂接', value: (r) => yesNo(r.linked) },
  { header: '发布时间', value: (r) => r.publishedAt },
  { header: '关联需求数', value: (r) => r.demands },
  { header: '版本', value: (r) => r.version },
  { header: '更新时间', value: (r) => r.updatedAt },
];

export const DEMAND_COLUMNS: LedgerColumn<LedgerDemand>[] = [
  { header: '编号', value: (d) => d.id },
  { header: '名称', value: (d) => d.name },
  { header: '所属部门', value: (d) => d.department },
  { header: '部门统一社会信用代码', value: (d) => d.departmentCode },
  { header: '状态', value: (d) => STATUS.demands[d.status] ?? d.status },
  { header: '所需资源名称', value: (d) => d.resourceName },
  { header: '具体数据项', value: (d) => d.items.join('、') },
  { header: '资源所在部门', value: (d) => d.providerName ?? d.provider },
  { header: '期望获取方式', value: (d) => label('demand', '/accessMode', d.accessMode) },
  { header: '期望更新频率', value: (d) => label('demand', '/updateCycle', d.updateCycle) },
  { header: '关联资源数', value: (d) => d.resources.length },
  { header: '关联资源', value: (d) => refs(d.resources) },
  { header: '无法满足原因', value: (d) => d.reason },
  { header: '版本', value: (d) => d.version },
  { header: '更新时间', value: (d) => d.updatedAt },
];
