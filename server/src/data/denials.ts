/**
 * Refused reads of data are on the audit trail too (`access.denied`): who asked for which
 * resource and why it was refused. A caller who keeps asking cannot flood the chain: per caller
 * and resource, the first refusal of a minute is written at once and the others of that minute
 * are counted and written as one event (`repeated: n`) when the minute is over. The count is kept
 * per process; a scaled-out installation writes at most one event per process and minute.
 */
import type { Knex } from 'knex';
import { recordEvents, type CommandOrigin } from '../audit/command.ts';
import { HttpError } from '../http/errors.ts';

const WINDOW_MS = 60_000;
// beyond this many callers and resources in a minute, refusals still count but per caller only
const MAX_KEYS = 10_000;

export interface DeniedRead {
  /** The read refused: dataset.rows, shared.download, … */
  action: string;
  resource: { id: number; department_id: number | null; code: string | null };
  reason: string;
}

interface Window {
  repeated: number;
  read: DeniedRead;
  origin: CommandOrigin;
}

const windows = new WeakMap<Knex, Map<string, Window>>();

function event(read: DeniedRead, extra: Record<string, unknown>) {
  return {
    action: 'access.denied',
    departmentId: read.resource.department_id,
    targetType: 'resource',
    targetId: read.resource.id,
    detail: { code: read.resource.code, read: read.action, reason: read.reason, ...extra },
  };
}

/** Records a refused read, rate-limited per caller and resource (see above). Never fails the request it reports on. */
export async function auditDenied(knex: Knex, origin: CommandOrigin, read: DeniedRead): Promise<void> {
  let open = windows.get(knex);
  if (!open) windows.set(knex, (open = new Map()));
  const caller = origin.actor.label;
  let key = `${caller}|${read.resource.id}`;
  if (!open.has(key) && open.size >= MAX_KEYS) key = `${caller}|*`;
  const current = open.get(key);
  if (current) {
    current.repeated++;
    return;
  }
  const window: Window = { repeated: 0, read, origin };
  open.set(key, window);
  setTimeout(() => {
    open.delete(key);
    if (window.repeated > 0) void recordEvents(knex, window.origin, [event(window.read, { repeated: window.repeated, windowSeconds: WINDOW_MS / 1000 })]).catch(() => undefined);
  }, WINDOW_MS).unref();
  await recordEvents(knex, origin, [event(read, {})]).catch(() => undefined);
}

/** Runs a step of a data read; a 403 it raises is recorded as a refused read before it is answered. */
export async function deniedAudited<T>(knex: Knex, origin: CommandOrigin, read: Omit<DeniedRead, 'reason'>, step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof HttpError && err.status === 403) await auditDenied(knex, origin, { ...read, reason: err.message });
    throw err;
  }
}
