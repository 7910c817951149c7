/** The purpose (用途) every read of shared data states, logged with the read. */
import type { Request } from 'express';
import { badRequest, text } from '../http/errors.ts';

export const PURPOSE_HEADER = 'X-ODX-Purpose';

/**
 * The purpose a read states (logged with it): the `purpose` query parameter, else `fromBody`,
 * else the X-ODX-Purpose header (URL-encoded, as headers carry no Chinese). 400 when missing.
 */
export function purposeOf(req: Request, fromBody?: string): string {
  const q = typeof req.query.purpose === 'string' ? req.query.purpose : undefined;
  let h = req.get(PURPOSE_HEADER);
  if (h) {
    try {
      h = decodeURIComponent(h);
    } catch {
      throw badRequest(text(`${PURPOSE_HEADER} 请求头须为 URL 编码的 UTF-8`, `the ${PURPOSE_HEADER} header must be URL-encoded UTF-8`));
    }
  }
  const purpose = (q ?? fromBody ?? h ?? '').trim();
  if (purpose.length < 2) {
    throw badRequest(
      text(`每次读取共享数据都须说明用途：请给出 purpose=… 或 ${PURPOSE_HEADER} 请求头`, `every read of shared data states its purpose (用途): give purpose=… or the ${PURPOSE_HEADER} header`),
      [{ in: 'query', path: '/purpose', message: text('必填', 'required') }],
    );
  }
  if (purpose.length > 500) throw badRequest(text('用途超过 500 个字符', 'the purpose is longer than 500 characters'), [{ in: 'query', path: '/purpose', message: text('过长', 'too long') }]);
  return purpose;
}
