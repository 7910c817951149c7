/**
 * The binary-COPY encoders of downloads against PostgreSQL itself: NDJSON/JSON must be what
 * `to_json` of the row writes, byte for byte, and Arrow must hold exactly the values PostgreSQL
 * holds — for every awkward value of every type, at every chunk boundary.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { expect } from 'chai';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { tableFromIPC } from 'apache-arrow';
import { ArrowWriter, arrowSchema, arrowSelect } from '../../server/src/data/arrow.ts';
import { CopyBinaryReader } from '../../server/src/data/copy-binary.ts';
import { JsonWriter, jsonColumn } from '../../server/src/data/json-lines.ts';
import type { ViewColumn } from '../../server/src/data/view.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';

/** Column name, item type, SQL type, and the values (SQL literals) of the edge table. */
const COLUMNS: [string, string, string, string[]][] = [
  ['txt', 'C', 'text', [
    `'plain'`, `''`, `'say "hi"'`, `E'back\\\\slash \\\\n not a newline'`, `E'line1\\nline2\\r\\nline3'`, `E'tab\\there'`,
    `E'bell\\x07 esc\\x1b unit\\x1f del\\x7f'`, `E'\\b\\f'`, `'滨海市"鑫源"贸易有限公司'`, `'emoji 😀 and 𠮷'`, `'é ü ß ﬁ'`, `E'\\\\u0000 literally'`, `'/slash/ <tag> & ''quote'''`, 'null',
  ]],
  ['memo', 'M', 'text', [`repeat('长文本', 3000)`, `E'{"json": "inside", "n": [1,2]}'`]],
  ['amount', 'N', 'numeric(20,4)', ['0', '-0.0000', '1234.5000', '-99999999.9999', '0.0001', 'null']],
  ['wide', 'N', 'numeric', [`'NaN'`, `'Infinity'`, `'-Infinity'`, '12345678901234567890.123456789', '1e-20', '0']],
  ['count4', 'I', 'integer', ['0', '-1', '2147483647', '-2147483648', 'null']],
  ['count8', 'I', 'bigint', ['9223372036854775807', '-9223372036854775808', '9007199254740993', '-42', 'null']],
  ['ratio', 'F', 'double precision', [
    '0', `'-0'`, '0.1', '1e-5', '1e-4', '0.00012345', '123.456', '1e15', '999999999999999', '1e21', '1.7976931348623157e308', '5e-324', '-2.5e-7',
    `'NaN'`, `'Infinity'`, `'-Infinity'`, '22.610366', 'null',
  ]],
  ['day', 'D', 'date', [
    `'2000-01-01'`, `'1999-12-31'`, `'1970-01-01'`, `'2000-02-29'`, `'1900-03-01'`, `'0001-01-01'`, `'0044-03-15 BC'`, `'4713-11-24 BC'`,
    `'9999-12-31'`, `'10000-01-01'`, `'5874897-12-31'`, `'infinity'`, `'-infinity'`, `'2024-02-29'`, 'null',
  ]],
  ['at', 'T', 'timestamptz', [`'2019-03-15 08:30:00.123456+08'`, `'1969-12-31 23:59:59.999999+00'`, `'2000-01-01 00:00:00+00'`, `'infinity'`, `'-infinity'`, `'1900-01-01 00:00:00.0005+00'`, 'null',
    `'2284-12-31 23:59:59.999999+00'`, `'1715-06-01 00:00:00.000001+00'`, `'4713-01-01 00:00:00.000001+00 BC'`, `'100000-01-01 00:00:00.000001+00'`, `'1999-12-31 23:59:59.9995+00'`]],
  ['flag', 'L', 'boolean', ['true', 'false', 'null']],
  ['blob', 'G', 'bytea', [`'\\x00ff10'`, `''::bytea`, `decode(repeat('ab', 100), 'hex')`, 'null']],
];

const ROWS = Math.max(...COLUMNS.map((c) => c[3].length));

function viewColumns(): ViewColumn[] {
  return COLUMNS.map(([name, type]) => ({
    name,
    item: { name, label: name, type } as never,
    select: type === 'G' ? `encode("${name}", 'base64')` : `"${name}"`,
    masked: false,
  }));
}

/** Runs a COPY and collects its bytes. */
async function copyOut(client: pg.Client, sql: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(client.query(copyStreams.to(sql)), new Writable({ write(c: Buffer, _e, cb) { chunks.push(c); cb(); } }));
  return Buffer.concat(chunks);
}

/** Feeds `bytes` cut into chunks of `size` through a transform and collects what it writes. */
async function through(t: NodeJS.ReadWriteStream, bytes: Buffer, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  const out: Buffer[] = [];
  for await (const c of Readable.from(chunks).pipe(t)) out.push(Buffer.from(c as Buffer));
  return Buffer.concat(out);
}

