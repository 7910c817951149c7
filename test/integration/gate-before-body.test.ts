import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { testApp, type TestApp } from '../helpers/app.ts';

interface Answer {
  status: number;
  body: Record<string, any>;
  /** Bytes of the request body the client had written when the response arrived. */
  sentBeforeAnswer: number;
}

/**
 * POSTs a JSON body of `total` bytes in 64 KiB chunks, writing the next chunk only after the
 * previous one drained and stopping as soon as a response arrives: a server that read the body
 * before answering would take all of it first.
 */
function postSlowly(port: number, path: string, total: number, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(total), ...headers } });
    req.on('response', (res) => {
      answered = true;
      const sentBeforeAnswer = sent;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), sentBeforeAnswer });
      });
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    const head = Buffer.from('{"name":"');
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const write = () => {
      if (answered || sent >= total) return;
      const piece = sent === 0 ? head : chunk.subarray(0, Math.min(chunk.length, total - sent));
      sent += piece.length;
      if (req.write(piece)) setTimeout(write, 25);
      else req.once('drain', () => setTimeout(write, 25));
    };
    write();
  });
}

describe('the gate refuses a caller before reading its body', () => {
  let t: TestApp;
  let server: http.Server;
  let port: number;
  before(async () => {
    t = await testApp();
    server = t.server().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await t.close();
  });

  // 800 KB: under the 1 MB body limit, so a server that read first would read it all and then answer
  const size = 800 * 1024;

  it('answers 401 to an anonymous POST long before its body is sent', async () => {
    const answer = await postSlowly(port, '/api/v1/departments', size, {});
    expect(answer.status).to.equal(401);
    expect(answer.body.error.code).to.equal('unauthorized');
    expect(answer.sentBeforeAnswer).to.be.below(size / 2);
  });

  it('answers 401 to an unknown token and 403 to a role that may not call the route, before the body', async () => {
    const unknown = await postSlowly(port, '/api/v1/departments', size, { authorization: 'Bearer odx_not_a_token' });
    expect(unknown.status).to.equal(401);
    expect(unknown.sentBeforeAnswer).to.be.below(size / 2);
    const registrar = await postSlowly(port, '/api/v1/departments', size, t.auth('registrar'));
    expect(registrar.status).to.equal(403);
    expect(registrar.sentBeforeAnswer).to.be.below(size / 2);
  });

  it('still reads the body of a caller who may call the route (a bad one is 400 naming the field)', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/departments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...t.auth('admin') },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(res.status).to.equal(400);
    const body = (await res.json()) as Record<string, any>;
    expect(body.error.details.map((d: { path: string }) => d.path)).to.include('/uscc');
  });
});
