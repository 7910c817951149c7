/**
 * Census import throughput: a generated 10,000-row 系统清单 workbook (.xlsx, and the same rows as a
 * GB18030 CSV) and a 2,000-entry 数据清单 workbook with its 信息项 sheet, each imported whole into a
 * fresh database through the audited path (validation of every row, then documentCreator per row).
 */
import { runCommand } from '../../server/src/audit/command.ts';
import { departmentCreator } from '../../server/src/census/departments/commands.ts';
import { importCensus, type ImportInput } from '../../server/src/census/imports/import.ts';
import { buildWorkbook } from '../../server/src/census/imports/template.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { censusCsv, gb18030, resourceDocs, systemDocs } from '../fixtures/census/generate.ts';
import { fmt, report } from './lib/report.ts';

const ACTOR = { kind: 'system' as const, label: 'system:bench' };

async function department(db: TestDatabase, name: string, uscc: string) {
  await runCommand(db.knex, { actor: ACTOR }, (ctx) => departmentCreator(ctx, { name, uscc, regionCode: '350200', kind: 'bureau', parentId: null }));
  return uscc;
}

async function timed(db: TestDatabase, name: string, input: ImportInput) {
  const t0 = performance.now();
  const r = await importCensus(db.knex, { actor: ACTOR }, input);
  const seconds = (performance.now() - t0) / 1000;
  report(name, {
    'rows/s': fmt(r.rows / seconds),
    rows: r.rows,
    ...(r.items ? { items: r.items } : {}),
    s: seconds.toFixed(1),
    parse_ms: r.ms.parse,
    validate_ms: r.ms.validate,
    store_ms: r.ms.store,
    'stored rows/s': fmt(r.rows / (r.ms.store / 1000)),
    MiB: ((input.file.length + (input.items?.length ?? 0)) / 2 ** 20).toFixed(1),
  });
  return r;
}

export async function censusImportBench(): Promise<void> {
  const db = await freshDatabase();
  try {
    // two valid 统一社会信用代码 (GB 32100 check characters)
    const a = await department(db, '滨海市市场监督管理局', '11350200003602108X');
    const b = await department(db, '滨海市人民政府', '11350200003600018T');

    const systems = systemDocs(10_000, a, 7);
    await timed(db, 'census import: 10,000 systems (.xlsx)', { list: 'systems', department: a, file: await buildWorkbook('systems', systems) });
    await timed(db, 'census import: 10,000 systems (GB18030 .csv)', { list: 'systems', department: b, file: gb18030(censusCsv('systems', systemDocs(10_000, b, 8)).main) });

    // source systems named by their (unique) names among the ones just imported
    const names = systems.slice(0, 500).map((s) => s.name as string);
    const resources = resourceDocs(2_000, a, 9, { sourceSystems: names });
    await timed(db, 'census import: 2,000 resources + items (.xlsx)', { list: 'resources', department: a, file: await buildWorkbook('resources', resources) });
  } finally {
    await db.drop();
  }
}
