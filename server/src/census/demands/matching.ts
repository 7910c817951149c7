import type { Knex } from 'knex';
import { indexLexemes, queryTerms } from '../search-text.ts';

/** Share of `wanted`'s bigrams found in `offered` (1 when every bigram is there). */
function coverage(wanted: string, offered: string): number {
  const need = queryTerms(wanted).flat();
  if (!need.length) return 0;
  const have = new Set(indexLexemes(offered));
  return need.filter((l) => have.has(l)).length / need.length;
}

export interface Match {
  resourceId: number;
  code: string | null;
  name: string;
  departmentId: number;
  score: number;
  nameCoverage: number;
  items: { wanted: string; matched: string | null; coverage: number }[];
}

/**
 * 供需对接: candidates are published resources sharing any bigram with the demand's
 * resource name or wanted items; each is scored by how well its name covers the wanted
 * name (weight 0.4) and its items cover the wanted items (0.6).
 */
export async function matchDemand(knex: Knex, demand: { resourceName: string; items: string[] }, limit = 10): Promise<Match[]> {
  const lexemes = [...new Set([demand.resourceName, ...demand.items].flatMap((t) => queryTerms(t).flat()))];
  if (!lexemes.length) return [];
  const tsq = lexemes.map((l) => `'${l.replace(/'/g, "''").replace(/\\/g, '\\\\')}'`).join(' | ');
  const candidates = await knex('odx.resources')
    .whereNotNull('published_doc')
    .whereNull('retired_at')
    .whereRaw('search @@ ?::tsquery', [tsq])
    .orderByRaw('ts_rank(search, ?::tsquery) desc', [tsq])
    .limit(200)
    .select('id', 'code', 'name', 'department_id', 'published_doc');
  const scored = candidates.map((r: Record<string, any>): Match => {
    const labels: { label: string; name: string }[] = r.published_doc.items;
    const items = demand.items.map((wanted) => {
      let best = { matched: null as string | null, coverage: 0 };
      for (const it of labels) {
        const c = Math.max(coverage(wanted, it.label), wanted === it.name ? 1 : 0);
        if (c > best.coverage) best = { matched: it.label, coverage: c };
      }
      return { wanted, ...best };
    });
    const nameCoverage = coverage(demand.resourceName, r.name);
    const itemScore = items.length ? items.reduce((s, i) => s + i.coverage, 0) / items.length : 0;
    return { resourceId: r.id, code: r.code, name: r.name, departmentId: r.department_id, score: Number((0.4 * nameCoverage + 0.6 * itemScore).toFixed(4)), nameCoverage, items };
  });
  return scored.sort((a, b) => b.score - a.score || a.resourceId - b.resourceId).slice(0, limit);
}