describe('download encoders: binary COPY to NDJSON, JSON and Arrow, against PostgreSQL', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let client: pg.Client;

  before(async () => {
    db = await freshDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    // one row per value position; a column shorter than the longest gets nulls
    await client.query(`create temporary table edge (n int, ${COLUMNS.map(([name, , t]) => `"${name}" ${t}`).join(', ')})`);
    for (let r = 0; r < ROWS; r++) {
      await client.query(`insert into edge values (${r}, ${COLUMNS.map(([, , t, v]) => (r < v.length ? `(${v[r]})::${t}` : 'null')).join(', ')})`);
    }
    // a session time zone other than UTC: date-times must still be written as to_json writes them
    await client.query(`set timezone = 'Asia/Shanghai'`);
  });
  after(async () => {
    await client.end();
    await db.drop();
  });

  const columns = viewColumns();
  const jsonSql = () => `copy (select ${columns.map((c) => jsonColumn(c).sql).join(', ')} from edge order by n) to stdout with (format binary)`;

  it('writes NDJSON exactly as to_json writes each row, whatever the chunk size', async () => {
    const expected = (await client.query(`select to_json(d)::text as j from (select ${columns.map((c) => `${c.select} as "${c.name}"`).join(', ')} from edge order by n) d`)).rows
      .map((r: { j: string }) => `${r.j}\n`)
      .join('');
    const binary = await copyOut(client, jsonSql());
    const json = columns.map(jsonColumn);
    for (const size of [1, 2, 3, 5, 7, 19, 64, 1000, binary.length]) {
      const out = await through(new JsonWriter(json, false), binary, size);
      expect(out.toString('utf8'), `chunks of ${size}`).to.equal(expected);
    }
    // and every line parses back to the values JSON.parse reads from to_json
    const lines = expected.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[1].txt).to.equal('');
    expect(lines[3].txt).to.equal('back\\slash \\n not a newline');
    expect(lines[4].txt).to.equal('line1\nline2\r\nline3');
    expect(lines[13].txt).to.equal(null);
    expect(lines[1].ratio).to.equal(-0);
    expect(lines[13].ratio).to.equal('NaN');
  });

  it('escapes random strings and writes every date as to_json does', async () => {
    // strings drawn from a palette of everything escaping cares about, at random lengths and positions
    const palette = ['a', 'Z', ' ', '"', '\\', '/', '\n', '\r', '\t', '\b', '\f', '\u0001', '\u001f', '\u007f', 'é', '中', '😀', '\u2028', '""', '\\u'];
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const strings = Array.from({ length: 400 }, () => Array.from({ length: rnd(24) }, () => palette[rnd(palette.length)]).join(''));
    await client.query('create temporary table fuzz (n int, s text, d date)');
    await client.query(`insert into fuzz select i, s, null from unnest($1::text[]) with ordinality as u(s, i)`, [strings]);
    // every day of 1899-12-01 .. 2100-02-01 (the writer's table and both sides of it), and some far away
    await client.query(`insert into fuzz select 1000 + i, null, date '1899-12-01' + i from generate_series(0, 73200) i`);
    await client.query(`insert into fuzz values (200000, null, '0001-12-31 BC'), (200001, null, '12345-06-07'), (200002, null, '1582-10-04')`);
    const cols: ViewColumn[] = [
      { name: 's', item: { name: 's', label: 's', type: 'M' } as never, select: '"s"', masked: false },
      { name: 'd', item: { name: 'd', label: 'd', type: 'D' } as never, select: '"d"', masked: false },
    ];
    const expected = (await client.query('select to_json(f)::text as j from (select s, d from fuzz order by n) f')).rows.map((r: { j: string }) => `${r.j}\n`).join('');
    const binary = await copyOut(client, `copy (select ${cols.map((c) => jsonColumn(c).sql).join(', ')} from fuzz order by n) to stdout with (format binary)`);
    for (const size of [5, 4096]) {
      const out = (await through(new JsonWriter(cols.map(jsonColumn), false), binary, size)).toString('utf8');
      expect(out === expected, `chunks of ${size}`).to.equal(true);
    }
  });

  it('writes one JSON array of the same objects, and [] when there are no rows', async () => {
    const binary = await copyOut(client, jsonSql());
    const json = columns.map(jsonColumn);
    const lines = (await through(new JsonWriter(json, false), binary, 4096)).toString('utf8').trim().split('\n');
    for (const size of [1, 7, binary.length]) {
      const out = (await through(new JsonWriter(json, true), binary, size)).toString('utf8');
      expect(out, `chunks of ${size}`).to.equal(`[${lines.join(',\n')}\n]\n`);
      expect(JSON.parse(out)).to.deep.equal(lines.map((l) => JSON.parse(l)));
    }
    const none = await copyOut(client, `copy (select ${columns.map((c) => jsonColumn(c).sql).join(', ')} from edge where false) to stdout with (format binary)`);
    expect((await through(new JsonWriter(json, true), none, 3)).toString()).to.equal('[\n]\n');
    expect((await through(new JsonWriter(json, false), none, 3)).toString()).to.equal('');
  });

  it('writes Arrow holding exactly the database values, in batches, whatever the chunk size', async () => {
    const schema = arrowSchema(columns);
    const binary = await copyOut(client, `copy (select ${columns.map(arrowSelect).join(', ')} from edge order by n) to stdout with (format binary)`);
    const whole = await through(new ArrowWriter(schema, 4), binary, binary.length);
    for (const size of [1, 3, 8, 333]) expect((await through(new ArrowWriter(schema, 4), binary, size)).equals(whole), `chunks of ${size}`).to.equal(true);
    const table = tableFromIPC(whole);
    expect(table.batches.length).to.equal(Math.ceil(ROWS / 4));
    // a batch also ends when its values reach the byte cap (the 27 KB memo in row 0 fills one on its own)
    const capped = tableFromIPC(await through(new ArrowWriter(schema, 1000, 20_000), binary, 4096));
    expect(capped.batches.map((b) => b.numRows)).to.deep.equal([1, ROWS - 1]);
    expect(capped.toArray().map((r) => r.toJSON())).to.deep.equal(table.toArray().map((r) => r.toJSON()));
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).to.deep.equal(schema.fields.map((f) => `${f.name}:${f.type}`));
    // what the database holds, as text and as numbers it computes itself
    const truth = (await client.query(`select ${COLUMNS.map(([name, type]) => {
      const q = `"${name}"`;
      if (type === 'D') return `case when ${q} in ('infinity', '-infinity') then null else ${q} - date '1970-01-01' end as "${name}"`;
      if (type === 'T') return `case when ${q} in ('infinity', '-infinity') then null else floor(extract(epoch from ${q}) * 1000)::int8::text end as "${name}"`;
      if (type === 'G') return `encode(${q}, 'hex') as "${name}"`;
      return `${q}::text as "${name}"`;
    }).join(', ')} from edge order by n`)).rows as Record<string, string | number | boolean | null>[];
    for (let r = 0; r < ROWS; r++) {
      const row = table.get(r)!.toJSON() as Record<string, unknown>;
      for (const [name, type] of COLUMNS) {
        const want = truth[r][name];
        const got = row[name];
        const where = `${name} in row ${r}`;
        if (want === null) {
          expect(got, where).to.equal(null);
          continue;
        }
        switch (type) {
          case 'I':
            expect(got, where).to.equal(BigInt(want as string));
            break;
          case 'F':
            expect(Object.is(got, Number(want === 'Infinity' ? Infinity : want === '-Infinity' ? -Infinity : want)), `${where}: ${got} vs ${want}`).to.equal(true);
            break;
          case 'D':
            expect(table.getChild(name)!.data[Math.floor(r / 4)].values[r % 4], where).to.equal(want);
            break;
          case 'T':
            expect(got, where).to.equal(Number(want));
            break;
          case 'L':
            expect(got, where).to.equal(want === 'true');
            break;
          case 'G':
            expect(Buffer.from(got as Uint8Array).toString('hex'), where).to.equal(want);
            break;
          default:
            expect(got, where).to.equal(want);
        }
      }
    }
  });

  it('writes an Arrow stream with the schema and no batch when there are no rows', async () => {
    const schema = arrowSchema(columns);
    const none = await copyOut(client, `copy (select ${columns.map(arrowSelect).join(', ')} from edge where false) to stdout with (format binary)`);
    const table = tableFromIPC(await through(new ArrowWriter(schema), none, 5));
    expect(table.numRows).to.equal(0);
    expect(table.schema.fields.map((f) => f.name)).to.deep.equal(COLUMNS.map((c) => c[0]));
  });

  it('reads rows longer than many chunks, and refuses a stream cut short', async () => {
    const big = 'x'.repeat(3_000_000);
    const binary = await copyOut(client, `copy (select '${big}'::text, 1::int8 union all select 'after', 2) to stdout with (format binary)`);
    const seen: [number, number][] = [];
    const reader = new CopyBinaryReader(2, (_buf, pos, len) => seen.push([len[0], len[1]]));
    for (let i = 0; i < binary.length; i += 65_536) reader.push(binary.subarray(i, i + 65_536));
    reader.end();
    expect(seen).to.deep.equal([[3_000_000, 8], [5, 8]]);

    const cut = new CopyBinaryReader(2, () => undefined);
    cut.push(binary.subarray(0, binary.length - 10));
    expect(() => cut.end()).to.throw(/ended early/);
    expect(() => new CopyBinaryReader(3, () => undefined).push(binary)).to.throw(/expected 3/);
    expect(() => new CopyBinaryReader(2, () => undefined).push(Buffer.from('id,name\n1,x\n1234567890'))).to.throw(/not a binary COPY/);
  });
});
