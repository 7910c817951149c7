/**
 * The grants in force: which live grant lets a consumer department read a resource in a mode, why
 * none does, and which items it covers. Every read of shared data checks these, then the grant's
 * rate (grant-rate.ts) and a stated purpose (purpose.ts): verification (verify.ts) and the sharing
 * data API (`/api/v1/shared/:code/rows|download`) answer the same way. docs/sharing.md.
 */
import type { Knex } from 'knex';
import { forbidden, text, type Bilingual } from '../http/errors.ts';
import { now } from './clock.ts';
import { memoOf } from '../db/change-feed.ts';
import type { RowCondition } from '../data/row-conditions.ts';
import type { AccessMode } from './states.ts';

/** A grant in force: what its holder — a consumer department, or a developer account — may read of one resource, in one mode. */
export interface LiveGrant {
  id: number;
  /** The share request it was decided on; null for a grant on an open-data application. */
  requestId: number | null;
  /** The open-data application it was decided on (有条件开放); null for a share request's. */
  applicationId: number | null;
  /** The consumer department holding it; null when a developer account holds it. */
  consumerDepartmentId: number | null;
  /** The developer account holding it (an approved open-data application); null for a department's grant. */
  developerId: number | null;
  providerDepartmentId: number;
  resourceId: number;
  resourceCode: string;
  mode: AccessMode;
  /** Item names the consumer may read (and, for `verify`, match on). */
  items: string[];
  /** AND of conditions on item names; rows outside it do not exist for this consumer. [] = every row. */
  rowFilter: RowCondition[];
  /** Masked items the provider approved to be served raw; every other masked item stays masked. */
  raw: string[];
  /** Calls per minute. */
  rateLimit: number;
  startsAt: Date;
  /** null: long-term. */
  endsAt: Date | null;
}

export interface GrantQuery {
  /** The calling principal's department (the consumer). */
  departmentId: number | null;
  /** The calling developer account: its own grants (open-data applications) instead of a department's. */
  developerId?: number | null;
  resourceId: number;
  mode: AccessMode;
  /** When; default: now (the sharing clock). */
  at?: Date;
}

function toLive(r: Record<string, any>): LiveGrant {
  return {
    id: r.id,
    requestId: r.request_id,
    applicationId: r.application_id ?? null,
    consumerDepartmentId: r.consumer_department_id,
    developerId: r.developer_id ?? null,
    providerDepartmentId: r.provider_department_id,
    resourceId: r.resource_id,
    resourceCode: r.resource_code,
    mode: r.mode,
    items: r.items,
    rowFilter: r.row_filter,
    raw: r.raw_items,
    rateLimit: r.rate_limit,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
  };
}

/**
 * The grant in force for a department on a resource in a mode at an instant, or null: the grant
 * is active (not suspended, revoked or superseded), its period has begun and not ended, and the
 * resource is not retired. The same answer as `grantedResource`, by resource id.
 */
export async function liveGrant(knex: Knex | Knex.Transaction, q: GrantQuery): Promise<LiveGrant | null> {
  return (await grantedResource(knex, { departmentId: q.departmentId, developerId: q.developerId, ref: String(q.resourceId), mode: q.mode, at: q.at }))?.grant ?? null;
}

/**
 * Whose grants a caller reads under: a developer account (outside every department) its own — the
 * grants of its approved open-data applications — and anyone else its department's.
 */
export function holderOf(caller: { id: number; departmentId: number | null; roles: readonly string[] }): { departmentId: number | null; developerId: number | null } {
  const developer = caller.departmentId === null && caller.roles.includes('developer');
  return { departmentId: caller.departmentId, developerId: developer ? caller.id : null };
}

/** A published resource named by id or code, with the caller's live grant on it (or null) and its current data version (or null). */
export interface GrantedResource {
  resourceId: number;
  resourceCode: string;
  grant: LiveGrant | null;
  version: { version: number; table: string; items: Record<string, any>[] } | null;
}

/** A published resource with the department's active grants in a mode, whatever their period. */
interface GrantCandidates {
  resourceId: number;
  resourceCode: string;
  retired: boolean;
  grants: LiveGrant[];
  version: GrantedResource['version'];
}

/**
 * One query for a read of shared data: the published resource by id or code, the grant in force
 * for the department in the mode (as `liveGrant`), and the resource's current version. Undefined
 * when no published resource has that id or code. The rows behind the answer are cached until a
 * grant, resource or version changes (db/change-feed.ts), so a suspension or revocation still
 * takes effect on the next request; a grant's period is checked against the clock on every call.
 */
