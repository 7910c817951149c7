import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Express, Request, Response } from 'express';
import { notFound, text } from './errors.ts';
import type { RouteTable } from './mount.ts';
import { parseQueryString } from './query-string.ts';

/** Work done for every request before its route (request id, headers, rate limits): it may answer, or throw. */
export type RequestStage = (req: Request, res: Response) => void | Promise<void>;

export type ErrorResponder = (err: unknown, req: Request, res: Response) => void;

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

const QUERY = Symbol('query');

export interface Served {
  /** The request listener, for http.createServer or supertest. */
  listener: RequestListener;
  /** An HTTP server (not yet listening) whose requests and responses are born with the helpers. */
  server(): http.Server;
}

/**
 * The request listener of the server: the steps in order, then the route, then the one error
 * responder. Handlers get Express's request and response helpers (res.json, req.ip, …) but not
 * its router: walking a stack of middleware layers, each matching the path again, cost more CPU
 * per request than a key lookup in the database. The helpers come as classes the server builds
 * its requests from, not as a prototype swapped on each request as Express does: a changed
 * prototype makes every later property access on the request slow, which tripled the cost of
 * a bare response (docs/architecture.md, "The hot read path").
 */
export function serveRequests(app: Express, steps: RequestStage[], routes: RouteTable, onError: ErrorResponder): Served {
  const { Req, Res } = helperClasses(app);
  const run = async (req: Request, res: Response) => {
    for (const step of steps) {
      const pending = step(req, res);
      if (pending) await pending;
      if (res.headersSent) return;
    }
    const found = routes.match(req.method, req.path);
    if (!found) throw notFound(text('此路径', 'this path'));
    req.params = found.params;
    req.route = found.route;
    await found.handle(req, res);
  };
  const listener: RequestListener = (message, response) => {
    // a server built elsewhere (supertest's) makes plain requests: give them the helpers the slow way
    if (!(message instanceof Req)) Object.setPrototypeOf(message, Req.prototype);
    if (!(response instanceof Res)) Object.setPrototypeOf(response, Res.prototype);
    const req = message as unknown as Request;
    const res = response as unknown as Response;
    req.res = res;
    req.originalUrl = req.url;
    run(req, res).catch((err: unknown) => {
      try {
        onError(err, req, res);
      } catch {
        res.destroy();
      }
    });
  };
  return {
    listener,
    server: () => http.createServer({ IncomingMessage: Req, ServerResponse: Res as unknown as typeof ServerResponse }, listener),
  };
}

/** Node's request and response classes with Express's helpers on their prototypes, and req.query parsed once per request. */
function helperClasses(app: Express) {
  class Req extends http.IncomingMessage {}
  Object.defineProperties(Req.prototype, {
    ...Object.getOwnPropertyDescriptors(Object.getPrototypeOf(app.request)),
    app: { value: app },
    // Express 5's getter parses the query string on every read
    query: {
      configurable: true,
      enumerable: true,
      get(this: Request & { [QUERY]?: unknown }) {
        if (this[QUERY] === undefined) {
          const at = this.url.indexOf('?');
          this[QUERY] = at === -1 ? {} : parseQueryString(this.url.slice(at + 1));
        }
        return this[QUERY];
      },
      set(this: Request & { [QUERY]?: unknown }, value: unknown) {
        this[QUERY] = value;
      },
    },
  });
  class Res extends http.ServerResponse {}
  Object.defineProperties(Res.prototype, { ...Object.getOwnPropertyDescriptors(Object.getPrototypeOf(app.response)), app: { value: app } });
  return { Req, Res };
}
