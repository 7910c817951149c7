import type { z } from 'zod';
import { localized, type Lang } from '../http/errors.ts';
import { profileCounts } from '../policies/data-values.ts';
import type { LoadRecord } from './schema.ts';
import type { DataVersion } from './versions.ts';

/**
 * A load as its department follows it: state, progress while running, the result (its profile as
 * counts) or the error, whose message is in the caller's language (stored in both).
 */
export function presentLoad(r: Record<string, any>, lang: Lang): z.output<typeof LoadRecord> {
  const elapsed = r.started_at ? ((r.finished_at ?? new Date()).getTime() - r.started_at.getTime()) / 1000 : 0;
  return {
    id: r.id,
    resourceId: r.resource_id,
    state: r.state,
    mode: r.mode,
    options: r.options,
    fileName: r.file_name,
    progress: {
      rowsRead: r.rows_read,
      bytesRead: r.bytes_read,
      totalBytes: r.total_bytes,
      percent: r.total_bytes ? Math.min(100, Math.round((1000 * r.bytes_read) / r.total_bytes) / 10) : null,
      rowsPerSecond: elapsed > 0 ? Math.round(r.rows_read / elapsed) : null,
      elapsedSeconds: Math.round(elapsed * 10) / 10,
    },
    rowsLoaded: r.rows_loaded,
    rejected: r.rejected,
    version: r.version,
    result: r.result ? { ...r.result, profile: profileCounts(r.result.profile) } : null,
    error: r.error ? (localized(r.error, lang) as Record<string, unknown>) : null,
    by: r.actor,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

/** A loaded version as the API shows it: its profile as counts, since the version list is not an audited read. */
export function presentVersionShown(v: DataVersion) {
  return { ...v, profile: profileCounts(v.profile) };
}
