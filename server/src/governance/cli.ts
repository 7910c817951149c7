/** `odx indicators snapshot`: computes and stores one month's indicator snapshot (docs/indicators.md). */
import type { Command } from 'commander';
import { config, UsageError, withDatabase } from '../cli-support.ts';
import { now } from '../sharing/clock.ts';
import { monthWindow, previousMonth } from './period.ts';
import { loadSettings, SettingsError } from './settings.ts';
import { snapshotMonth } from './snapshots.ts';

export function registerIndicatorCommands(program: Command): void {
  program
    .command('indicators')
    .description('governance indicators')
    .command('snapshot')
    .description("compute a month's indicator snapshot (default: last month), replacing an earlier one")
    .option('--month <YYYY-MM>', 'the month')
    .action((o: { month?: string }) =>
      withDatabase(async (db) => {
        const month = o.month ?? previousMonth(now());
        if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new UsageError(`--month ${month}: 月份格式应为 YYYY-MM / a month is written YYYY-MM`);
        if (monthWindow(month).to > now()) throw new UsageError(`--month ${month}: 该月尚未结束 / the month has not ended yet`);
        let graceDays: number;
        try {
          graceDays = loadSettings(config().homeDir).graceDays;
        } catch (err) {
          if (err instanceof SettingsError) throw new UsageError(err.message);
          throw err;
        }
        const report = await snapshotMonth(db.knex, month, graceDays);
        console.log(`indicators of ${month} stored: the city and ${report.departments.length} departments`);
      }),
    );
}
