import { runCommand } from '../../audit/command.ts';
import { notFound, text } from '../../http/errors.ts';
import { route } from '../../http/route.ts';
import { idParams } from '../../lib/zod-fields.ts';
import { departmentCreator, departmentUpdater } from './commands.ts';
import { presentDepartment } from './presenter.ts';
import { DepartmentCreate, DepartmentList, DepartmentListQuery, DepartmentRecord, DepartmentUpdate } from './schema.ts';

export const departmentRoutes = [
  route({
    method: 'get',
    path: '/api/v1/departments',
    operationId: 'listDepartments',
    summary: 'List departments (the tree is public information)',
    tags: ['departments'],
    access: 'public',
    query: DepartmentListQuery,
    response: DepartmentList,
    handler: async ({ query, services }) => {
      const q = services.knex('odx.departments').orderBy('id');
      if (query.parentId) q.where({ parent_id: query.parentId });
      return { body: { items: (await q).map(presentDepartment) } };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/departments/:id',
    operationId: 'getDepartment',
    summary: 'Show a department',
    tags: ['departments'],
    access: 'public',
    params: idParams,
    response: DepartmentRecord,
    handler: async ({ params, services }) => {
      const row = await services.knex('odx.departments').where({ id: params.id }).first();
      if (!row) throw notFound(text(`部门 ${params.id}`, `department ${params.id}`));
      return { body: presentDepartment(row) };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/departments',
    operationId: 'createDepartment',
    summary: 'Add a department to the tree',
    tags: ['departments'],
    access: { admin: 'any' },
    body: DepartmentCreate,
    response: DepartmentRecord,
    responds: { status: 201, description: 'the new department' },
    handler: async ({ body, services, actor, requestId }) => ({
      status: 201,
      body: await runCommand(services.knex, { actor, requestId }, (ctx) => departmentCreator(ctx, body)),
    }),
  }),
  route({
    method: 'patch',
    path: '/api/v1/departments/:id',
    operationId: 'updateDepartment',
    summary: 'Change a department (name, codes, place in the tree)',
    tags: ['departments'],
    access: { admin: 'any' },
    params: idParams,
    body: DepartmentUpdate,
    response: DepartmentRecord,
    handler: async ({ params, body, services, actor, requestId }) => ({
      body: await runCommand(services.knex, { actor, requestId }, (ctx) => departmentUpdater(ctx, params.id, body)),
    }),
  }),
];
