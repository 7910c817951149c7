import type { Knex } from 'knex';
import { runCommand, type CommandContext, type CommandOrigin } from '../audit/command.ts';
import { notFound, text } from '../http/errors.ts';

/** The table holding one loaded version of a resource. */
export function versionTable(resourceId: number, version: number): string {
  return `data.r${resourceId}_v${version}`;
}

export interface DataVersion {
  resourceId: number;
  version: number;
  table: string;
  items: Record<string, any>[];
  rows: number;
  profile: Record<string, unknown>;
  loadId: number | null;
  createdAt: Date;
  droppedAt: Date | null;
}

export function presentVersion(r: Record<string, any>): DataVersion {
  return {
    resourceId: r.resource_id,
    version: r.version,
    table: r.table_name,
    items: r.items,
    rows: r.rows,
    profile: r.profile,
    loadId: r.load_id,
    createdAt: r.created_at,
    droppedAt: r.dropped_at,
  };
}

/** The version readers should use now, or null when nothing was loaded yet. */
export async function currentVersion(knex: Knex, resourceId: number): Promise<DataVersion | null> {
  const r = await knex('odx.resource_versions as v')
    .join('odx.resources as r', (j) => j.on('r.id', 'v.resource_id').andOn('r.current_version', 'v.version'))
    .where('v.resource_id', resourceId)
    .first('v.*');
  return r ? presentVersion(r) : null;
}

/**
 * Drops the tables of versions beyond the newest `keep` (never the current one). Runs after
 * the switch has committed, with a short lock timeout so a long reader is not cut off: a
 * table it cannot lock now is dropped on a later load.
 */
export async function dropOldVersions(knex: Knex, resourceId: number, keep: number, origin: CommandOrigin): Promise<number[]> {
  const resource = await knex('odx.resources').where({ id: resourceId }).first('current_version');
  const old = await knex('odx.resource_versions')
    .where({ resource_id: resourceId })
    .whereNull('dropped_at')
    .whereNot('version', resource.current_version)
    .orderBy('version', 'desc')
    .offset(Math.max(keep - 1, 0));
  const dropped: number[] = [];
  for (const v of old) {
    try {
      await runCommand(knex, origin, async ({ trx, audit }) => {
        await trx.raw(`set local lock_timeout = '2s'`);
        await trx.raw(`drop table if exists ${v.table_name}`);
        await trx('odx.resource_versions').where({ resource_id: resourceId, version: v.version }).update({ dropped_at: trx.fn.now() });
        audit({ action: 'resource.version.drop', targetType: 'resource', targetId: resourceId, detail: { version: v.version, reason: `retention keeps ${keep}` } });
      });
      dropped.push(v.version);
    } catch {
      // busy: a reader still uses it; the next load retries
    }
  }
  return dropped;
}

/** Switches a resource back to an earlier version whose table is still kept. */
export async function versionRestorer(ctx: CommandContext, resourceId: number, version: number): Promise<DataVersion> {
  const v = await ctx.trx('odx.resource_versions').where({ resource_id: resourceId, version }).first();
  if (!v || v.dropped_at) throw notFound(text(`版本 ${version}（保留的版本可以恢复，已删除的不能）`, `version ${version} (kept versions can be restored; dropped ones cannot)`));
  const resource = await ctx.trx('odx.resources').where({ id: resourceId }).forUpdate().first('department_id', 'current_version');
  await ctx.trx('odx.resources').where({ id: resourceId }).update({ current_version: version, data_rows: v.rows, quality: JSON.stringify(v.profile), data_updated_at: ctx.trx.fn.now() });
  ctx.audit({ action: 'resource.version.restore', departmentId: resource.department_id, targetType: 'resource', targetId: resourceId, detail: { from: resource.current_version, to: version } });
  return presentVersion(v);
}
