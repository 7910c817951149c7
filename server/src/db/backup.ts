import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { chainPending } from '../audit/chain.ts';
import type { HeadSigner, SignedHead } from '../audit/signing.ts';
import type { Database } from './connect.ts';
import { schemaState } from './migrate.ts';
import { APP_ROLE } from './roles.ts';

/**
 * `odx backup` and `odx restore` (docs/operations.md, "Backups"). The embedded package ships no
 * pg_dump, so a backup is logical: every table of schemas `odx` and `data`, each as COPY text
 * read inside one REPEATABLE READ snapshot, with the installation's signing key and the chain's
 * head as of that snapshot, signed. A file is gzip of: one JSON line (the manifest), then for
 * each table in the manifest's order its COPY data in length-prefixed chunks ("<n>\n" and n
 * bytes), ended by "0\n". Restoring loads it into an empty installation of the same schema and
 * checks the chain against the head the backup signed.
 */
export interface Manifest {
  format: 'odx-backup';
  version: 1;
  createdAt: string;
  migrations: string[];
  head: SignedHead;
  /** Files of $ODX_HOME the installation cannot be restored without: the audit signing key (Ed25519, or SM2 in the 国密 suite). */
  keys: Record<string, string>;
  tables: { name: string; columns: string[]; ddl?: string }[];
}

const SKIP = new Set(['odx.knex_migrations', 'odx.knex_migrations_lock']);

/** Tables of `odx` and `data` in an order that loads without breaking a foreign key (referenced first). */
async function tablesInOrder(client: pg.ClientBase): Promise<{ name: string; columns: string[]; ddl?: string }[]> {
  const { rows } = await client.query(`
    select c.oid, n.nspname || '.' || c.relname as name,
      array(select quote_ident(a.attname) from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped order by a.attnum) as columns,
      array(select distinct f.confrelid from pg_constraint f where f.conrelid = c.oid and f.contype = 'f' and f.confrelid <> c.oid) as refs
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('odx', 'data') and c.relkind in ('r', 'p')
    order by n.nspname desc, c.relname`);
  const byOid = new Map<number, (typeof rows)[number]>(rows.map((r) => [r.oid, r]));
  const ordered: typeof rows = [];
  const placed = new Set<number>();
  const place = (r: (typeof rows)[number]) => {
    if (placed.has(r.oid)) return;
    placed.add(r.oid);
    for (const ref of r.refs as number[]) if (byOid.has(ref)) place(byOid.get(ref)!);
    ordered.push(r);
  };
  rows.forEach(place);
  const out = [];
  for (const r of ordered.filter((t) => !SKIP.has(t.name))) {
    // the version tables are made by loads, not migrations: their definition travels with them
    out.push({ name: r.name, columns: r.columns, ...(r.name.startsWith('data.') ? { ddl: await tableDdl(client, r.oid, r.name) } : {}) });
  }
  return out;
}

async function tableDdl(client: pg.ClientBase, oid: number, name: string): Promise<string> {
  const cols = await client.query(
    `select quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
       || case when a.attcollation <> t.typcollation then ' collate ' || quote_ident(co.collname) else '' end
       || case when a.attnotnull then ' not null' else '' end as def,
       col_description(a.attrelid, a.attnum) as label, quote_ident(a.attname) as col
     from pg_attribute a join pg_type t on t.oid = a.atttypid left join pg_collation co on co.oid = a.attcollation
     where a.attrelid = $1 and a.attnum > 0 and not a.attisdropped order by a.attnum`,
    [oid],
  );
  const keys = await client.query(`select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = $1 and contype = 'p'`, [oid]);
  const lines = [...cols.rows.map((c) => c.def), ...keys.rows.map((k) => k.def)];
  const comments = cols.rows.filter((c) => c.label !== null).map((c) => `comment on column ${name}.${c.col} is ${client.escapeLiteral(c.label)};`);
  return [`create table ${name} (${lines.join(', ')});`, ...comments].join('\n');
}

/** Writes a consistent backup of the installation to `file` (mode 0600: it holds the signing key). Returns its manifest. */
export async function backupTo(db: Database, homeDir: string, signer: HeadSigner, file: string): Promise<Manifest> {
  await chainPending(db.knex);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const gzip = createGzip();
  const out = fs.createWriteStream(file, { mode: 0o600, flags: 'wx' });
  const written = pipeline(gzip, out);
  try {
    await client.query('begin isolation level repeatable read read only');
    const head = (await client.query('select seq, hash from odx.audit_head')).rows[0];
    const manifest: Manifest = {
      format: 'odx-backup',
      version: 1,
      createdAt: new Date().toISOString(),
      migrations: (await client.query('select name from odx.knex_migrations order by id')).rows.map((r) => r.name),
      head: signer.sign(head),
      keys: { [signer.keyFile]: await fsp.readFile(path.join(homeDir, signer.keyFile), 'utf8') },
      tables: await tablesInOrder(client),
    };
    await write(gzip, JSON.stringify(manifest) + '\n');
    for (const t of manifest.tables) {
      const source = client.query(copyStreams.to(`copy (select ${t.columns.join(', ')} from ${t.name}) to stdout`));
      for await (const chunk of source as AsyncIterable<Buffer>) {
        await write(gzip, `${chunk.length}\n`);
        await write(gzip, chunk);
      }
      await write(gzip, '0\n');
    }
    await client.query('commit');
    gzip.end();
    await written;
    return manifest;
  } catch (err) {
    gzip.destroy();
    await written.catch(() => undefined);
    await fsp.rm(file, { force: true });
    throw err;
  } finally {
    await client.end();
  }
}

