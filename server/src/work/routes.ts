import { route } from '../http/route.ts';
import { now } from '../sharing/clock.ts';
import { WaitingWork } from './schema.ts';
import { waitingFor } from './sources.ts';

export const workRoutes = [
  route({
    method: 'get',
    path: '/api/v1/work/waiting',
    operationId: 'getWaitingWork',
    summary: 'What waits on you (待办): counts by kind — resources to approve or publish, share requests to answer, check or decide — and how many are overdue',
    tags: ['work'],
    access: { officer: 'own', authority: 'any' },
    response: WaitingWork,
    scoped: true,
    handler: async ({ principal, scoping, services }) => ({ body: await waitingFor(services.knex, principal!.roles, scoping.departments, now()) }),
  }),
];
