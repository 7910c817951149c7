import type { z } from 'zod';
import { profileCounts } from '../../policies/data-values.ts';
import type { DocumentRow } from '../documents/commands.ts';
import { now } from '../../sharing/clock.ts';
import { daysLeft } from '../../sharing/presenter.ts';
import type { ResourceRecord, ResourceSummary } from './schema.ts';

/**
 * A resource as a caller sees it: its department (and the authority) see the working
 * draft; everyone else sees only what was published. The quality profile keeps its smallest
 * and largest values (real values of the data) only when `seesValues`: for the holding
 * department, on a read that is audited; everyone else gets its counts.
 */
export function presentResource(r: DocumentRow, seesDraft: boolean, seesValues = false): z.output<typeof ResourceRecord> {
  return {
    id: r.id,
    code: r.code,
    departmentId: r.department_id,
    name: r.name,
    status: seesDraft ? r.status : r.retired_at ? 'retired' : 'published',
    linked: r.linked,
    dataUpdatedAt: r.data_updated_at,
    data: r.current_version ? { version: r.current_version, rows: r.data_rows, updatedAt: r.data_updated_at, quality: seesValues ? r.quality : profileCounts(r.quality) } : null,
    published: r.published_doc ? { version: r.published_version, at: r.published_at, doc: r.published_doc } : null,
    ...(seesDraft ? { version: r.version, doc: r.doc } : {}),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The short form used in lists and search results; a submitted entry carries its approval deadline (the server has the calendar, the browser shows it). */
export function presentResourceSummary(r: Record<string, any>): z.output<typeof ResourceSummary> {
  const doc = r.published_doc ?? r.doc;
  const at = now();
  const due: Date | null = r.approval_due_at ? new Date(r.approval_due_at) : null;
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    departmentId: r.department_id,
    status: r.status,
    summary: doc.summary,
    domain: r.domain,
    shareType: r.share_type,
    openType: r.open_type,
    format: r.format_type,
    updateCycle: r.update_cycle,
    publishedAt: r.published_at,
    linked: r.linked,
    ...(r.rank !== undefined ? { score: r.rank } : {}),
    ...(due ? { approval: { limitDays: r.approval_limit_days, dueAt: due, daysLeft: daysLeft(due, at), overdue: at.getTime() >= due.getTime() } } : {}),
  };
}
