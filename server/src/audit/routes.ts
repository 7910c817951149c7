import { route } from '../http/route.ts';
import { runCommand } from './command.ts';
import { chainPending, rowToEvent } from './chain.ts';
import { checkpointCreator, presentCheckpoint } from './checkpoints.ts';
import { presentAuditEvent } from './presenter.ts';
import { AuditListQuery, AuditPage, AuditVerifyBody, AuditVerifyStep, Checkpoint, CheckpointListQuery, CheckpointPage, SignedHead } from './schema.ts';
import { startVerification, verifyStep } from './verify-steps.ts';

export const auditRoutes = [
  route({
    method: 'get',
    path: '/api/v1/audit',
    operationId: 'searchAudit',
    summary: 'Search the audit trail by actor, department, target, action and time (keyset paging on seq)',
    tags: ['audit'],
    access: { authority: 'any', admin: 'any' },
    query: AuditListQuery,
    response: AuditPage,
    handler: async ({ query, services }) => {
      await chainPending(services.knex);
      const q = services.knex('odx.audit_events').orderBy('seq', query.order).limit(query.limit + 1);
      // a login is enough: `sjj.authority` finds principal:sjj.authority
      if (query.actor) q.whereIn('actor', [query.actor, `principal:${query.actor}`]);
      if (query.actorId) q.where('actor_id', query.actorId);
      if (query.departmentId) q.where('department_id', query.departmentId);
      if (query.targetType) q.where('target_type', query.targetType);
      if (query.targetId) q.where('target_id', query.targetId);
      // `resource.*`: every action of a kind, as a person looks for "everything done to resources"
      if (query.action?.endsWith('*')) q.whereRaw(`action like ? escape '\\'`, [`${query.action.slice(0, -1).replace(/[\\%_]/g, (m) => `\\${m}`)}%`]);
      else if (query.action) q.where('action', query.action);
      if (query.from) q.where('at', '>=', query.from);
      if (query.to) q.where('at', '<', query.to);
      if (query.cursor !== undefined) q.where('seq', query.order === 'desc' ? '<' : '>', query.cursor);
      const rows = await q;
      const page = rows.slice(0, query.limit).map((r: Record<string, any>) => presentAuditEvent(rowToEvent(r)));
      const next = rows.length > query.limit ? page[page.length - 1].seq : null;
      return { body: { items: page, next } };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/audit/head',
    operationId: 'getAuditHead',
    summary: 'The signed head of the audit chain: keep a copy to prove later that the log was not rewritten',
    tags: ['audit'],
    access: 'authenticated',
    response: SignedHead,
    handler: async ({ services }) => {
      await chainPending(services.knex);
      const head = await services.knex('odx.audit_head').first('seq', 'hash');
      return { body: services.signer.sign(head) };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/audit/checkpoints',
    operationId: 'listAuditCheckpoints',
    summary: 'Signed checkpoints of the audit chain, newest first (one a day and on demand): anyone may keep copies and check the chain against them',
    tags: ['audit'],
    access: 'public',
    query: CheckpointListQuery,
    response: CheckpointPage,
    handler: async ({ query, services }) => {
      const q = services.knex('odx.audit_checkpoints').orderBy('id', 'desc').limit(query.limit + 1);
      if (query.cursor !== undefined) q.where('id', '<', query.cursor);
      const rows = await q;
      const items = rows.slice(0, query.limit).map(presentCheckpoint);
      return { body: { items, next: rows.length > query.limit ? items[items.length - 1].id : null } };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/audit/checkpoints',
    operationId: 'createAuditCheckpoint',
    summary: 'Sign and publish a checkpoint of the audit chain now',
    tags: ['audit'],
    access: { authority: 'any', admin: 'any' },
    response: Checkpoint,
    responds: { status: 201, description: 'the new checkpoint' },
    handler: async ({ services, actor, requestId }) => {
      await chainPending(services.knex);
      const checkpoint = await runCommand(services.knex, { actor, requestId }, (ctx) => checkpointCreator(ctx, services.signer, 'on demand'));
      return { status: 201, body: checkpoint };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/audit/verify',
    operationId: 'verifyAudit',
    summary: 'Verify the audit chain in steps (as `odx audit verify`): start with `from`, then call again with `after` and `hash` while the answer says running',
    tags: ['audit'],
    access: { authority: 'any', admin: 'any' },
    // recomputing hashes writes nothing: a read-only token may verify
    scope: 'read',
    body: AuditVerifyBody,
    response: AuditVerifyStep,
    handler: async ({ body, services }) => {
      // a new verification takes in what waits to be chained; a next step keeps to its head
      if (body.from) await chainPending(services.knex);
      const step = body.from
        ? await startVerification(services.knex, body.from, services.signer.publicKeyPem, body.limit)
        : await verifyStep(services.knex, body.after!, body.hash!, body.limit);
      return { body: step };
    },
  }),
];
