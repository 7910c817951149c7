/**
 * `node --import tsx test/bench/xlsx.bench.ts` — memory and speed of .xlsx loads: for each size in
 * BENCH_XLSX_SIZES (default 100000,1000000) loads the register workbook BENCH_REPEAT times (default 3),
 * each in a child process of its own, and prints rows/s, the child's CPU and its peak RSS (maxRSS).
 * BENCH_BASELINE=<path of another loaders/index.ts> (e.g. a copy of an earlier commit's loaders/, see
 * load.bench.ts) loads each time with that code too, the two alternated (their order swapped each round),
 * and prints the ratio of the medians. Workbooks are generated once into the temp directory.
 * Connection: DATABASE_URL, else an embedded cluster.
 */
import { execFile } from 'node:child_process';
import { existsSync, renameSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { currentCluster, startCluster } from '../helpers/cluster.ts';
import { writeRegisterXlsx } from './lib/register-xlsx.ts';

const SIZES = (process.env.BENCH_XLSX_SIZES ?? '100000,1000000').split(',').map(Number);
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const BASELINE = process.env.BENCH_BASELINE;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2;
};
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

interface Run {
  ms: number;
  cpuMs: number;
  maxRssMB: number;
}

async function main(): Promise<void> {
  const url = (await startCluster({ durable: true })).adminUrl;
  const child = new URL('./lib/xlsx-load-child.ts', import.meta.url).pathname;
  const codes: { name: string; args: string[] }[] = [{ name: 'this code', args: [] }];
  if (BASELINE) codes.push({ name: 'baseline', args: [BASELINE] });
  for (const rows of SIZES) {
    const file = join(tmpdir(), `odx-bench-register-${rows}.xlsx`);
    if (!existsSync(file)) {
      await writeRegisterXlsx(file + '.part', rows);
      renameSync(file + '.part', file);
    }
    const runs = new Map<string, Run[]>(codes.map((c) => [c.name, []]));
    for (let i = 0; i < REPEAT; i++) {
      for (const code of i % 2 ? [...codes].reverse() : codes) {
        const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, file, url, ...code.args], { maxBuffer: 1 << 20 });
        const r = JSON.parse(stdout.trim().split('\n').pop()!);
        if (r.rows !== rows) throw new Error(`loaded ${r.rows} rows of ${rows} (${r.rejected} rejected)`);
        runs.get(code.name)!.push(r);
        console.log(
          `  ${fmt(rows)} rows, round ${i + 1}, ${code.name}: ${fmt(r.ms)} ms, ${fmt((rows / r.ms) * 1000)} rows/s, CPU ${fmt(r.cpuMs)} ms, peak RSS ${r.maxRssMB} MB (load ${load()})`,
        );
      }
    }
    const rate = (name: string) => (rows / median(runs.get(name)!.map((r) => r.ms))) * 1000;
    for (const { name } of codes) {
      const rs = runs.get(name)!;
      console.log(
        `${fmt(rows)} rows (${Math.round(statSync(file).size / 1048576)} MB .xlsx), ${name}: median ${fmt(rate(name))} rows/s, CPU median ${fmt(median(rs.map((r) => r.cpuMs)))} ms, peak RSS max ${Math.max(...rs.map((r) => r.maxRssMB))} MB`,
      );
    }
    if (BASELINE) console.log(`${fmt(rows)} rows: this code / baseline rows/s = ${(rate('this code') / rate('baseline')).toFixed(2)}`);
  }
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => currentCluster().stop());
