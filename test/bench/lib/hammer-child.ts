// The autocannon side of hammer.ts: reads a HammerSpec on stdin, prints a HammerResult on stdout.
import autocannon from 'autocannon';
import type { HammerResult, HammerSpec } from './hammer.ts';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const spec = JSON.parse(input) as Required<Pick<HammerSpec, 'connections' | 'seconds'>> & HammerSpec;
let i = 0;
const r = await autocannon({
  url: spec.base,
  connections: spec.connections,
  duration: spec.seconds,
  method: spec.method ?? 'GET',
  headers: spec.headers,
  requests: [
    {
      setupRequest: (req) => {
        const k = i++;
        return { ...req, path: spec.paths[k % spec.paths.length], ...(spec.bodies?.length ? { body: spec.bodies[k % spec.bodies.length] } : {}) };
      },
    },
  ],
});
const result: HammerResult = {
  tool: 'autocannon',
  requests: r.requests.total,
  rps: r.requests.average,
  p50: r.latency.p50,
  p99: r.latency.p99,
  errors: r.errors + r.timeouts + r.non2xx,
};
process.stdout.write(JSON.stringify(result));
