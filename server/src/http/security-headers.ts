import type { Request, Response } from 'express';
import type { RequestStage } from './serve.ts';
import helmet from 'helmet';

/**
 * helmet's protective headers (CSP, HSTS, nosniff, frame options, …), worked out once at start:
 * they are the same for every response, and helmet's thirteen middlewares per request cost more
 * than setting the headers.
 */
export function securityHeaders(): RequestStage {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => void headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  let synchronous = false;
  helmet()({} as Request, recorder as unknown as Response, () => (synchronous = true));
  if (!synchronous) throw new Error('helmet no longer sets its headers synchronously; mount it as a middleware instead');
  return (_req, res) => {
    for (const [name, value] of headers) res.setHeader(name, value);
  };
}
