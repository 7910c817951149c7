import type { Knex } from 'knex';
import { chainPending } from '../../server/src/audit/chain.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { verifyChain } from '../../server/src/audit/verify.ts';
import { freshDatabase } from '../helpers/db.ts';
import { fmt, report } from './lib/report.ts';

const ACTOR = { kind: 'system' as const, label: 'system:bench' };
const DETAIL = { resource: '3070220400031/000038', filter: { district: '思明区' }, fields: ['credit_code', 'name'] };

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * `writers` loops, each committing `perTx` events per transaction, `txs` transactions, while a
 * chainer runs as it does in a server; the clock stops when every event is in the hash chain.
 */
async function chained(knex: Knex, writers: number, txs: number, perTx: number): Promise<number> {
  const secs = await timed(async () => {
    let writing = true;
    const chainer = (async () => {
      while (writing) {
        if ((await chainPending(knex, { wait: false })) === 0) await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await Promise.all(Array.from({ length: writers }, async () => {
      for (let i = 0; i < txs; i++) {
        await runCommand(knex, { actor: ACTOR }, async (ctx) => {
          for (let j = 0; j < perTx; j++) ctx.audit({ action: 'bench.read', targetType: 'resource', targetId: i, rows: 100, detail: DETAIL });
        });
      }
    }));
    writing = false;
    await chainer;
    await chainPending(knex);
  });
  return (writers * txs * perTx) / secs;
}

/** The physical limit: the same rows inserted in their own transactions with no chain, no lock. */
async function plain(knex: Knex, writers: number, txs: number, perTx: number): Promise<number> {
  await knex.raw('create table if not exists public.bench_plain (like odx.audit_events)');
  await knex.raw('alter table public.bench_plain drop constraint if exists bench_plain_pkey');
  let seq = 0;
  const secs = await timed(async () => {
    await Promise.all(Array.from({ length: writers }, async () => {
      for (let i = 0; i < txs; i++) {
        await knex.transaction(async (trx) => {
          await trx('public.bench_plain').insert(Array.from({ length: perTx }, () => ({
            seq: ++seq, at: new Date(), actor: ACTOR.label, action: 'bench.read', target_type: 'resource', target_id: String(i), rows: 100,
            detail: JSON.stringify(DETAIL), prev_hash: Buffer.alloc(32), hash: Buffer.alloc(32),
          })));
        });
      }
    }));
  });
  return (writers * txs * perTx) / secs;
}

export async function auditBench(): Promise<void> {
  const db = await freshDatabase();
  try {
    const cases = [
      { name: '1 writer, 1 event/tx', writers: 1, txs: 1000, perTx: 1 },
      { name: '8 writers, 1 event/tx', writers: 8, txs: 200, perTx: 1 },
      { name: '1 writer, 100 events/tx (batched reads)', writers: 1, txs: 100, perTx: 100 },
      { name: '8 writers, 100 events/tx (batched reads)', writers: 8, txs: 25, perTx: 100 },
    ];
    for (const c of cases) {
      const limit = await plain(db.knex, c.writers, c.txs, c.perTx);
      const ours = await chained(db.knex, c.writers, c.txs, c.perTx);
      report(`audit append — ${c.name}`, { 'events/s': fmt(ours), 'plain INSERT events/s': fmt(limit), ratio: (ours / limit).toFixed(2) });
    }
    const total = (await db.knex('odx.audit_head').first()).seq;
    const secs = await timed(async () => void (await verifyChain(db.knex)));
    report('audit verify', { events: fmt(total), 'events/s': fmt(total / secs) });
  } finally {
    await db.drop();
  }
}
