import type { Knex } from 'knex';
import { recordEvents, type CommandOrigin } from '../audit/command.ts';
import type { RowQuery } from './query.ts';
import type { DataView } from './view.ts';

/** Every read of data is on the audit trail: who, which resource and version, which filter, how many rows, why. */
export async function auditRead(
  knex: Knex,
  origin: CommandOrigin,
  read: { action: string; resource: { id: number; department_id: number; code: string | null }; view: DataView; query: RowQuery; rows: number; format?: string; purpose?: string; extra?: Record<string, unknown> },
): Promise<void> {
  const detail: Record<string, unknown> = { code: read.resource.code, version: read.view.version, fields: read.query.fields, filters: read.query.filters, sort: read.query.sort };
  if (read.format) detail.format = read.format;
  if (origin.actor.tokenId !== undefined) detail.token = origin.actor.tokenId;
  if (read.extra) for (const key of Object.keys(read.extra)) detail[key] = read.extra[key];
  await recordEvents(knex, origin, [
    { action: read.action, departmentId: read.resource.department_id, targetType: 'resource', targetId: read.resource.id, purpose: read.purpose, rows: read.rows, detail },
  ]);
}
