import { z } from 'zod';
import type { Principal } from '../auth/roles.ts';

/**
 * Who may see values of a department's data tables outside the data API. The data API (rows,
 * downloads, CKAN datastore) serves values under openness or a grant; everywhere else a value —
 * a profile's smallest and largest value, a rejected cell — is shown only to the department that
 * holds the data, and that view is audited like a read (docs/security.md lists every such output).
 */
export function seesOwnDataValues(principal: Principal | null, departmentId: number): boolean {
  return principal !== null && principal.departmentId === departmentId;
}

/** A quality profile as the API shows it: counts, and `min`/`max` only for the holding department. */
export const QualityProfileShown = z
  .object({
    rows: z.number().int(),
    columns: z.record(
      z.string(),
      z.object({
        nulls: z.number().int().nullable().optional(),
        invalid: z.number().int().nullable().optional(),
        distinctEstimate: z.number().nullable().optional(),
        min: z.string().nullable().optional().describe('smallest value: shown to the holding department only'),
        max: z.string().nullable().optional().describe('largest value: shown to the holding department only'),
      }),
    ),
  })
  .meta({ id: 'QualityProfile', description: 'Rows, and per item nulls, invalid values and a distinct estimate; the smallest and largest value only for the holding department' });

/** The counts of a column's profile: none of them is a value of the data. */
const COUNT_FIELDS = ['nulls', 'invalid', 'distinctEstimate'] as const;

type ShownProfile = z.output<typeof QualityProfileShown>;

/** A quality profile reduced to counts (rows, nulls, invalid, distinct estimate): what other departments may see. */
export function profileCounts(profile: unknown): ShownProfile | null {
  if (!profile || typeof profile !== 'object') return null;
  const p = profile as { rows?: unknown; columns?: Record<string, Record<string, unknown>> };
  const columns: ShownProfile['columns'] = {};
  for (const [name, column] of Object.entries(p.columns ?? {})) {
    const counts: ShownProfile['columns'][string] = {};
    for (const field of COUNT_FIELDS) if (field in column) counts[field] = column[field] as number | null;
    columns[name] = counts;
  }
  return { rows: Number(p.rows ?? 0), columns };
}
