import type { Response } from 'supertest';

/** Reads a binary response body (CSV with its BOM, .xlsx) as a Buffer: `.buffer(true).parse(binary)`. */
export const binary = (res: Response, cb: (err: Error | null, body: Buffer) => void) => {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
};
