/**
 * Row filters of grants as requests carry them: their shape, and their check against the
 * resource's items. A grant's row filter is an AND of conditions on item names, e.g.
 * `[{ column: 'region_code', op: 'eq', value: '350203' }]` (only the consumer's district);
 * data/row-conditions.ts turns it into parameterised SQL.
 */
import { z } from 'zod';
import { badValue, type ItemInfo, type RowCondition } from '../data/row-conditions.ts';
import { text, type Bilingual, unprocessable } from '../http/errors.ts';

const scalar = z.union([z.string().max(500), z.number(), z.boolean()]).transform((v) => String(v));

export const RowConditionSchema = z.discriminatedUnion('op', [
  z.object({ column: z.string().min(1).max(63), op: z.literal('eq'), value: scalar }).strict(),
  z.object({ column: z.string().min(1).max(63), op: z.literal('in'), value: z.array(scalar).min(1).max(1000) }).strict(),
]);
export const RowFilterSchema = z.array(RowConditionSchema).max(20);

/** Checks a row filter against the resource's items: 422 naming every unknown item and ill-typed value. */
export function checkRowFilter(filter: RowCondition[], items: ItemInfo[], path = '/rowFilter'): RowCondition[] {
  const byName = new Map(items.map((i) => [i.name, i]));
  const problems: { path: string; message: Bilingual }[] = [];
  filter.forEach((c, i) => {
    const item = byName.get(c.column);
    if (!item) {
      problems.push({ path: `${path}/${i}/column`, message: text(`${c.column} 不是该资源的信息项`, `${c.column} is not an item of the resource`) });
      return;
    }
    for (const v of Array.isArray(c.value) ? c.value : [c.value]) {
      const bad = badValue(item, v);
      if (bad) problems.push({ path: `${path}/${i}/value`, message: bad });
    }
  });
  if (problems.length) {
    throw unprocessable(
      text(`行筛选条件有 ${problems.length} 个问题：${problems.map((p) => p.message.zh).join('；')}`, `the row filter has ${problems.length} problem(s): ${problems.map((p) => p.message.en).join('; ')}`),
      problems,
    );
  }
  return filter;
}

