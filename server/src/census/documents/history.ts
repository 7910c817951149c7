import type { Knex } from 'knex';
import type { CommandContext } from '../../audit/command.ts';
import type { CensusKind } from './kinds.ts';

export interface HistoryEntry {
  version: number;
  action: string;
  status: string;
  doc?: unknown;
  note?: string | null;
}

/** Appends to a document's history and records the matching audit event. */
export async function recordStep(ctx: CommandContext, kind: CensusKind, docId: number, departmentId: number, entry: HistoryEntry): Promise<void> {
  await ctx.trx('odx.census_history').insert({
    kind,
    doc_id: docId,
    version: entry.version,
    action: entry.action,
    status: entry.status,
    doc: entry.doc === undefined ? null : JSON.stringify(entry.doc),
    note: entry.note ?? null,
    actor: ctx.actor.label,
    actor_id: ctx.actor.id ?? null,
  });
  ctx.audit({
    action: `${kind}.${entry.action}`,
    departmentId,
    targetType: kind,
    targetId: docId,
    detail: { version: entry.version, status: entry.status, ...(entry.note ? { note: entry.note } : {}) },
  });
}

export async function historyOf(knex: Knex, kind: CensusKind, docId: number) {
  const rows = await knex('odx.census_history').where({ kind, doc_id: docId }).orderBy('id');
  return rows.map((r: Record<string, any>) => ({
    version: r.version,
    action: r.action,
    status: r.status,
    note: r.note,
    by: r.actor,
    byId: r.actor_id,
    at: r.at,
    doc: r.doc,
  }));
}
