import { z } from 'zod';
import { listOf } from '../../lib/zod-fields.ts';

export const ClassificationRecord = z
  .object({
    code: z.string().describe('the class code; a child’s code extends its parent’s'),
    parentCode: z.string().nullable(),
    name: z.string(),
  })
  .meta({ id: 'Classification', description: 'A class of the classification tree (信息资源分类: 类/项/目/细目)' });

export const ClassificationList = listOf(ClassificationRecord);