function write(stream: Writable, data: string | Buffer): Promise<void> {
  return stream.write(data) ? Promise.resolve() : new Promise((resolve) => stream.once('drain', resolve));
}

/** Reads lines and length-prefixed chunks from a stream. */
class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  private readonly it: AsyncIterator<Buffer>;
  constructor(source: Readable) {
    this.it = source[Symbol.asyncIterator]();
  }
  private async more(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done) {
      this.done = true;
      return false;
    }
    this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    return true;
  }
  async line(): Promise<string> {
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl >= 0) {
        const line = this.buf.subarray(0, nl).toString('utf8');
        this.buf = this.buf.subarray(nl + 1);
        return line;
      }
      if (!(await this.more())) throw new Error('the backup ends early: it is cut off or not an odx backup');
    }
  }
  async bytes(n: number): Promise<Buffer> {
    while (this.buf.length < n) if (!(await this.more())) throw new Error('the backup ends early: it is cut off');
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
}

export class RestoreRefused extends Error {}

/**
 * Loads a backup into an empty installation (migrated, nothing recorded yet), as the schema's
 * owner, in one transaction: either all of it is there afterwards or none. The signing key is
 * written to $ODX_HOME unless the same key is there. The caller then verifies the chain against
 * the manifest's head.
 */
export async function restoreFrom(db: Database, homeDir: string, file: string): Promise<Manifest> {
  const reader = new FrameReader(fs.createReadStream(file).pipe(createGunzip()));
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await reader.line());
  } catch (err) {
    throw new RestoreRefused(`${file} is not an odx backup: ${(err as Error).message}`);
  }
  if (manifest.format !== 'odx-backup' || manifest.version !== 1) throw new RestoreRefused(`${file} is not an odx backup (format ${manifest.format} ${manifest.version})`);
  const applied = (await schemaState(db.knex)).applied;
  if (applied.join() !== manifest.migrations.join()) {
    throw new RestoreRefused(`the backup's schema (${manifest.migrations.at(-1)}) is not this installation's (${applied.at(-1) ?? 'none'}): restore with the ODX version that made it, then upgrade`);
  }
  const used = await db.knex.raw(`select (select seq from odx.audit_head) as seq, exists (select from odx.audit_pending) as pending, exists (select from odx.principals) as principals`);
  const state = used.rows[0];
  if (state.seq > 0 || state.pending || state.principals) {
    throw new RestoreRefused(`the installation is not empty (audit head at seq ${state.seq}${state.principals ? ', accounts exist' : ''}): restore into a new ODX_HOME or database`);
  }
  for (const [name, content] of Object.entries(manifest.keys)) {
    const target = path.join(homeDir, name);
    const existing = await fsp.readFile(target, 'utf8').catch(() => undefined);
    if (existing !== undefined && existing !== content) throw new RestoreRefused(`${target} holds another key than the backup's: restore into a new ODX_HOME`);
  }
  const client = new pg.Client({ connectionString: db.ownerUrl });
  await client.connect();
  try {
    await client.query('begin');
    const odxTables = manifest.tables.filter((t) => !t.ddl).map((t) => t.name);
    // the dump holds what the triggers would derive (facet counts, the head) and events past their guards: load it as it was
    for (const t of odxTables) await client.query(`alter table ${t} disable trigger user`);
    for (const t of [...odxTables].reverse()) await client.query(`delete from ${t}`);
    for (const t of manifest.tables) {
      if (t.ddl) await client.query(`${t.ddl}\nalter table ${t.name} owner to ${APP_ROLE};`);
      const sink = client.query(copyStreams.from(`copy ${t.name} (${t.columns.join(', ')}) from stdin`)) as unknown as Writable;
      const done = new Promise<void>((resolve, reject) => {
        sink.once('finish', resolve);
        sink.once('error', reject);
      });
      for (;;) {
        const n = Number(await reader.line());
        if (!Number.isInteger(n) || n < 0) throw new RestoreRefused(`the backup is damaged in table ${t.name}`);
        if (n === 0) break;
        await write(sink, await reader.bytes(n));
      }
      sink.end();
      await done;
    }
    for (const t of odxTables) await client.query(`alter table ${t} enable trigger user`);
    // identities continue after the restored rows
    await client.query(`
      do $$ declare s record; begin
        for s in select a.attrelid::regclass as tbl, quote_ident(a.attname) as col, pg_get_serial_sequence(a.attrelid::regclass::text, a.attname) as seq
                 from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
                 where n.nspname = 'odx' and a.attidentity <> '' loop
          execute format('select setval(%L, coalesce((select max(%s) from %s), 0) + 1, false)', s.seq, s.col, s.tbl);
        end loop;
      end $$`);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
  for (const [name, content] of Object.entries(manifest.keys)) {
    await fsp.mkdir(homeDir, { recursive: true });
    await fsp.writeFile(path.join(homeDir, name), content, { mode: 0o600 });
  }
  return manifest;
}
