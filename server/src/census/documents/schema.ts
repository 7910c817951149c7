import { z } from 'zod';
import { catalogDocument, listOf, pageOf, timestamp } from '../../lib/zod-fields.ts';

const ENTRY_NAMES = { system: 'SystemEntry', demand: 'DemandEntry', resource: 'ResourceEntry' } as const;
type EntryKind = keyof typeof ENTRY_NAMES;

const entries = new Map<EntryKind, ReturnType<typeof makeEntry>>();

function makeEntry(kind: EntryKind) {
  return z
    .object({
      id: z.number().int(),
      departmentId: z.number().int().describe('the department that registered the entry'),
      name: z.string(),
      status: z.string().describe('where the entry is in its lifecycle'),
      version: z.number().int().describe('the document’s version; give it as `?version=` when replacing to detect a concurrent change'),
      doc: catalogDocument(kind),
      createdAt: timestamp,
      updatedAt: timestamp,
    })
    .meta({ id: ENTRY_NAMES[kind], description: `A census entry with its document (catalog-schemas/${kind}.schema.json)` });
}

/** A census entry as stored: its document and the columns beside it. One schema per kind. */
export function documentEntry(kind: EntryKind) {
  let entry = entries.get(kind);
  if (!entry) entries.set(kind, (entry = makeEntry(kind)));
  return entry;
}

export const documentPage = (kind: EntryKind) => pageOf(documentEntry(kind));

export const HistoryEntry = z
  .object({
    version: z.number().int(),
    action: z.string().describe('create, update or a lifecycle step'),
    status: z.string(),
    note: z.string().nullable(),
    by: z.string(),
    byId: z.number().int().nullable(),
    at: timestamp,
    doc: z.record(z.string(), z.unknown()).nullable().describe('the document as it was after this version'),
  })
  .meta({ id: 'HistoryEntry', description: 'A version or lifecycle step of a census entry, with who and when' });

export const History = listOf(HistoryEntry);
