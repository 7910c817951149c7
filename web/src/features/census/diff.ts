/** The differences between two versions of a document, as JSON pointers: what a history entry changed. */
export interface Change {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

export function diffDocs(before: unknown, after: unknown, path = ''): Change[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (isObject(before) && isObject(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((k) => {
      const p = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!(k in before)) return [{ path: p, kind: 'added' as const, after: after[k] }];
      if (!(k in after)) return [{ path: p, kind: 'removed' as const, before: before[k] }];
      return diffDocs(before[k], after[k], p);
    });
  }
  return [{ path, kind: 'changed', before, after }];
}
