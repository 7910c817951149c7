import request from 'supertest';
import type { RequestListener } from '../../server/src/http/serve.ts';

/** GET an open dataset's download with the body as bytes, whatever its type. */
export function openDownload(app: RequestListener, code: string, query: Record<string, string | number>) {
  return request(app).get(`/api/v1/datasets/${encodeURIComponent(code)}/download`).query(query).buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });
}