export async function grantedResource(
  knex: Knex | Knex.Transaction,
  q: { departmentId: number | null; developerId?: number | null; ref: string; mode: AccessMode; at?: Date },
): Promise<GrantedResource | undefined> {
  const at = (q.at ?? now()).getTime();
  const load = () => grantCandidates(knex, q);
  const memo = knex.isTransaction ? null : memoOf<GrantCandidates | undefined>(knex as Knex, 'grant-candidates');
  const found = memo ? await memo.get(`${q.developerId ? `dev${q.developerId}` : q.departmentId}|${q.mode}|${q.ref}`, load, (c) => Boolean(c?.grants.length && c.version)) : await load();
  if (!found) return undefined;
  const live = found.retired ? undefined : found.grants.find((g) => g.startsAt.getTime() <= at && (g.endsAt === null || g.endsAt.getTime() > at));
  return { resourceId: found.resourceId, resourceCode: found.resourceCode, grant: live ?? null, version: found.version };
}

async function grantCandidates(knex: Knex | Knex.Transaction, q: { departmentId: number | null; developerId?: number | null; ref: string; mode: AccessMode }): Promise<GrantCandidates | undefined> {
  const byId = /^\d+$/.test(q.ref);
  // a developer account reads under its own grants, a department's principal under its department's
  const holder = q.developerId ? 'g.developer_id' : 'g.consumer_department_id';
  const { rows } = await knex.raw(
    `select r.id, r.code, r.retired_at is not null as retired, v.version, v.table_name, v.items,
       (select coalesce(json_agg(g order by g.id desc), '[]') from odx.grants g
         where g.resource_id = r.id and ${holder} = ? and g.mode = ? and g.status = 'active') as grants
     from odx.resources r
     left join odx.resource_versions v on v.resource_id = r.id and v.version = r.current_version
     where ${byId ? 'r.id = ?' : 'r.code = ?'} and r.published_doc is not null`,
    [(q.developerId || q.departmentId) ?? -1, q.mode, byId ? Number(q.ref) : q.ref],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    resourceId: r.id,
    resourceCode: r.code,
    retired: r.retired,
    grants: (r.grants as Record<string, any>[]).map((g) => toLive({ ...g, resource_code: r.code, starts_at: new Date(g.starts_at), ends_at: g.ends_at && new Date(g.ends_at) })),
    version: r.version ? { version: r.version, table: r.table_name, items: r.items } : null,
  };
}

/** Why `liveGrant` found nothing, in words a caller can act on (the 403 message). */
export async function whyNoGrant(knex: Knex | Knex.Transaction, q: GrantQuery): Promise<Bilingual> {
  const at = q.at ?? now();
  const resource = await knex('odx.resources').where({ id: q.resourceId }).first('code', 'retired_at');
  const code = resource?.code ?? q.resourceId;
  const label = `resource ${code}`;
  const zh = `数据资源 ${code}`;
  if (q.developerId) return whyNoDeveloperGrant(knex, { ...q, developerId: q.developerId }, { label, zh }, resource?.retired_at ?? null, at);
  if (q.departmentId === null) return text(`只有部门的账号才能持有授权；${zh} 未向此账号共享`, `only a principal of a department can hold grants; ${label} is not shared with this account`);
  if (resource?.retired_at) return text(`${zh} 已退役，其授权不再有效`, `${label} was retired; its grants no longer apply`);
  const g = await knex('odx.grants').where({ consumer_department_id: q.departmentId, resource_id: q.resourceId, mode: q.mode }).orderBy('id', 'desc').first();
  if (!g) {
    const others: string[] = await knex('odx.grants')
      .where({ consumer_department_id: q.departmentId, resource_id: q.resourceId, status: 'active' })
      .distinct('mode')
      .pluck('mode');
    const held = others.map((m) => `'${m}'`);
    return text(
      `贵部门在${zh} 上没有 '${q.mode}' 授权${held.length ? `（持有 ${held.join('、')}）` : ''}；请申请：POST /api/v1/share-requests`,
      `your department holds no '${q.mode}' grant on ${label}${held.length ? ` (it holds ${held.join(', ')})` : ''}; request one: POST /api/v1/share-requests`,
    );
  }
  const when = (d: Date) => new Date(d).toISOString();
  if (g.status === 'suspended') return text(`${zh} 上的授权 ${g.id} 自 ${when(g.status_at)} 起暂停：${g.status_reason}`, `grant ${g.id} on ${label} is suspended since ${when(g.status_at)}: ${g.status_reason}`);
  if (g.status === 'revoked') return text(`${zh} 上的授权 ${g.id} 已于 ${when(g.status_at)} 撤销：${g.status_reason}`, `grant ${g.id} on ${label} was revoked at ${when(g.status_at)}: ${g.status_reason}`);
  if (g.status === 'superseded') return text(`${zh} 上的授权 ${g.id} 已被授权 ${g.superseded_by} 取代`, `grant ${g.id} on ${label} was superseded by grant ${g.superseded_by}`);
  if (g.ends_at && new Date(g.ends_at).getTime() <= at.getTime()) {
    return text(`${zh} 上的授权 ${g.id} 已于 ${when(g.ends_at)} 到期；请重新申请：POST /api/v1/share-requests`, `grant ${g.id} on ${label} expired at ${when(g.ends_at)}; request it again: POST /api/v1/share-requests`);
  }
  if (new Date(g.starts_at).getTime() > at.getTime()) return text(`${zh} 上的授权 ${g.id} 自 ${when(g.starts_at)} 起生效`, `grant ${g.id} on ${label} starts at ${when(g.starts_at)}`);
  return text(`${zh} 上没有生效的授权`, `no grant in force on ${label}`);
}

