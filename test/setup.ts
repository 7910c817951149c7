import { startCluster, currentCluster } from './helpers/cluster.ts';

// mocha global fixtures: one PostgreSQL (and one migrated template database) for the whole run
export async function mochaGlobalSetup() {
  await startCluster();
}

export async function mochaGlobalTeardown() {
  await currentCluster().stop();
}
