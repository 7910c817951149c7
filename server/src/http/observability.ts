import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import pino, { type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import client from 'prom-client';
import { HttpError, type ErrorBody } from './errors.ts';

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'odx' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** Request id: the caller's X-Request-Id when it looks sane, else a new UUID; echoed in the response and every log line. */
export function requestLogging(log: Logger) {
  return pinoHttp({
    logger: log,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    serializers: {
      req: (req) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res) => ({ statusCode: res.statusCode }),
    },
  });
}

export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'odx_' });
  const duration = new client.Histogram({
    name: 'odx_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const end = duration.startTimer({ method: req.method });
    res.on('finish', () => end({ route: req.route?.path ?? 'unmatched', status: String(res.statusCode) }));
    next();
  };
  return { registry, middleware };
}

const PG_CONFLICT: Record<string, [number, string]> = {
  '23505': [409, 'conflict'],
  '23503': [409, 'conflict'],
  '23514': [422, 'unprocessable'],
  '22P02': [400, 'bad_request'],
};

/** The one error handler: every failure becomes `{ error: { code, message, details, requestId } }`. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const requestId = String(req.id ?? '');
    let status = 500;
    let body: ErrorBody['error'] = { code: 'internal', message: 'internal error', requestId };
    const e = err as { status?: number; type?: string; code?: string; message?: string; detail?: string; constraint?: string };
    if (err instanceof HttpError) {
      status = err.status;
      body = { code: err.code, message: err.message, details: err.details, requestId };
    } else if (e.type === 'entity.too.large') {
      status = 413;
      body = { code: 'payload_too_large', message: 'the request body is larger than allowed', requestId };
    } else if (e.type === 'entity.parse.failed') {
      status = 400;
      body = { code: 'bad_request', message: `the body is not valid JSON: ${e.message}`, requestId };
    } else if (e.code && PG_CONFLICT[e.code]) {
      [status] = PG_CONFLICT[e.code];
      body = { code: PG_CONFLICT[e.code][1], message: e.detail ?? e.message ?? 'constraint violated', details: { constraint: e.constraint }, requestId };
    }
    if (status >= 500) log.error({ err, requestId }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(status).json({ error: body });
  };
}
