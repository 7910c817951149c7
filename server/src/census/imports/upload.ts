/**
 * Reading an uploaded file from the request stream (the JSON body parser leaves other bodies
 * alone): a raw body (.xlsx, .csv, octet-stream), or multipart/form-data with the parts `file`
 * and, for resources as CSV, `items`. The size limit answers 413.
 */
import type { Request } from 'express';
import { HttpError, text } from '../../http/errors.ts';

/** Largest upload accepted (all parts together). */
export const IMPORT_LIMIT_BYTES = 20 * 1024 * 1024;

export interface UploadPart {
  data: Buffer;
  filename?: string;
  charset?: string;
}

export interface Upload {
  file: UploadPart;
  items?: UploadPart;
}

const RAW_TYPES = [
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'text/csv',
  'text/plain',
  'application/csv',
  'application/vnd.ms-excel', // what Windows calls a .csv file
  'application/octet-stream',
];

const tooLarge = (limit: number) =>
  new HttpError(413, 'payload_too_large', text(`上传的文件超过 ${Math.round(limit / 1024 / 1024)} MiB，请拆分文件`, `the upload is larger than ${Math.round(limit / 1024 / 1024)} MiB; split the file`), { limitBytes: limit });

function mediaType(header: string | undefined): { type: string; params: Record<string, string> } {
  const [type, ...rest] = (header ?? 'application/octet-stream').split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const i = p.indexOf('=');
    if (i > 0) params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { type: type.trim().toLowerCase(), params };
}

/** Reads the request body up to `limit` bytes; beyond it, drains the rest and answers 413. */
export async function readBody(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) over = true;
    if (!over) chunks.push(chunk);
  }
  if (over) throw tooLarge(limit);
  return Buffer.concat(chunks, size);
}

/** The parts of a multipart/form-data body, by field name. */
export function parseMultipart(body: Buffer, boundary: string): Map<string, UploadPart> {
  const parts = new Map<string, UploadPart>();
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new HttpError(400, 'bad_request', text('multipart 请求体没有任何部分', 'the multipart body has no parts'));
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) throw new HttpError(400, 'bad_request', text('multipart 的某个部分没有头部结束标记', 'a multipart part has no header end'));
    const headers = body.subarray(pos, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headerEnd + 4);
    if (next < 0) throw new HttpError(400, 'bad_request', text('multipart 请求体没有结束', 'the multipart body is not terminated'));
    const data = body.subarray(headerEnd + 4, next);
    const disposition = /content-disposition:\s*form-data([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const type = mediaType(/content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]);
    if (name) parts.set(name, { data, ...(filename ? { filename } : {}), ...(type.params.charset ? { charset: type.params.charset } : {}) });
    pos = next + 2;
  }
  return parts;
}

/** The uploaded census file(s) of a request. */
export async function readUpload(req: Request, limit = IMPORT_LIMIT_BYTES): Promise<Upload> {
  const { type, params } = mediaType(req.get('content-type'));
  if (type === 'multipart/form-data') {
    if (!params.boundary) throw new HttpError(400, 'bad_request', text('multipart 的 Content-Type 没有 boundary', 'the multipart Content-Type has no boundary'));
    const parts = parseMultipart(await readBody(req, limit), params.boundary);
    const file = parts.get('file');
    if (!file) throw new HttpError(400, 'bad_request', text('multipart 请求体须有名为 "file" 的部分（CSV 格式的数据资源还须有 "items"）', 'the multipart body needs a part named "file" (and "items" for resources as CSV)'), { parts: [...parts.keys()] });
    const items = parts.get('items');
    return { file, ...(items ? { items } : {}) };
  }
  if (!RAW_TYPES.includes(type) || req.readableEnded) {
    throw new HttpError(415, 'unsupported_media_type', text(
        `请以原始请求体（xlsx、text/csv 或 application/octet-stream）或 multipart/form-data 发送文件，而不是 ${type}`,
        `send the file as the raw body (xlsx, text/csv or application/octet-stream) or as multipart/form-data, not ${type}`,
      ), { accepted: [...RAW_TYPES, 'multipart/form-data'] });
  }
  const data = await readBody(req, limit);
  const disposition = req.get('content-disposition');
  const filename = disposition ? /filename="?([^";]+)"?/i.exec(disposition)?.[1] : undefined;
  return { file: { data, ...(filename ? { filename } : {}), ...(params.charset ? { charset: params.charset } : {}) } };
}
