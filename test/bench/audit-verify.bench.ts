import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chainPending } from '../../server/src/audit/chain.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { HeadSigner } from '../../server/src/audit/signing.ts';
import { verifyChain } from '../../server/src/audit/verify.ts';
import { startVerification, verifyStep } from '../../server/src/audit/verify-steps.ts';
import { currentCluster, startCluster } from '../helpers/cluster.ts';
import { freshDatabase } from '../helpers/db.ts';
import { fmt, report } from './lib/report.ts';

/**
 * The console's verification (POST /api/v1/audit/verify, steps of 20,000 events) against the
 * whole-chain verification of `odx audit verify`, on the same chain in the same run, alternated:
 * the total time, and the longest step — how long one request holds a connection and the server.
 * `node --import tsx test/bench/audit-verify.bench.ts [events]`
 */
const EVENTS = Number(process.argv[2] ?? 100_000);
const DETAIL = { resource: '3070220400031/000038', filter: { district: '思明区' }, fields: ['credit_code', 'name'] };

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

await startCluster({ durable: true });
const db = await freshDatabase();
try {
  for (let written = 0; written < EVENTS; written += 1000) {
    await runCommand(db.knex, { actor: { kind: 'system', label: 'system:bench' } }, async (ctx) => {
      for (let j = 0; j < 1000; j++) ctx.audit({ action: 'bench.read', targetType: 'resource', targetId: j, rows: 100, detail: DETAIL });
    });
    await chainPending(db.knex);
  }
  const total = (await db.knex('odx.audit_head').first('seq')).seq as number;
  const signer = await HeadSigner.load(await fs.mkdtemp(path.join(os.tmpdir(), 'odx-bench-')));
  for (let round = 1; round <= 3; round++) {
    const whole = await timed(async () => void (await verifyChain(db.knex)));
    let longest = 0;
    const stepped = await timed(async () => {
      let step = await startVerification(db.knex, 'genesis', signer.publicKeyPem, 20_000);
      while (step.state === 'running') {
        const t0 = process.hrtime.bigint();
        step = await verifyStep(db.knex, step.verifiedTo, step.hash, 20_000);
        longest = Math.max(longest, Number(process.hrtime.bigint() - t0) / 1e6);
      }
      if (step.state !== 'intact') throw new Error(`the bench chain does not verify: ${step.detail}`);
    });
    report(`audit verify, ${fmt(total)} events, round ${round}`, {
      'whole chain events/s': fmt(total / whole),
      'steps of 20,000 events/s': fmt(total / stepped),
      'longest step ms': fmt(longest),
      'steps / whole': (stepped / whole).toFixed(2),
    });
  }
} finally {
  await db.drop();
  await currentCluster().stop();
}
