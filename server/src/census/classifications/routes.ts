import { z } from 'zod';
import { runCommand } from '../../audit/command.ts';
import { alreadyExists, text, unprocessable } from '../../http/errors.ts';
import { route } from '../../http/route.ts';
import { ClassificationList, ClassificationRecord } from './schema.ts';

const ClassificationCreate = z.object({
  code: z.string().regex(/^[1-3][0-9]{1,29}$/, '2 to 30 digits starting with 1 (基础), 2 (主题) or 3 (部门) / 2 至 30 位数字，以 1（基础）、2（主题）或 3（部门）开头'),
  name: z.string().trim().min(1).max(100),
  parentCode: z.string().regex(/^[1-3][0-9]{0,28}$/, 'a class code: 1 to 29 digits starting with 1, 2 or 3 / 分类代码：1 至 29 位数字，以 1、2 或 3 开头'),
});

export const classificationRoutes = [
  route({
    method: 'get',
    path: '/api/v1/classifications',
    operationId: 'listClassifications',
    summary: 'The classification tree (信息资源分类: 类/项/目/细目)',
    tags: ['resources'],
    access: 'public',
    response: ClassificationList,
    handler: async ({ services }) => {
      const rows = await services.knex('odx.classifications').orderBy('code').select('code', 'parent_code as parentCode', 'name');
      return { body: { items: rows } };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/classifications',
    operationId: 'createClassification',
    summary: 'Extend the classification tree (the authority)',
    tags: ['resources'],
    access: { authority: 'any' },
    body: ClassificationCreate,
    response: ClassificationRecord,
    responds: { status: 201, description: 'the new class' },
    handler: async ({ body, services, actor, requestId }) => {
      if (!body.code.startsWith(body.parentCode) || body.code === body.parentCode) {
        throw unprocessable(text('分类代码须在上级分类代码之后延长', 'a class code extends its parent’s code'), [
          { path: '/code', message: text(`须以 ${body.parentCode} 开头且更长`, `must start with ${body.parentCode} and be longer`) },
        ]);
      }
      const created = await runCommand(services.knex, { actor, requestId }, async (ctx) => {
        const parent = await ctx.trx('odx.classifications').where({ code: body.parentCode }).first('code');
        if (!parent) throw unprocessable(text(`没有代码为 ${body.parentCode} 的分类`, `no class has the code ${body.parentCode}`), [{ path: '/parentCode', message: text('未知分类', 'unknown class') }]);
        const taken = await ctx.trx('odx.classifications').where({ code: body.code }).first('name');
        if (taken) {
          throw alreadyExists(text(`分类代码 ${body.code} 已被“${taken.name}”使用`, `the class code ${body.code} is taken by “${taken.name}”`), [
            { path: '/code', message: text('代码已存在', 'the code exists') },
          ]);
        }
        const [row] = await ctx.trx('odx.classifications').insert({ code: body.code, name: body.name, parent_code: body.parentCode }).returning(['code', 'name', 'parent_code']);
        ctx.audit({ action: 'classification.create', targetType: 'classification', targetId: body.code, detail: { name: body.name, parent: body.parentCode } });
        return row;
      });
      return { status: 201, body: { code: created.code, name: created.name, parentCode: created.parent_code } };
    },
  }),
];
