import os from 'node:os';
import { currentCluster, startCluster } from '../helpers/cluster.ts';
import { auditBench } from './audit.bench.ts';
import { censusImportBench } from './census-import.bench.ts';
import { governanceBench } from './governance.bench.ts';
import { replicasBench } from './replicas.bench.ts';
import { searchBench } from './search.bench.ts';
import { sharingBench } from './sharing.bench.ts';

// `npm run bench`: every benchmark in one run, on a cluster with PostgreSQL's default durability.
console.log(`ODX benchmarks — ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PostgreSQL'}`);
await startCluster({ durable: true });
try {
  await auditBench();
  await censusImportBench();
  await sharingBench();
  await searchBench();
  await governanceBench();
  // its own primary and standby, not the run's cluster
  await replicasBench();
} finally {
  await currentCluster().stop();
}
