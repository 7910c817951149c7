/**
 * `npm run bench:load` — the loader against the physical limit of this machine.
 *
 * Generates a 1,000,000-row enterprise register CSV (valid 统一社会信用代码, Chinese names, money, dates,
 * district codes, status, phones, coordinates) in the temp directory, then in one run times
 *   (a) raw `COPY ... FROM STDIN (FORMAT csv)` of the file into a plain table of the same column types,
 *   (b) the full ODX load (loadFile) with every check on: required, lengths, enum, pattern, checked
 *       identifiers, numeric ranges, the key (primary key, duplicate detection), the quality profile;
 * alternating (a) and (b) BENCH_REPEAT times (default 3) and comparing medians. It also loads the same
 * data encoded as GB18030 and (BENCH_XLSX_ROWS rows, default 100,000) as .xlsx, and with BENCH_GB=1 a
 * ~1 GB CSV to check that memory stays flat. Then the file shapes of test/bench/lib/shapes.ts
 * (BENCH_SHAPE_ROWS rows, default 200,000; .xlsx BENCH_SHAPE_XLSX_ROWS, default 50,000), each against raw
 * COPY of the same rows, alternated; BENCH_SHAPES_ONLY=1 runs only those, BENCH_SHAPE=<regex> only the shapes it matches.
 * BENCH_BASELINE=<path of another loaders/index.ts> (e.g. a copy of an earlier commit's loaders/ beside
 * this one: `git archive <commit> loaders | tar -x -C /tmp/b && mv /tmp/b/loaders loaders-base`, not to be
 * committed) loads each shape with that code too, in the same rounds, so a change is measured against the
 * code before it under the same load.
 *
 * Connection: DATABASE_URL, else a throw-away embedded PostgreSQL (default durability). Not part of the test suite.
 */
