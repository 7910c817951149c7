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
  await recordSteps(ctx, kind, departmentId, [{ docId, ...entry }]);
}

/** Appends steps of several documents of one department in one INSERT, with an audit event each. */
export async function recordSteps(ctx: CommandContext, kind: CensusKind, departmentId: number, entries: (HistoryEntry & { docId: number })[]): Promise<void> {
  if (entries.length === 0) return;
  // one JSON parameter: a census import appends thousands of steps at once
  const rows = entries.map((entry) => ({
      kind,
      doc_id: entry.docId,
      version: entry.version,
      action: entry.action,
      status: entry.status,
      doc: entry.doc === undefined ? null : JSON.stringify(entry.doc),
      note: entry.note ?? null,
      actor: ctx.actor.label,
      actor_id: ctx.actor.id ?? null,
    }));
  await ctx.trx.raw(
    `insert into odx.census_history (kind, doc_id, version, action, status, doc, note, actor, actor_id)
     select kind, doc_id, version, action, status, doc::jsonb, note, actor, actor_id
     from jsonb_to_recordset(?::jsonb) as r(kind text, doc_id bigint, version int, action text, status text, doc text, note text, actor text, actor_id bigint)`,
    [JSON.stringify(rows)],
  );
  for (const entry of entries) {
    ctx.audit({
      action: `${kind}.${entry.action}`,
      departmentId,
      targetType: kind,
      targetId: entry.docId,
      detail: { version: entry.version, status: entry.status, ...(entry.note ? { note: entry.note } : {}) },
    });
  }
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
