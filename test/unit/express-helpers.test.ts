/**
 * ODX borrows Express's request and response helpers by copying its prototypes onto Node's
 * classes (server/src/http/serve.ts) and never uses its router: internals no Express release
 * promises to keep. package.json pins Express's minor version; these tests call every helper ODX
 * uses, through both ways serve.ts hands them out (requests born with them, and plain requests
 * given them by prototype), so an upgrade that breaks one fails here and not in a request.
 */
import { expect } from 'chai';
import express, { type Request, type Response } from 'express';
import http from 'node:http';
import request from 'supertest';
import { jsonBody, type RouteTable } from '../../server/src/http/mount.ts';
import { serveRequests } from '../../server/src/http/serve.ts';

type Handler = (req: Request, res: Response) => void | Promise<void>;

const handlers: Record<string, Handler> = {
  'GET /json': (_req, res) => {
    res.status(201).json({ 汉字: '数据', n: 1 });
  },
  'GET /send-buffer': (_req, res) => {
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').attachment('数据清单模板.xlsx').send(Buffer.from([1, 2, 3]));
  },
  'GET /send-text': (_req, res) => {
    res.type('html').send('<p>ok</p>');
  },
  'GET /csv': (_req, res) => {
    res.status(200).attachment('一本账-2026.csv').type('text/csv; charset=utf-8');
    res.set({ 'X-Odx-Rows': '2' });
    res.set('Cache-Control', 'no-store');
    res.end('a,b\n1,2\n');
  },
  'GET /headers-sent': (_req, res) => {
    const before = res.headersSent;
    res.json({ before, after: res.headersSent });
  },
  'GET /negotiate': (req, res) => {
    const type = req.accepts(['application/ld+json', 'text/turtle', 'application/json']);
    res.vary('Accept');
    res.json({ type });
  },
  'POST /created': (_req, res) => {
    res.location('/api/v1/resources/1/loads/2');
    res.status(202).json({});
  },
  'GET /request': (req, res) => {
    res.json({ header: req.get('x-odx-Thing'), missing: req.get('x-none') ?? null, path: req.path, ip: req.ip, query: req.query });
  },
  'POST /is': (req, res) => {
    res.json({ form: req.is('application/x-www-form-urlencoded'), json: req.is('application/json') });
  },
  'POST /body': async (req, res) => {
    await new Promise<void>((resolve, reject) => jsonBody('1kb')(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
    res.json({ body: req.body });
  },
};

function makeServed() {
  const app = express();
  app.set('trust proxy', 'loopback');
  app.set('etag', false);
  const routes: RouteTable = {
    match(method, path) {
      const handle = handlers[`${method === 'HEAD' ? 'GET' : method} ${path}`];
      return handle ? { handle: async (req, res) => handle(req, res), params: {}, route: { path } } : undefined;
    },
  };
  return serveRequests(app, [], routes, (err, _req, res) => {
    const e = err as { status?: number; type?: string };
    res.status(e.status ?? 500).json({ type: e.type ?? 'other' });
  });
}

for (const way of ['requests born with the helpers (odx serve)', 'plain requests given the helpers (supertest)'] as const) {
  describe(`Express helpers ODX relies on, ${way}`, () => {
    let target: http.Server | ReturnType<typeof makeServed>['listener'];
    let server: http.Server | undefined;
    before(async () => {
      const served = makeServed();
      if (way.startsWith('requests born')) {
        server = served.server().listen(0, '127.0.0.1');
        await new Promise((resolve) => server!.once('listening', resolve));
        target = server;
      } else target = served.listener;
    });
    after(async () => {
      if (server) await new Promise((resolve) => server!.close(resolve));
    });

    it('res.status and res.json: the status, a JSON content type in UTF-8, the body', async () => {
      const res = await request(target).get('/json').expect(201);
      expect(res.headers['content-type']).to.equal('application/json; charset=utf-8');
      expect(res.body).to.deep.equal({ 汉字: '数据', n: 1 });
    });

    it('res.type, res.attachment and res.send: a binary body with its type and a UTF-8 file name', async () => {
      const res = await request(target)
        .get('/send-buffer')
        .buffer(true)
        .parse((r, done) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(res.headers['content-type']).to.equal('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(res.headers['content-disposition']).to.equal(`attachment; filename="??????.xlsx"; filename*=UTF-8''${encodeURIComponent('数据清单模板.xlsx')}`);
      expect([...(res.body as Buffer)]).to.deep.equal([1, 2, 3]);
      expect(res.headers['content-length']).to.equal('3');
    });

    it('res.type with a short name and res.send of a string', async () => {
      const res = await request(target).get('/send-text').expect(200);
      expect(res.headers['content-type']).to.equal('text/html; charset=utf-8');
      expect(res.text).to.equal('<p>ok</p>');
    });

    it('res.attachment then res.type keeps the given type; res.set takes an object or a name and value', async () => {
      const res = await request(target).get('/csv').expect(200);
      expect(res.headers['content-type']).to.equal('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).to.contain(`filename*=UTF-8''${encodeURIComponent('一本账-2026.csv')}`);
      expect(res.headers['x-odx-rows']).to.equal('2');
      expect(res.headers['cache-control']).to.equal('no-store');
      expect(res.text).to.equal('a,b\n1,2\n');
    });

    it('res.headersSent is false before an answer (and no ETag is added)', async () => {
      const res = await request(target).get('/headers-sent').expect(200);
      expect(res.body.before).to.equal(false);
      expect(res.headers.etag).to.equal(undefined);
    });

    it('req.accepts picks by the Accept header and res.vary names it', async () => {
      const turtle = await request(target).get('/negotiate').set('Accept', 'text/turtle').expect(200);
      expect(turtle.body.type).to.equal('text/turtle');
      expect(turtle.headers.vary).to.equal('Accept');
      const none = await request(target).get('/negotiate').set('Accept', 'image/png').expect(200);
      expect(none.body.type).to.equal(false);
      const any = await request(target).get('/negotiate').expect(200);
      expect(any.body.type).to.equal('application/ld+json');
    });

    it('res.location sets the Location header', async () => {
      const res = await request(target).post('/created').expect(202);
      expect(res.headers.location).to.equal('/api/v1/resources/1/loads/2');
    });

    it('req.get (any case), req.path, req.ip behind a loopback proxy, and req.query', async () => {
      const res = await request(target).get('/request?a=1&filter[k][eq]=v').set('X-ODX-thing', 'yes').set('X-Forwarded-For', '203.0.113.9').expect(200);
      expect(res.body).to.deep.equal({ header: 'yes', missing: null, path: '/request', ip: '203.0.113.9', query: { a: '1', filter: { k: { eq: 'v' } } } });
    });

    it('req.is matches the request content type', async () => {
      const form = await request(target).post('/is').type('form').send('a=1').expect(200);
      expect(form.body).to.deep.equal({ form: 'application/x-www-form-urlencoded', json: false });
      const json = await request(target).post('/is').send({ a: 1 }).expect(200);
      expect(json.body).to.deep.equal({ form: false, json: 'application/json' });
    });

    it('express.json parses a body and reports bad JSON and a too large body by the error types ODX maps', async () => {
      const ok = await request(target).post('/body').send({ 名称: 'x' }).expect(200);
      expect(ok.body).to.deep.equal({ body: { 名称: 'x' } });
      const bad = await request(target).post('/body').set('content-type', 'application/json').send('{"a":').expect(400);
      expect(bad.body).to.deep.equal({ type: 'entity.parse.failed' });
      const big = await request(target).post('/body').send({ a: 'x'.repeat(2000) }).expect(413);
      expect(big.body).to.deep.equal({ type: 'entity.too.large' });
    });
  });
}

describe('the Express version ODX runs on', () => {
  it('is the minor version package.json pins', async () => {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { dependencies: Record<string, string> };
    const installed = JSON.parse(await readFile('node_modules/express/package.json', 'utf8')) as { version: string };
    const pinned = /^~(\d+\.\d+)\.\d+$/.exec(pkg.dependencies.express);
    expect(pinned, 'express is pinned to a minor version (~x.y.z)').to.not.equal(null);
    expect(installed.version.startsWith(`${pinned![1]}.`)).to.equal(true);
  });
});