/** Why a developer account has no grant in force: it never applied, its application waits or was refused, or its grant ended. */
async function whyNoDeveloperGrant(
  knex: Knex | Knex.Transaction,
  q: GrantQuery & { developerId: number },
  { label, zh }: { label: string; zh: string },
  retiredAt: Date | null,
  at: Date,
): Promise<Bilingual> {
  if (retiredAt) return text(`${zh} 已退役，其授权不再有效`, `${label} was retired; its grants no longer apply`);
  const g = await knex('odx.grants').where({ developer_id: q.developerId, resource_id: q.resourceId, mode: q.mode }).orderBy('id', 'desc').first();
  if (!g) {
    const app = await knex('odx.open_applications').where({ developer_id: q.developerId, resource_id: q.resourceId }).orderBy('id', 'desc').first('id', 'state', 'reason');
    if (app?.state === 'provider_review') return text(`您对${zh}的开放申请 ${app.id} 正等待提供部门答复`, `your application ${app.id} for ${label} waits for the providing department's answer`);
    if (app?.state === 'refused') return text(`您对${zh}的开放申请 ${app.id} 不予同意：${app.reason}`, `your application ${app.id} for ${label} was refused: ${app.reason}`);
    return text(`您的账号没有${zh}的“${q.mode}”授权；请先申请：POST /api/v1/open-applications`, `your account holds no '${q.mode}' grant on ${label}; apply for it: POST /api/v1/open-applications`);
  }
  const when = (d: Date) => new Date(d).toISOString();
  if (g.status === 'suspended') return text(`${zh}的授权 ${g.id} 自 ${when(g.status_at)} 起暂停：${g.status_reason}`, `grant ${g.id} on ${label} is suspended since ${when(g.status_at)}: ${g.status_reason}`);
  if (g.status === 'revoked') return text(`${zh}的授权 ${g.id} 已于 ${when(g.status_at)} 撤销：${g.status_reason}`, `grant ${g.id} on ${label} was revoked at ${when(g.status_at)}: ${g.status_reason}`);
  if (g.status === 'superseded') return text(`${zh}的授权 ${g.id} 已由授权 ${g.superseded_by} 取代`, `grant ${g.id} on ${label} was superseded by grant ${g.superseded_by}`);
  if (g.ends_at && new Date(g.ends_at).getTime() <= at.getTime()) {
    return text(`${zh}的授权 ${g.id} 已于 ${when(g.ends_at)} 到期；请重新申请：POST /api/v1/open-applications`, `grant ${g.id} on ${label} expired at ${when(g.ends_at)}; apply again: POST /api/v1/open-applications`);
  }
  return text(`${zh}没有有效的授权`, `no grant in force on ${label}`);
}

/** The live grant, or 403 naming why there is none. */
export async function requireGrant(knex: Knex | Knex.Transaction, q: GrantQuery): Promise<LiveGrant> {
  const g = await liveGrant(knex, q);
  if (!g) throw forbidden(await whyNoGrant(knex, q));
  return g;
}

/** 403 naming every item asked for that the grant does not cover. */
export function assertGrantedItems(grant: Pick<LiveGrant, 'id' | 'items'>, names: readonly string[]): void {
  const outside = [...new Set(names.filter((n) => !grant.items.includes(n)))];
  if (outside.length) {
    throw forbidden(text(`未授权：${outside.join('、')}（授权 ${grant.id} 包括 ${grant.items.join('、')}）`, `not granted: ${outside.join(', ')} (grant ${grant.id} covers ${grant.items.join(', ')})`), {
      items: outside,
      granted: grant.items,
    });
  }
}
