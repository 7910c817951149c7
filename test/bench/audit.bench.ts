import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { chainHash, chainPending, hashedContent, pendingEvents, recordAudit } from '../../server/src/audit/chain.ts';
import { runCommand } from '../../server/src/audit/command.ts';
import { HeadSigner, verifySignedHead } from '../../server/src/audit/signing.ts';
import { verifyChain } from '../../server/src/audit/verify.ts';
import { settleCryptoSuite } from '../../server/src/db/crypto-suite.ts';
import { SUITES, type SuiteName } from '../../server/src/lib/crypto-suite.ts';
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

/**
 * The two cryptographic suites side by side, alternated so both see the same machine: the hash
 * alone, a chain pass and a verification of `n` pending events, and signing a head.
 */
async function suites(n: number): Promise<void> {
  const content = hashedContent({ ...pendingEvents(ACTOR, [{ action: 'bench.read', targetType: 'resource', targetId: 1, rows: 100, detail: DETAIL }])[0], detail: DETAIL, seq: 1 });
  const figures: Record<SuiteName, { hashNs: number[]; chain: number[]; verify: number[]; signUs: number[]; verifyUs: number[] }> = {
    intl: { hashNs: [], chain: [], verify: [], signUs: [], verifyUs: [] },
    gm: { hashNs: [], chain: [], verify: [], signUs: [], verifyUs: [] },
  };
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-bench-keys-'));
  for (let round = 0; round < 2; round++) {
    for (const name of ['intl', 'gm'] as const) {
      const suite = SUITES[name];
      const f = figures[name];
      let prev: Buffer = Buffer.alloc(32);
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 100_000; i++) prev = chainHash(prev, content, suite);
      f.hashNs.push(Number(process.hrtime.bigint() - t0) / 100_000);
      const db = await freshDatabase();
      try {
        await settleCryptoSuite(db, name);
        for (let i = 0; i < n; i += 2000) await recordAudit(db.knex, pendingEvents(ACTOR, Array.from({ length: Math.min(2000, n - i) }, (_, j) => ({ action: 'bench.read', targetType: 'resource', targetId: i + j, rows: 100, detail: DETAIL }))));
        f.chain.push(n / (await timed(async () => void (await chainPending(db.knex)))));
        f.verify.push(n / (await timed(async () => void (await verifyChain(db.knex)))));
        const signer = await HeadSigner.load(home, suite);
        const head = await db.knex('odx.audit_head').first('seq', 'hash');
        let signed = signer.sign(head);
        f.signUs.push((await timed(async () => { for (let i = 0; i < 200; i++) signed = signer.sign(head); })) * 1e6 / 200);
        f.verifyUs.push((await timed(async () => { for (let i = 0; i < 200; i++) verifySignedHead(signed); })) * 1e6 / 200);
      } finally {
        await db.drop();
      }
    }
  }
  await fs.rm(home, { recursive: true, force: true });
  const best = (xs: number[], low = false) => (low ? Math.min(...xs) : Math.max(...xs));
  for (const name of ['intl', 'gm'] as const) {
    const f = figures[name];
    report(`audit suite ${name} (${SUITES[name].hashAlgorithm}, ${SUITES[name].signatureAlgorithm})`, {
      'hash ns/event': fmt(best(f.hashNs, true)),
      'chain events/s': fmt(best(f.chain)),
      'verify events/s': fmt(best(f.verify)),
      'sign µs': fmt(best(f.signUs, true)),
      'verify head µs': fmt(best(f.verifyUs, true)),
    });
  }
}

export async function auditBench(): Promise<void> {
  await suites(20_000);
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
