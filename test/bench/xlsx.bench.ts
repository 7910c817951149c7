/**
 * `node --import tsx test/bench/xlsx.bench.ts` — memory and speed of .xlsx loads: for each size in
 * BENCH_XLSX_SIZES (default 100000,1000000) loads the register workbook BENCH_REPEAT times (default 3),
 * each in a child process of its own, and prints rows/s and the child's peak RSS (maxRSS).
 * Workbooks are generated once into the temp directory. Connection: DATABASE_URL, else an embedded cluster.
 */
import { execFile } from 'node:child_process';
import { existsSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { currentCluster, startCluster } from '../helpers/cluster.ts';
import { writeRegisterXlsx } from './lib/register-xlsx.ts';

const SIZES = (process.env.BENCH_XLSX_SIZES ?? '100000,1000000').split(',').map(Number);
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 3));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main(): Promise<void> {
  const url = (await startCluster({ durable: true })).adminUrl;
  const child = new URL('./lib/xlsx-load-child.ts', import.meta.url).pathname;
  for (const rows of SIZES) {
    const file = join(tmpdir(), `odx-bench-register-${rows}.xlsx`);
    if (!existsSync(file)) {
      await writeRegisterXlsx(file + '.part', rows);
      renameSync(file + '.part', file);
    }
    const runs: { ms: number; maxRssMB: number }[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, file, url], { maxBuffer: 1 << 20 });
      const r = JSON.parse(stdout.trim().split('\n').pop()!);
      if (r.rows !== rows) throw new Error(`loaded ${r.rows} rows of ${rows} (${r.rejected} rejected)`);
      runs.push(r);
      console.log(`  ${fmt(rows)} rows, run ${i + 1}: ${fmt(r.ms)} ms, ${fmt((rows / r.ms) * 1000)} rows/s, peak RSS ${r.maxRssMB} MB`);
    }
    const ms = median(runs.map((r) => r.ms));
    console.log(
      `${fmt(rows)} rows (${Math.round(statSync(file).size / 1048576)} MB .xlsx): median ${fmt((rows / ms) * 1000)} rows/s, peak RSS max ${Math.max(...runs.map((r) => r.maxRssMB))} MB`,
    );
  }
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => currentCluster().stop());