import { createReadStream, createWriteStream, existsSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import iconv from 'iconv-lite';
import { loadFile, type LoadResult, type LoaderItem } from '../../loaders/index.ts';
import { currentCluster, startCluster } from '../helpers/cluster.ts';
import { writeRegisterXlsx } from './lib/register-xlsx.ts';
import { makeShapes } from './lib/shapes.ts';
import { registerItems, registerPlainColumns, writeRegisterCsv } from './lib/register.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const XLSX_ROWS = Number(process.env.BENCH_XLSX_ROWS ?? 100_000);
const SHAPE_ROWS = Number(process.env.BENCH_SHAPE_ROWS ?? 200_000);
const SHAPE_XLSX_ROWS = Number(process.env.BENCH_SHAPE_XLSX_ROWS ?? 50_000);
const items = registerItems as unknown as LoaderItem[];

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (b: number) => `${Math.round(b / 1048576)} MB`;
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Creates `path` by `make(tmp)` unless it exists (files are deterministic, so they are reused). */
async function cached(path: string, make: (tmp: string) => Promise<void>): Promise<string> {
  if (existsSync(path)) return path;
  const tmp = path + '.part';
  await make(tmp);
  renameSync(tmp, path);
  return path;
}

async function gb18030Copy(src: string, dst: string): Promise<void> {
  const enc = iconv.getEncoder('gb18030');
  const out = createWriteStream(dst);
  const dec = new TextDecoder('utf-8');
  for await (const chunk of createReadStream(src, { highWaterMark: 1 << 20 })) {
    const b = enc.write(dec.decode(chunk as Buffer, { stream: true }));
    if (!out.write(b)) await once(out, 'drain');
  }
  const tail = enc.end();
  if (tail) out.write(tail);
  out.end();
  await once(out, 'finish');
}

/** Peak RSS while `fn` runs, sampled every 20 ms. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, peak };
  } finally {
    clearInterval(timer);
  }
}

async function main(): Promise<void> {
  const dir = tmpdir();
  const csv = await cached(join(dir, `odx-bench-register-${ROWS}.csv`), (p) => writeRegisterCsv(p, ROWS));
  const size = statSync(csv).size;
  const client = new pg.Client({ connectionString: (await startCluster({ durable: true })).adminUrl });
  await client.connect();
  const schema = `odx_bench_${process.pid}`;
  await client.query(`CREATE SCHEMA ${schema}`);
  const version = (await client.query('SHOW server_version')).rows[0].server_version;
  console.log(`ODX load benchmark — ${fmt(ROWS)} rows, ${mb(size)} CSV (${csv}); PostgreSQL ${version}; ${REPEAT} rounds\n`);

  const checkpoint = () => client.query('CHECKPOINT').catch(() => undefined);
  // CPU time of this process and of the server process of the connection (Linux, the server local): under a
  // shared machine's load, wall time is noisy, but the CPU each side spends is not.
  const backend = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  const cpu = (): { node: number; pg: number } => {
    const u = process.cpuUsage();
    let pgMs = NaN;
    try {
      const f = readFileSync(`/proc/${backend}/stat`, 'utf8').split(') ')[1].split(' ');
      pgMs = (Number(f[11]) + Number(f[12])) * 10; // utime + stime in 1/100 s
    } catch {
      // not Linux, or the server is elsewhere
    }
    return { node: (u.user + u.system) / 1000, pg: pgMs };
  };
  const lastCpu = { node: 0, pg: 0 };
  const measured = async <T>(fn: () => Promise<T>): Promise<T> => {
    const c0 = cpu();
    const v = await fn();
    const c1 = cpu();
    lastCpu.node = c1.node - c0.node;
    lastCpu.pg = c1.pg - c0.pg;
    return v;
  };
  let n = 0;
  async function rawCopy(file = csv, columns = registerPlainColumns, encoding = 'UTF8'): Promise<number> {
    const t = `${schema}.raw_${++n}`;
    await client.query(`CREATE TABLE ${t} (${columns})`);
    await checkpoint();
    const t0 = performance.now();
    await measured(() =>
      pipeline(
        createReadStream(file, { highWaterMark: 1 << 20 }),
        client.query(copyStreams.from(`COPY ${t} FROM STDIN (FORMAT csv, HEADER true, ENCODING '${encoding}')`)),
      ),
    );
    const ms = performance.now() - t0;
    await client.query(`DROP TABLE ${t}`);
    return ms;
  }
  const baseline: typeof loadFile | null = process.env.BENCH_BASELINE
    ? (await import(pathToFileURL(resolve(process.env.BENCH_BASELINE)).href)).loadFile
    : null;
  async function engine(
    source: string,
    opts: { format?: 'xlsx' | 'csv' | 'ndjson' | 'arrow'; items?: LoaderItem[] } = {},
    load: typeof loadFile = loadFile,
  ): Promise<{ ms: number; result: LoadResult; peak: number }> {
    const t = `${schema}.eng_${++n}`;
    await checkpoint();
    const t0 = performance.now();
    const { value: result, peak } = await withPeakRss(() => measured(async () => {
      await client.query('BEGIN');
      try {
        const r = await load(client, { items, source, targetTable: t, mode: 'replace', maxErrors: 0, ...opts });
        await client.query('COMMIT');
        return r;
      } catch (e) {
        await client.query('ROLLBACK');
        throw e;
      }
    }));
    const ms = performance.now() - t0;
    await client.query(`DROP TABLE ${t}`);
    return { ms, result, peak };
  }

  /** Each file shape against raw COPY of the same rows as CSV, alternated, median of REPEAT. */
  async function shapes(): Promise<void> {
    const list = await makeShapes(join(dir, 'odx-bench-shape'), SHAPE_ROWS, SHAPE_XLSX_ROWS);
    console.log(`\nFile shapes (${fmt(SHAPE_ROWS)} rows, .xlsx ${fmt(SHAPE_XLSX_ROWS)}; every check on, key declared), each against raw COPY of the same rows:`);
    const only = process.env.BENCH_SHAPE ? new RegExp(process.env.BENCH_SHAPE, 'i') : null;
    for (const sh of list) {
      if (only && !only.test(sh.name)) continue;
      const raw: number[] = [];
      const eng: number[] = [];
      const base: number[] = [];
      const phases: string[] = [];
      const cpus: Record<'raw' | 'odx' | 'base', { node: number[]; pg: number[] }> = {
        raw: { node: [], pg: [] }, odx: { node: [], pg: [] }, base: { node: [], pg: [] },
      };
      const took = (k: 'raw' | 'odx' | 'base') => {
        cpus[k].node.push(lastCpu.node);
        cpus[k].pg.push(lastCpu.pg);
      };
      for (let i = 0; i < REPEAT; i++) {
        raw.push(await rawCopy(sh.rawCsv, sh.rawColumns, sh.rawEncoding));
        took('raw');
        const runBase = async () => {
          base.push((await engine(sh.file, { items: sh.items, format: sh.format }, baseline!)).ms);
          took('base');
        };
        // the baseline first in every other round, so neither code always follows the raw COPY
        if (baseline && i % 2) await runBase();
        const e = await engine(sh.file, { items: sh.items, format: sh.format });
        took('odx');
        if (e.result.rows !== sh.rows) throw new Error(`${sh.name}: loaded ${e.result.rows} rows of ${sh.rows} (${JSON.stringify(e.result.rejects.slice(0, 3))})`);
        eng.push(e.ms);
        if (baseline && !(i % 2)) await runBase();
        const p = e.result.phases;
        phases.push(`${fmt(p.copyMs)}/${fmt(p.keyMs)}/${fmt(p.profileMs)}`);
      }
      const a = median(raw);
      const b = median(eng);
      console.log(
        `  ${sh.name.padEnd(72)} ODX ${fmt((sh.rows / b) * 1000).padStart(9)} rows/s  raw COPY ${fmt((sh.rows / a) * 1000).padStart(9)} rows/s  ratio ${(a / b).toFixed(2)}` +
          `  [ratios per round ${raw.map((x, i) => (x / eng[i]).toFixed(2)).join(' ')}; ms copy/key/profile ${phases.join(' ')}]`,
      );
      if (baseline)
        console.log(
          `  ${'  the baseline code, same rounds'.padEnd(72)} ODX ${fmt((sh.rows / median(base)) * 1000).padStart(9)} rows/s  ratio ${(a / median(base)).toFixed(2)}` +
            `  [ratios per round ${raw.map((x, i) => (x / base[i]).toFixed(2)).join(' ')}]`,
        );
      const cpuLine = (k: 'raw' | 'odx' | 'base') => `${k} node ${fmt(median(cpus[k].node))} / server ${fmt(median(cpus[k].pg))}`;
      console.log(`    CPU ms (median): ${cpuLine('raw')}; ${cpuLine('odx')}${baseline ? '; ' + cpuLine('base') : ''}`);
    }
  }
  if (process.env.BENCH_SHAPES_ONLY) {
    await shapes();
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
    return;
  }

  const raws: number[] = [];
  const engs: number[] = [];
  const nokeys: number[] = [];
  const noKeyItems = items.map((it) => ({ ...it, key: false }));
  let peak = 0;
  let last: LoadResult | null = null;
  for (let i = 0; i < REPEAT; i++) {
    const a = await rawCopy();
    const b = await engine(csv);
    const c = await engine(csv, { items: noKeyItems });
    raws.push(a);
    engs.push(b.ms);
    nokeys.push(c.ms);
    peak = Math.max(peak, b.peak);
    last = b.result;
    if (b.result.rows !== ROWS) throw new Error(`engine loaded ${b.result.rows} rows, expected ${ROWS}`);
    console.log(
      `  round ${i + 1}: raw COPY ${fmt(a)} ms (${fmt((ROWS / a) * 1000)} rows/s) | ODX load ${fmt(b.ms)} ms (${fmt((ROWS / b.ms) * 1000)} rows/s)` +
        ` [parse+COPY ${fmt(b.result.phases.copyMs)}, key ${fmt(b.result.phases.keyMs)}, profile ${fmt(b.result.phases.profileMs)} ms] ratio ${(a / b.ms).toFixed(2)}` +
        ` | no key declared ${fmt(c.ms)} ms, ratio ${(a / c.ms).toFixed(2)}`,
    );
  }
  const a = median(raws);
  const b = median(engs);
  console.log('');
  console.log(`(a) raw COPY (FORMAT csv), plain table:   ${fmt((ROWS / a) * 1000).padStart(9)} rows/s  (median ${fmt(a)} ms)`);
  console.log(`(b) ODX load, every check on:             ${fmt((ROWS / b) * 1000).padStart(9)} rows/s  (median ${fmt(b)} ms)`);
  console.log(`ratio b/a: ${(a / b).toFixed(2)}   (target >= 0.50)`);
  const c = median(nokeys);
  console.log(
    `(c) the same without a declared key (no primary key to build): ${fmt((ROWS / c) * 1000)} rows/s (median ${fmt(c)} ms), ratio c/a ${(a / c).toFixed(2)}`,
  );
  console.log(`peak RSS during the ODX load: ${mb(peak)}`);
  console.log(
    `profile: ${Object.entries(last!.profile.columns)
      .map(([k, v]) => `${k} nulls=${v.nulls} distinct~${v.distinctEstimate}`)
      .join(', ')}`,
  );

  // GB18030: the same data as exported by a Chinese Windows tool.
  const gb = await cached(join(dir, `odx-bench-register-${ROWS}.gb18030.csv`), (p) => gb18030Copy(csv, p));
  const g = await engine(gb);
  if (g.result.encoding !== 'gb18030' || g.result.rows !== ROWS) throw new Error('GB18030 load went wrong');
  console.log(`\nGB18030 CSV (${mb(statSync(gb).size)}), detected and loaded: ${fmt((ROWS / g.ms) * 1000)} rows/s (${fmt(g.ms)} ms), peak RSS ${mb(g.peak)}`);

  // xlsx, streamed.
  if (XLSX_ROWS > 0) {
    const xl = await cached(join(dir, `odx-bench-register-${XLSX_ROWS}.xlsx`), (p) => writeRegisterXlsx(p, XLSX_ROWS));
    const x = await engine(xl, { format: 'xlsx' });
    if (x.result.rows !== XLSX_ROWS) throw new Error(`xlsx load: ${x.result.rows} rows, ${x.result.rejected} rejected`);
    console.log(`.xlsx (${fmt(XLSX_ROWS)} rows, ${mb(statSync(xl).size)}), streamed: ${fmt((XLSX_ROWS / x.ms) * 1000)} rows/s (${fmt(x.ms)} ms), peak RSS ${mb(x.peak)}`);
  }

  await shapes();

  // Memory on a ~1 GB file.
  if (process.env.BENCH_GB) {
    const bigRows = 8_000_000;
    const big = await cached(join(dir, `odx-bench-register-${bigRows}.csv`), (p) => writeRegisterCsv(p, bigRows));
    const r = await engine(big);
    console.log(`\n1 GB check: ${mb(statSync(big).size)} CSV, ${fmt(r.result.rows)} rows in ${fmt(r.ms)} ms (${fmt((bigRows / r.ms) * 1000)} rows/s), peak RSS ${mb(r.peak)}`);
  }

  await client.query(`DROP SCHEMA ${schema} CASCADE`);
  await client.end();
  if (process.env.BENCH_CLEAN) for (const f of [csv, gb]) unlinkSync(f);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => currentCluster().stop());
