/**
 * The terms of a grant (items, period, call rate, row filter, raw items): what an unconditional
 * request is granted as asked, what a decision may narrow it to, and how the decision differs from
 * the request. The workflow that applies them is requests.ts.
 */
import type { CommandContext } from '../audit/command.ts';
import type { RowCondition } from '../data/row-conditions.ts';
import { stateConflict, text, type Bilingual, unprocessable } from '../http/errors.ts';
import type { ResourceItem, ShareRequest } from '../schemas/validator.ts';
import { now } from './clock.ts';
import type { GrantTerms } from './grants.ts';
import { checkRowFilter } from './row-filters.ts';
import type { ApproveBody, DecideBody, Period } from './schema.ts';

/** What terms are worked out from: the request (or open-data application) as submitted, on its resource. */
export interface TermsRequest {
  resource_id: number;
  resource_code: string;
  doc: Pick<ShareRequest, 'items' | 'period' | 'expectedCallRate'>;
}

const DAY_MS = 86_400_000;

/** The end of a period of use started at `start`: null for long-term; `until` is inclusive (24:00 Asia/Shanghai of that date). */
export function periodEnd(period: Period | ShareRequest['period'], start: Date): Date | null {
  switch (period.kind) {
    case '30d':
      return new Date(start.getTime() + 30 * DAY_MS);
    case '90d':
      return new Date(start.getTime() + 90 * DAY_MS);
    case '180d':
      return new Date(start.getTime() + 180 * DAY_MS);
    case 'long_term':
      return null;
    case 'until':
      return new Date(Date.parse(`${period.until}T00:00:00+08:00`) + DAY_MS);
  }
}

async function publishedItems(ctx: CommandContext, row: TermsRequest): Promise<ResourceItem[]> {
  const r = await ctx.trx('odx.resources').where({ id: row.resource_id }).first('published_doc', 'retired_at');
  if (!r?.published_doc || r.retired_at) throw stateConflict(text(`数据资源 ${row.resource_code} 已不再发布，不能对其授权`, `resource ${row.resource_code} is no longer published; nothing can be granted on it`));
  return r.published_doc.items;
}

/** What was asked for, as it stands: an unconditional request is granted exactly that, masked items masked. */
export async function requestedTerms(ctx: CommandContext, defaultRate: number, row: TermsRequest): Promise<GrantTerms> {
  const items = await publishedItems(ctx, row);
  const gone = row.doc.items.filter((n) => !items.some((i) => i.name === n));
  if (gone.length) throw stateConflict(text(`数据资源 ${row.resource_code} 已没有这些信息项：${gone.join('、')}`, `items no longer in resource ${row.resource_code}: ${gone.join(', ')}`));
  const start = now();
  return { items: row.doc.items, startsAt: start, endsAt: periodEnd(row.doc.period, start), period: row.doc.period, rateLimit: row.doc.expectedCallRate ?? defaultRate, rowFilter: [], raw: [] };
}

/** A decision's terms: at most what was asked for. Every problem is named. */
export async function decidedTerms(
  ctx: CommandContext,
  defaultRate: number,
  row: TermsRequest,
  body: ApproveBody | Omit<DecideBody, 'decision' | 'reason'>,
  mayRaw: boolean,
): Promise<GrantTerms> {
  const resourceItems = await publishedItems(ctx, row);
  const byName = new Map(resourceItems.map((i) => [i.name, i]));
  const problems: { path: string; message: Bilingual }[] = [];
  const items = body.items ?? row.doc.items;
  const extra = items.filter((n) => !row.doc.items.includes(n));
  if (extra.length) problems.push({ path: '/items', message: text(`未申请：${extra.join('、')}（决定只能授予更少的信息项，不能更多）`, `not requested: ${extra.join(', ')} (a decision may grant fewer items, not more)`) });
  const gone = items.filter((n) => !extra.includes(n) && !byName.has(n));
  if (gone.length) problems.push({ path: '/items', message: text(`已不是数据资源 ${row.resource_code} 的信息项：${gone.join('、')}`, `no longer items of resource ${row.resource_code}: ${gone.join(', ')}`) });
  if (new Set(items).size !== items.length) problems.push({ path: '/items', message: text('信息项重复列出', 'items are listed twice') });

  const start = now();
  const period = body.period ?? row.doc.period;
  const end = periodEnd(period, start);
  const asked = periodEnd(row.doc.period, start);
  if (end && end.getTime() <= start.getTime()) problems.push({ path: '/period/until', message: text(`期限截止于 ${period.until}，已经过去`, `the period ends on ${period.until}, which has passed`) });
  if (asked && (!end || end.getTime() > asked.getTime())) {
    const askedPeriod = `${row.doc.period.kind}${row.doc.period.until ? ` ${row.doc.period.until}` : ''}`;
    problems.push({ path: '/period', message: text(`期限不得长于申请的期限（${askedPeriod}）`, `the period may not be longer than requested (${askedPeriod})`) });
  }
  const askedRate = row.doc.expectedCallRate ?? defaultRate;
  const rateLimit = body.rateLimit ?? askedRate;
  if (rateLimit > askedRate) problems.push({ path: '/rateLimit', message: text(`调用频率不得超过申请的每分钟 ${askedRate} 次`, `the call rate may not exceed the requested ${askedRate} per minute`) });

  const raw = 'raw' in body && body.raw ? body.raw : [];
  if (raw.length && !mayRaw) problems.push({ path: '/raw', message: text('只有提供方可以批准原始值', 'only the provider may approve raw values') });
  const rawOutside = raw.filter((n) => !items.includes(n));
  if (rawOutside.length) problems.push({ path: '/raw', message: text(`原始值的信息项须为授予的信息项：${rawOutside.join('、')}`, `raw items must be granted items: ${rawOutside.join(', ')}`) });
  const notMasked = raw.filter((n) => items.includes(n) && byName.has(n) && !byName.get(n)!.mask && !['personal', 'sensitive'].includes(byName.get(n)!.sensitivity ?? ''));
  if (notMasked.length) problems.push({ path: '/raw', message: text(`未脱敏，本来就按原值提供：${notMasked.join('、')}`, `not masked, so served as they are: ${notMasked.join(', ')}`) });
  if (problems.length) {
    throw unprocessable(
      text(`该决定有 ${problems.length} 个问题：${problems.map((p) => p.message.zh).join('；')}`, `the decision has ${problems.length} problem(s): ${problems.map((p) => p.message.en).join('; ')}`),
      problems,
    );
  }

  const rowFilter: RowCondition[] = checkRowFilter(body.rowFilter ?? [], resourceItems);
  return { items, startsAt: start, endsAt: end, period, rateLimit, rowFilter, raw: [...new Set(raw)] };
}

/** How a decision differs from the request (for the step record and the audit trail). */
export function narrowed(row: TermsRequest, t: GrantTerms): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const dropped = row.doc.items.filter((n) => !t.items.includes(n));
  if (dropped.length) out.itemsNotGranted = dropped;
  if (JSON.stringify(t.period) !== JSON.stringify(row.doc.period)) out.period = t.period;
  if (t.rowFilter.length) out.rowFilter = t.rowFilter;
  if (t.raw.length) out.raw = t.raw;
  out.rateLimit = t.rateLimit;
  return out;
}
