import { z } from 'zod';

const count = z.number().int().min(0);

export const WaitingWork = z
  .object({
    kinds: z
      .array(
        z.object({
          kind: z.string().describe('resource.approve, share_request.answer, resource.publish, share_request.check, share_request.decide, …'),
          waiting: count,
          overdue: count.describe('of those, past their deadline in working days'),
        }),
      )
      .describe('one entry per kind of work the caller’s roles do, also when nothing waits'),
    waiting: count,
    overdue: count,
  })
  .meta({ id: 'WaitingWork', description: 'What waits on the caller (待办), by kind, with how much of it is overdue' });
