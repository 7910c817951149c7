import type { CommandContext } from '../../audit/command.ts';
import { forbidden, stateConflict, text, unprocessable } from '../../http/errors.ts';
import { derivedColumns } from '../documents/derive.ts';
import { lockDocument, type DocumentRow } from '../documents/commands.ts';
import { recordStep } from '../documents/history.ts';
import { unmaskedPersonalItems } from '../../data/masking.ts';
import type { ItemLike } from '../../data/items.ts';
import { now, workCalendar } from '../../sharing/clock.ts';
import { RESOURCE_APPROVAL_DAYS } from '../../config.ts';

/**
 * The catalogue lifecycle: draft -> submitted (registrar) -> approved (the department's
 * officer) -> published (authority) -> retired. Each step names the statuses it starts from.
 */
export const STEPS = {
  submit: { from: ['draft'], to: 'submitted' },
  withdraw: { from: ['submitted'], to: 'draft' },
  approve: { from: ['submitted'], to: 'approved' },
  return: { from: ['submitted', 'approved'], to: 'draft' },
  publish: { from: ['approved'], to: 'published' },
  retire: { from: ['published'], to: 'retired' },
} as const;
/** A move of a catalogue entry through its lifecycle (submit, approve, publish, …). */
export type LifecycleStep = keyof typeof STEPS;

/** The next 顺序码 of a classification; the row lock orders concurrent publishers and a code is never handed out twice. */
async function nextCode(ctx: CommandContext, category: string): Promise<string> {
  const r = await ctx.trx.raw(
    `insert into odx.resource_code_sequences as s (category, last_seq) values (?, 1)
     on conflict (category) do update set last_seq = s.last_seq + 1 returning last_seq`,
    [category],
  );
  return `${category}/${String(r.rows[0].last_seq).padStart(6, '0')}`;
}

/** Personal data never leaves unmasked: an entry open to everyone may not have a personal item without a mask. */
function assertNoUnmaskedPersonalData(doc: Record<string, any>): void {
  if (doc.openType !== 'open') return;
  const items = doc.items as (ItemLike & { openType?: string })[];
  // an item that is itself not open never reaches an open output
  const bad = unmaskedPersonalItems(items.filter((i) => i.openType === undefined || i.openType === 'open'));
  if (!bad.length) return;
  throw unprocessable(
    text(
      `无条件开放的数据资源不能发布未设置脱敏规则的个人信息项：${bad.map((i) => `${i.label}（${i.name}）`).join('、')}`,
      `an open (无条件开放) resource cannot be published with personal items that have no mask rule: ${bad.map((i) => `${i.label} (${i.name})`).join(', ')}`,
    ),
    bad.map((i) => ({
      path: `/items/${items.indexOf(i)}/mask`,
      item: i.name,
      message: `item ${i.name} is ${i.sensitivity}: name a mask rule or make the resource not open`,
      messageZh: `信息项“${i.label}”含个人信息，须设置脱敏规则，否则不得无条件开放`,
    })),
  );
}

/**
 * Four eyes (ODX_FOUR_EYES, on by default): the approver is none of those who wrote or submitted
 * the versions since the entry was last published. The operator at the CLI has no account and is not checked.
 */
async function assertFourEyes(ctx: CommandContext, current: DocumentRow): Promise<void> {
  if (ctx.actor.id === undefined) return;
  const own = await ctx.trx('odx.census_history')
    .where({ kind: 'resource', doc_id: current.id, actor_id: ctx.actor.id })
    .whereIn('action', ['create', 'update', 'revise', 'submit'])
    .where('version', '>', current.published_version ?? 0)
    .orderBy('id')
    .first('action', 'version');
  if (!own) return;
  throw forbidden(
    text(
      `四眼原则：您${own.action === 'submit' ? '提交' : '编写'}了数据资源 ${current.id} 的第 ${own.version} 版，本人编写或提交的数据目录不得由本人审核，须由本部门另一名数据官审核`,
      `four eyes: you ${own.action === 'submit' ? 'submitted' : 'wrote'} version ${own.version} of resource ${current.id}, so another officer must approve it`,
    ),
    { rule: 'four-eyes', resource: current.id, version: own.version, action: own.action },
  );
}

/**
 * `approvalDays`: the officer's limit in working days (ODX_RESOURCE_APPROVAL_DAYS): a submit sets the
 * deadline from the working-day calendar, as a share request's stage does; leaving 'submitted' clears it.
 */
export async function resourceStepper(ctx: CommandContext, id: number, step: LifecycleStep, note?: string, opts: { fourEyes?: boolean; approvalDays?: number } = {}): Promise<DocumentRow> {
  const current = await lockDocument(ctx, 'resource', id);
  const { from, to } = STEPS[step];
  if (!(from as readonly string[]).includes(current.status)) {
    throw stateConflict(text(`状态为“${current.status}”的数据资源不能执行 ${step}`, `cannot ${step} a resource in status '${current.status}'`), { status: current.status, allowedFrom: from });
  }
  if (step === 'approve' && opts.fourEyes !== false) await assertFourEyes(ctx, current);
  if (step === 'return' && !note) throw unprocessable(text('退回数据资源须说明理由', 'returning a resource needs a reason'), [{ path: '/note', message: text('必填', 'required') }]);
  const days = opts.approvalDays ?? RESOURCE_APPROVAL_DAYS;
  let change: Record<string, unknown> = {
    status: to,
    updated_at: ctx.trx.fn.now(),
    ...(to === 'submitted' ? { approval_limit_days: days, approval_due_at: workCalendar().addWorkdays(now(), days) } : { approval_limit_days: null, approval_due_at: null }),
  };
  if (step === 'publish') {
    assertNoUnmaskedPersonalData(current.doc);
    const code = current.code ?? (await nextCode(ctx, current.doc.category));
    change = {
      ...change,
      code,
      published_doc: JSON.stringify(current.doc),
      published_version: current.version,
      published_at: ctx.trx.fn.now(),
      retired_at: null,
      ...(await derivedColumns(ctx.trx, 'resource', current.doc, current.department_id)),
    };
  }
  if (step === 'retire') change.retired_at = ctx.trx.fn.now();
  const [row] = await ctx.trx('odx.resources').where({ id }).update(change).returning('*');
  await recordStep(ctx, 'resource', id, current.department_id, { version: current.version, action: step, status: to, note });
  return row;
}
