/**
 * Maps file headers to items (by field name, by Chinese label, or through a mapping), and reports
 * unknown, duplicate and missing columns by name before any row is loaded.
 */
import { compileCoercer } from './coerce.ts';
import type { FileColumn } from './sink.ts';
import { LoadError, type LoaderItem } from './types.ts';

const NAME_RE = /^[a-z][a-z0-9_]{0,62}$/;

/** Header text as compared: no BOM, no surrounding or inner whitespace, ASCII case folded, full-width brackets folded. */
export function normalizeHeader(h: string): string {
  return h
    .replace(/^\ufeff+/, '')
    .replace(/[\s\u3000]+/g, '')
    .replace(/（/g, '(')
    .replace(/）/g, ')')
    .toLowerCase();
}

export function cleanHeader(h: string): string {
  return h.replace(/^\ufeff+/, '').replace(/^[\s\u3000]+|[\s\u3000]+$/g, '');
}

export class ColumnResolver {
  private readonly byExact = new Map<string, LoaderItem>();
  private readonly byNorm = new Map<string, LoaderItem>();
  private readonly mapping = new Map<string, string>();
  private readonly mappingNorm = new Map<string, string>();
  private readonly byName = new Map<string, LoaderItem>();

  constructor(
    readonly items: LoaderItem[],
    mapping: Record<string, string> | undefined,
  ) {
    for (const it of items) this.byName.set(it.name, it);
    for (const it of items) {
      this.byExact.set(it.name, it);
      this.byNorm.set(normalizeHeader(it.name), it);
    }
    for (const it of items) {
      if (it.label) {
        if (!this.byExact.has(it.label)) this.byExact.set(it.label, it);
        const n = normalizeHeader(it.label);
        if (!this.byNorm.has(n)) this.byNorm.set(n, it);
      }
    }
    for (const [k, v] of Object.entries(mapping ?? {})) {
      if (v !== '' && v !== null && !this.byName.has(v))
        throw new LoadError('options', `the mapping sends ${JSON.stringify(k)} to ${JSON.stringify(v)}, which is not an item`);
      this.mapping.set(cleanHeader(k), v ?? '');
      this.mappingNorm.set(normalizeHeader(k), v ?? '');
    }
  }

  /** The item a header maps to; null = skip the column; undefined = unknown. */
  resolve(header: string): LoaderItem | null | undefined {
    const h = cleanHeader(header);
    const m = this.mapping.get(h) ?? this.mappingNorm.get(normalizeHeader(h));
    if (m !== undefined) return m === '' ? null : this.byName.get(m)!;
    if (h === '') return null;
    return this.byExact.get(h) ?? this.byNorm.get(normalizeHeader(h));
  }
}

export function fileColumn(index: number, header: string, item: LoaderItem | null, copyIndex: number, nulChecked = false): FileColumn {
  const text = item !== null && (item.type === 'C' || item.type === 'M');
  const check =
    item !== null &&
    (!text || (item.length !== undefined && item.length > 0) || !!item.enum?.length || !!item.pattern || !!item.check);
  return {
    index,
    header,
    item,
    copyIndex,
    coerce: item ? compileCoercer(item, nulChecked) : null,
    text,
    required: item !== null && (!!item.required || !!item.key),
    check,
    invalid: 0,
  };
}

export interface ColumnPlan {
  columns: FileColumn[];
  copyItems: LoaderItem[];
  ignored: string[];
}

/**
 * Plans the columns of a file. `allItems`: COPY every item (formats whose records name their fields, so
 * columns may appear after the first records); otherwise only the items present, in file order.
 */
export function planColumns(
  resolver: ColumnResolver,
  header: string[],
  opts: { mustHave: string[]; allItems: boolean; nulChecked?: boolean },
): ColumnPlan {
  const items = resolver.items;
  const unknown: string[] = [];
  const ignored: string[] = [];
  const seen = new Map<string, string>();
  const dup: string[] = [];
  const mapped: (LoaderItem | null)[] = [];
  header.forEach((h, i) => {
    const it = resolver.resolve(h);
    if (it === undefined) {
      unknown.push(cleanHeader(h));
      mapped.push(null);
      return;
    }
    if (it === null) {
      ignored.push(cleanHeader(h) || `#${i + 1}`);
      mapped.push(null);
      return;
    }
    const prev = seen.get(it.name);
    if (prev !== undefined) dup.push(`${JSON.stringify(prev)} and ${JSON.stringify(cleanHeader(h))} both map to ${it.name}`);
    seen.set(it.name, cleanHeader(h));
    mapped.push(it);
  });
  const missing = items
    .filter((it) => !seen.has(it.name) && (it.required || it.key || opts.mustHave.includes(it.name)))
    .map((it) => (it.label ? `${it.name} (${it.label})` : it.name));
  if (unknown.length) {
    throw new LoadError(
      'unknown-columns',
      `unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.map((u) => JSON.stringify(u)).join(', ')}` +
        (missing.length ? `; missing required column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}` : '') +
        ' (map headers to items with a mapping, or map a column to "" to skip it)',
      { columns: unknown, unknownColumns: unknown, missingColumns: missing },
    );
  }
  if (missing.length) {
    throw new LoadError('missing-columns', `missing required column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, {
      columns: missing,
      missingColumns: missing,
      unknownColumns: [],
    });
  }
  if (dup.length) throw new LoadError('duplicate-columns', dup.join('; '));
  if (!header.length) throw new LoadError('parse', 'the file has no header');

  const copyItems: LoaderItem[] = opts.allItems ? items.slice() : [];
  const columns = header.map((h, i) => {
    const it = mapped[i];
    let ci = -1;
    if (it) {
      if (opts.allItems) ci = copyItems.indexOf(it);
      else {
        ci = copyItems.length;
        copyItems.push(it);
      }
    }
    return fileColumn(i, cleanHeader(h), it, ci, opts.nulChecked);
  });
  return { columns, copyItems, ignored };
}

export function checkItems(items: LoaderItem[]): void {
  if (!Array.isArray(items) || items.length === 0) throw new LoadError('options', 'no items');
  const names = new Set<string>();
  for (const it of items) {
    if (!NAME_RE.test(it.name)) throw new LoadError('options', `item name ${JSON.stringify(it.name)} is not a valid field name`);
    if (names.has(it.name)) throw new LoadError('options', `item ${it.name} appears twice`);
    names.add(it.name);
    try {
      compileCoercer(it);
    } catch (e) {
      throw new LoadError('options', `item ${it.name}: ${(e as Error).message}`, { cause: e });
    }
  }
}
