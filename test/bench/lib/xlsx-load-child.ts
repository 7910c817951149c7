/**
 * One .xlsx load in a process of its own, so that its peak RSS (process.resourceUsage().maxRSS) is the
 * load's alone. Prints one JSON line: rows, rejected, ms, cpuMs, maxRssMB. Args: <file> <database url>
 * [<path of the loaders/index.ts to load with>, default this checkout's].
 */
import pg from 'pg';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { LoaderItem, loadFile as LoadFile } from '../../../loaders/index.ts';
import { registerItems } from './register.ts';

const [file, url, loaders] = process.argv.slice(2);
const loadFile: typeof LoadFile = (await import(loaders ? pathToFileURL(resolve(loaders)).href : '../../../loaders/index.ts')).loadFile;
const client = new pg.Client({ connectionString: url });
await client.connect();
const table = `public.odx_xlsx_bench_${process.pid}`;
const t0 = performance.now();
await client.query('BEGIN');
const r = await loadFile(client, { items: registerItems as unknown as LoaderItem[], source: file, format: 'xlsx', targetTable: table, mode: 'replace', maxErrors: 0 });
const ms = performance.now() - t0;
const cpu = process.cpuUsage();
await client.query('ROLLBACK');
await client.end();
console.log(JSON.stringify({ rows: r.rows, rejected: r.rejected, ms: Math.round(ms), cpuMs: Math.round((cpu.user + cpu.system) / 1000), phases: r.phases, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
