import type { Response } from 'express';

/**
 * A JSON body that is already text (rows written as JSON by PostgreSQL), sent as it is: Express's
 * res.send would parse the content type back to set its charset on every response.
 */
export function sendJsonText(res: Response, text: string): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
