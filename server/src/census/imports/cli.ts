/**
 * `odx census template` and `odx census import`: the census templates and bulk import from the
 * command line. Exit codes: 0 imported, 2 refused (the report lists every bad row) or a usage
 * problem, 1 anything unexpected.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { cliActor, UsageError, withDatabase } from '../../cli-support.ts';
import { HttpError } from '../../http/errors.ts';
import { LISTS, SHEET, type ListName } from './columns.ts';
import { importCensus, ImportRejected, type ImportProgress } from './import.ts';
import type { ImportProblem } from './convert.ts';
import { buildTemplate } from './template.ts';

const PHASE_ZH: Record<ImportProgress['phase'], string> = { parsed: '读取', validated: '校验', stored: '入库' };

/** One line per problem: where (sheet, row, column) and why, in Chinese then English. */
export function formatProblem(p: ImportProblem): string {
  const where = p.row > 0 ? `「${p.sheet}」第 ${p.row} 行` : `「${p.sheet}」`;
  const column = p.column ? `「${p.column}」` : '';
  const value = p.value !== undefined ? `（填写的是：${p.value}）` : '';
  return `  ${where}${column}：${p.messageZh}${value}\n      ${p.message}`;
}

async function readInput(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** A progress reporter: a bar with rows and rows/s on a terminal, a line per phase otherwise. */
function progress(quiet: boolean) {
  if (quiet) return { update: (_p: ImportProgress) => {}, stop: () => {} };
  const tty = Boolean(process.stderr.isTTY);
  let bar: SingleBar | undefined;
  let phase: ImportProgress['phase'] | undefined;
  let started = 0;
  const rate = (done: number) => {
    const s = (performance.now() - started) / 1000;
    return s > 0 ? Math.round(done / s) : 0;
  };
  return {
    update(p: ImportProgress) {
      if (p.phase !== phase) {
        bar?.stop();
        phase = p.phase;
        started = performance.now();
        if (tty && p.phase !== 'parsed') {
          bar = new SingleBar({ format: '{phase} {bar} {value}/{total} 行 | {rate} 行/秒 | {duration_formatted}', stream: process.stderr, hideCursor: true }, Presets.shades_classic);
          bar.start(p.total, 0, { phase: PHASE_ZH[p.phase], rate: 0 });
        }
      }
      bar?.update(p.done, { phase: PHASE_ZH[p.phase], rate: rate(p.done) });
      if (p.done === p.total && !tty) console.error(`${PHASE_ZH[p.phase]} ${p.done}/${p.total} 行${p.phase === 'parsed' ? '' : `，${rate(p.done)} 行/秒`}`);
    },
    stop() {
      bar?.stop();
    },
  };
}

/** Adds `census template` and `census import` to the `odx` program. */
export function registerCensusCommands(program: Command): void {
  const census = program.commands.find((c) => c.name() === 'census') ?? program.command('census').description('the census (公共数据资源普查): templates, bulk import');
  const kind = () => new Option('--kind <kind>', 'which list: systems (系统清单), resources (数据清单) or demands (需求清单)').choices(LISTS).makeOptionMandatory();

  census
    .command('template')
    .description('write the .xlsx template of a census list: Chinese headers, a description row and an example row')
    .addOption(kind())
    .option('--out <file>', 'where to write it ("-" for stdout); default <list>模板.xlsx in the current directory')
    .action(async (o: { kind: ListName; out?: string }) => {
      const buf = await buildTemplate(o.kind);
      if (o.out === '-') {
        process.stdout.write(buf);
        return;
      }
      const out = path.resolve(o.out ?? `${SHEET[o.kind]}模板.xlsx`);
      await fs.writeFile(out, buf);
      console.log(`template written: ${out}`);
    });

  census
    .command('import')
    .description('import a filled census template (.xlsx, or .csv in UTF-8/GB18030) for one department, whole or not at all')
    .argument('<file>', 'the filled template (.xlsx or .csv)')
    .addOption(kind())
    .requiredOption('--department <uscc>', "the importing department's 统一社会信用代码; every row must belong to it (blank owner cells are filled with it)")
    .option('--items <file>', 'resources as CSV: the 信息项 file (an .xlsx carries them in its 信息项 sheet)')
    .option('--quiet', 'no progress output')
    .option('--json', 'print the result (or the problems) as JSON on stdout')
    .action((file: string, o: { kind: ListName; department: string; items?: string; quiet?: boolean; json?: boolean }) =>
      withDatabase(async (db) => {
        const data = await readInput(file);
        const items = o.items ? await readInput(o.items) : undefined;
        const bar = progress(Boolean(o.quiet || o.json));
        try {
          const r = await importCensus(db.knex, { actor: cliActor() }, {
            list: o.kind,
            department: o.department,
            file: data,
            ...(items ? { items } : {}),
            fileName: path.basename(file),
            onProgress: (p) => bar.update(p),
          });
          bar.stop();
          if (o.json) {
            console.log(JSON.stringify(r, null, 2));
            return;
          }
          const seconds = (r.ms.parse + r.ms.validate + r.ms.store) / 1000;
          console.log(
            `imported ${r.created} ${o.kind} (${SHEET[o.kind]})${r.items ? ` with ${r.items} items` : ''} for ${r.department.name} (${r.department.uscc}): ` +
              `ids ${r.ids[0]}–${r.ids[r.ids.length - 1]}, ${seconds.toFixed(1)} s, ${Math.round(r.rows / Math.max(seconds, 0.001))} rows/s`,
          );
        } catch (err) {
          bar.stop();
          if (err instanceof ImportRejected) {
            if (o.json) console.log(JSON.stringify({ error: err.message, problems: err.problems }, null, 2));
            console.error(`odx: ${path.basename(file)}: ${err.message}`);
            for (const p of err.problems) console.error(formatProblem(p));
            process.exitCode = 2;
            return;
          }
          if (err instanceof HttpError) throw new UsageError(err.message);
          throw err;
        }
      }),
    );
}
