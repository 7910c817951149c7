import http from 'node:http';
import type { Knex } from 'knex';
import { pageJson, queryRows, type RowQuery } from '../../../server/src/data/query.ts';
import { auditRead } from '../../../server/src/data/reads.ts';
import type { DataView } from '../../../server/src/data/view.ts';
import { listenLocal } from './listen.ts';

/**
 * The floor of a row lookup on this machine, to measure the API against in the same run: a bare
 * node:http server that answers each `…?filter[key]=value` with the API's own query function
 * (queryRows: the same statement on the same prepared-statement connections) and writes the page
 * back as the API does — no routing, headers, metrics or caches. With `audit`, it also records
 * each read as the API does (auditRead), so the two floors part what the read audit costs from
 * what the rest of the API does. `query` is one request's parsed query; the others differ only in
 * the key's value.
 */
export async function lookupFloor(
  knex: Knex,
  view: DataView,
  query: RowQuery,
  audit?: { id: number; department_id: number; code: string },
): Promise<{ base: string; close(): Promise<void> }> {
  if (query.filters.length !== 1) throw new Error('the floor serves lookups by one key only');
  const lookup = async (key: string) => {
    const read = { ...query, filters: [{ ...query.filters[0], value: key }] };
    const page = await queryRows(knex, view, read);
    if (audit) await auditRead(knex, { actor: { kind: 'anonymous', label: 'anonymous' } }, { action: 'dataset.rows', resource: audit, view, query: read, rows: page.items.length });
    return pageJson(page, { version: view.version });
  };
  const server = http.createServer((req, res) => {
    lookup(decodeURIComponent(req.url!.slice(req.url!.lastIndexOf('=') + 1))).then(
      (body) => {
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      },
      (err: Error) => {
        res.writeHead(500);
        res.end(err.message);
      },
    );
  });
  const base = await listenLocal(server);
  return {
    base,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
