/**
 * The load generator of the HTTP benchmarks, in a process of its own so it does not take the
 * server's CPU: wrk (`apt-get install wrk`; a C program, the lighter client) when it is on the
 * PATH, else autocannon in a child Node process. Each request takes the next of `paths` (and of
 * `bodies`, for POST), round robin.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export interface HammerSpec {
  base: string;
  paths: string[];
  headers?: Record<string, string>;
  method?: 'GET' | 'POST';
  bodies?: string[];
  connections?: number;
  seconds?: number;
}

export interface HammerResult {
  tool: 'wrk' | 'autocannon';
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** Socket errors, timeouts and non-2xx answers. */
  errors: number;
}

let wrkPath: string | null | undefined;

async function findWrk(): Promise<string | null> {
  if (wrkPath !== undefined) return wrkPath;
  try {
    wrkPath = (await promisify(execFile)('sh', ['-c', 'command -v wrk'])).stdout.trim() || null;
  } catch {
    wrkPath = null;
  }
  return wrkPath;
}

const lua = (s: string) => `"${s.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n')}"`;

function wrkScript(spec: HammerSpec): string {
  const headers = Object.entries(spec.headers ?? {}).map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`);
  return [
    ...headers,
    `local paths = {${spec.paths.map(lua).join(',')}}`,
    `local bodies = {${(spec.bodies ?? []).map(lua).join(',')}}`,
    // the requests are written once, before the run: the generator shares the server's cores, and
    // formatting each request again cost it ~3 of its ~28 µs of CPU per request
    'local requests = {}',
    'init = function()',
    '  for k = 1, math.max(#paths, #bodies) do',
    `    requests[k] = wrk.format(${lua(spec.method ?? 'GET')}, paths[((k - 1) % #paths) + 1], nil, #bodies > 0 and bodies[((k - 1) % #bodies) + 1] or nil)`,
    '  end',
    'end',
    'local i = 0',
    'request = function()',
    '  i = i % #requests + 1',
    '  return requests[i]',
    'end',
    // wrk's own summary is text; this prints the figures as one JSON line
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  io.write(string.format(\'{"requests":%d,"micros":%d,"p50":%f,"p99":%f,"errors":%d}\\n\', summary.requests, summary.duration,',
    '    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.connect + e.read + e.write + e.timeout + e.status))',
    'end',
  ].join('\n');
}

export async function hammer(spec: HammerSpec): Promise<HammerResult> {
  const connections = spec.connections ?? 32;
  const seconds = spec.seconds ?? 10;
  const wrk = await findWrk();
  if (wrk) {
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'odx-wrk-')), 'run.lua');
    fs.writeFileSync(script, wrkScript(spec));
    try {
      const { stdout } = await promisify(execFile)(wrk, ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, spec.base], { maxBuffer: 1 << 24 });
      const line = stdout.split('\n').find((l) => l.startsWith('{"requests"'));
      if (!line) throw new Error(`wrk printed no figures:\n${stdout}`);
      const r = JSON.parse(line) as { requests: number; micros: number; p50: number; p99: number; errors: number };
      return { tool: 'wrk', requests: r.requests, rps: r.requests / (r.micros / 1e6), p50: r.p50, p99: r.p99, errors: r.errors };
    } finally {
      fs.rmSync(path.dirname(script), { recursive: true, force: true });
    }
  }
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./hammer-child.ts', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(JSON.stringify({ ...spec, connections, seconds }));
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c));
  const code: number = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`the autocannon process exited with ${code}`);
  return JSON.parse(out) as HammerResult;
}
