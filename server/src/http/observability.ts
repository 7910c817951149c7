import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import pino, { type Logger } from 'pino';
import client from 'prom-client';
import { HttpError, Bilingual, languageOf, localized, text, type Problem, type ProblemCode } from './errors.ts';

/** The longest string a log line keeps of one value; a line stays a few KB whatever a request carried. */
export const LOG_STRING_MAX = 2048;

/** Strings cut to LOG_STRING_MAX (saying how long they were), objects to a few levels and 50 keys or items. */
function capped(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return v.length > LOG_STRING_MAX ? `${v.slice(0, LOG_STRING_MAX)}… (${v.length} characters)` : v;
  // an Error is capped by the err serializer, which sees its message and stack
  if (v === null || typeof v !== 'object' || v instanceof Date || v instanceof Error) return v;
  if (depth >= 6) return '[…]';
  if (Array.isArray(v)) return v.length > 50 ? [...v.slice(0, 50).map((x) => capped(x, depth + 1)), `… (${v.length} items)`] : v.map((x) => capped(x, depth + 1));
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, x] of Object.entries(v)) {
    if (n++ === 50) {
      out['…'] = `${Object.keys(v).length} keys`;
      break;
    }
    out[k] = capped(x, depth + 1);
  }
  return out;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'odx' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // an error's own fields (a statement, its parameters) can be megabytes: serialised, then capped
    serializers: { err: (e: Error) => capped(pino.stdSerializers.err(e)) },
    formatters: { log: (o) => capped(o) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? (capped(a) as string) : a)) as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

declare module 'http' {
  interface IncomingMessage {
    id?: string;
  }
}

const SANE_ID = /^[\w.:-]{1,128}$/;

/**
 * Request id: the caller's X-Request-Id when it looks sane, else a new UUID; echoed in the
 * response and in the one line logged when the response is done (level by status: info, warn
 * for 4xx and for a client that went away, error for 5xx). Written here rather than with pino-http, which builds a child
 * logger and serialises every request even when the level is off.
 */
export function requestLogging(log: Logger) {
  return (req: Request, res: Response): void => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    if (log.isLevelEnabled('info') || log.isLevelEnabled('warn') || log.isLevelEnabled('error')) {
      const start = process.hrtime.bigint();
      res.once('close', () => {
        const status = res.statusCode;
        const finished = res.writableFinished;
        const level = status >= 500 ? 'error' : status >= 400 || !finished ? 'warn' : 'info';
        if (!log.isLevelEnabled(level)) return;
        const responseTime = Math.round(Number(process.hrtime.bigint() - start) / 1e4) / 100;
        const message = !finished ? 'request aborted' : status >= 500 ? 'request errored' : 'request completed';
        log[level]({ req: { id, method: req.method, url: req.originalUrl }, res: { statusCode: status }, responseTime }, message);
      });
    }
  };
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
  const observe = (req: Request, res: Response): void => {
    const end = duration.startTimer({ method: req.method });
    res.on('finish', () => end({ route: req.route?.path ?? 'unmatched', status: String(res.statusCode) }));
  };
  return { registry, observe };
}

const PG_CONFLICT: Record<string, [number, ProblemCode]> = {
  '23505': [409, 'already_exists'],
  '23503': [409, 'reference_conflict'],
  '23514': [422, 'unprocessable'],
  '22P02': [400, 'bad_request'],
};

/** How long a caller should wait before trying again when the database cannot be reached. */
export const RETRY_AFTER_SECONDS = 5;

// connection refused or cut, the server shutting down or starting, too many connections, no connection from the pool in time
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300']);
// knex puts the statement before the driver's message ("select … - Connection terminated unexpectedly")
const UNAVAILABLE_MESSAGE = /(?:^|\s-\s)(Connection terminated|Knex: Timeout acquiring a connection|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly)/;

/**
 * Failures that are not the server's fault, whatever route met them: the database out of reach
 * (503 with Retry-After, class 08 and the codes above), and a value the database refused as data
 * (class 22: out of range, invalid text, bad encoding), which can only have come from the request
 * since stored values already have their type. Their message names no value: a data exception's
 * text can quote one.
 */
export function knownFailure(err: unknown): { status: number; code: ProblemCode; message: Bilingual; retryAfter?: number } | null {
  const e = err as { code?: unknown; message?: unknown; name?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  if (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || UNAVAILABLE_MESSAGE.test(message) || e?.name === 'KnexTimeoutError') {
    return { status: 503, code: 'unavailable', message: text('暂时无法连接数据库，请稍后再试', 'the database cannot be reached; try again shortly'), retryAfter: RETRY_AFTER_SECONDS };
  }
  if (/^22[0-9A-Z]{3}$/.test(code) && code !== '22P02') {
    return {
      status: 400,
      code: 'bad_request',
      message: text(`请求中的某个值不符合其列的类型或取值范围（SQLSTATE ${code}）`, `a value in the request does not fit its column's type or range (SQLSTATE ${code})`),
    };
  }
  return null;
}

/**
 * The one error handler: every failure becomes `{ error: { code, message, details, requestId } }`,
 * its message and details in the language of `Accept-Language` (Chinese unless English is asked
 * for), with `Content-Language` saying which and `Vary: Accept-Language` for caches.
 */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response): void => {
    const requestId = String(req.id ?? '');
    const lang = languageOf(req.get('accept-language'));
    let status = 500;
    let body: Problem = { code: 'internal', message: text('服务器内部错误', 'internal error').in(lang), requestId };
    const e = err as { status?: number; type?: string; code?: string; message?: string; detail?: string; constraint?: string };
    if (err instanceof HttpError) {
      status = err.status;
      body = { code: err.code, message: err.text.in(lang), details: localized(err.details, lang), requestId };
    } else if (e.type === 'entity.too.large') {
      status = 413;
      body = { code: 'payload_too_large', message: text('请求体超过允许的大小', 'the request body is larger than allowed').in(lang), requestId };
    } else if (e.type === 'entity.parse.failed') {
      status = 400;
      body = { code: 'bad_request', message: text(`请求体不是有效的 JSON：${e.message}`, `the body is not valid JSON: ${e.message}`).in(lang), requestId };
    } else if (e.code && PG_CONFLICT[e.code]) {
      [status] = PG_CONFLICT[e.code];
      // PostgreSQL's own detail names the key and value; it comes in the server's language (English)
      const said = e.detail ?? e.message;
      const message = said ? text(`数据库拒绝了此更改：${said}`, said) : text('违反了数据库约束', 'constraint violated');
      body = { code: PG_CONFLICT[e.code][1], message: message.in(lang), details: { constraint: e.constraint }, requestId };
    } else {
      const known = knownFailure(err);
      if (known) {
        status = known.status;
        body = { code: known.code, message: known.message.in(lang), requestId };
        if (known.retryAfter && !res.headersSent) res.setHeader('Retry-After', String(known.retryAfter));
      }
    }
    if (status >= 500) log[status === 503 ? 'warn' : 'error']({ err, requestId }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // a download that failed before its first byte answers with an error, not an attachment
    res.removeHeader('Content-Disposition');
    res.removeHeader('Content-Type');
    res.setHeader('Content-Language', lang === 'zh' ? 'zh-CN' : 'en');
    res.vary('Accept-Language');
    res.status(status).json({ error: body });
  };
}
