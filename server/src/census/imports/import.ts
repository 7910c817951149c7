/**
 * Bulk census import: a filled template (.xlsx, or .csv in UTF-8 / UTF-8 with BOM / GB18030)
 * becomes documents of one department, whole or not at all.
 *
 * Every row is validated before anything is stored; a file with any bad row is refused with a
 * report naming each problem's sheet, row number (as Excel shows it), column header and reason.
 * A good file is stored in one audited transaction through `documentsCreator`, set-based, so each
 * document gets its history and audit event exactly as if it had been registered through the API.
 */
import type { Knex } from 'knex';
import { runCommand, type CommandContext, type CommandOrigin } from '../../audit/command.ts';
import { pendingEvents, recordAudit, type AuditInput } from '../../audit/chain.ts';
import { HttpError, notFound, text } from '../../http/errors.ts';
import { documentsCreator } from '../documents/commands.ts';
import type { DocumentViolation } from '../documents/derive.ts';
import { ITEMS_SHEET, LISTS, SHEET, listColumns, type ListName } from './columns.ts';
import { bindSheet, checkRow, sortProblems, toDocuments, violationProblems, type BoundSheet, type ImportProblem, type Lookups, type ParsedRow } from './convert.ts';
import { readFile, UnreadableFile, type RawFile, type RawSheet, type TextEncoding } from './read.ts';

/** Most data rows one file may hold. */
export const MAX_IMPORT_ROWS = 50_000;
/** Documents are stored, and their audit events written, in batches of this many (a statement binds at most 65,535 values). */
const AUDIT_BATCH = 2_000;

export interface ImportProgress {
  phase: 'parsed' | 'validated' | 'stored';
  done: number;
  total: number;
}

export interface ImportInput {
  list: ListName;
  /** The importing department's 统一社会信用代码: every row belongs to it. */
  department: string;
  file: Buffer;
  /** Resources as CSV: the 信息项 file. (An .xlsx carries them in its 信息项 sheet.) */
  items?: Buffer;
  /** A charset declared by the uploader (Content-Type), overriding detection for CSV. */
  charset?: string;
  itemsCharset?: string;
  fileName?: string;
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportResult {
  list: ListName;
  department: { id: number; uscc: string; name: string };
  format: RawFile['format'];
  encoding?: TextEncoding;
  /** Data rows of the main sheet = documents created. */
  rows: number;
  created: number;
  /** Items (信息项) created with the resources. */
  items: number;
  ids: number[];
  ms: { parse: number; validate: number; store: number };
}

/** The file was refused: 422 with every problem; nothing was stored. */
export class ImportRejected extends HttpError {
  constructor(
    readonly problems: ImportProblem[],
    readonly rows: number,
  ) {
    const badRows = new Set(problems.filter((p) => p.row > 0).map((p) => `${p.sheet}\u0000${p.row}`)).size;
    super(
      422,
      'import_rejected',
      rows > 0
        ? text(`${rows} 行中有 ${badRows} 行共 ${problems.length} 个问题，未导入任何内容`, `${problems.length} problem(s) in ${badRows} row(s) of ${rows}; nothing was imported`)
        : text(`文件无法导入（${problems.length} 个问题），未导入任何内容`, `the file cannot be imported (${problems.length} problem(s)); nothing was imported`),
      problems,
    );
  }
}

const fileProblem = (sheet: string, message: string, messageZh: string): ImportProblem => ({ sheet, row: 0, column: null, message, messageZh });

function pickSheet(file: RawFile, name: string, exclude: string[]): RawSheet | undefined {
  if (file.format === 'csv') return file.sheets[0];
  return file.sheets.find((s) => s.name === name) ?? file.sheets.find((s) => !exclude.includes(s.name));
}

async function lookups(knex: Knex, list: ListName, departmentId: number, uscc: string): Promise<Lookups> {
  const out: Lookups = { departmentUscc: uscc, systemsByName: new Map(), systemIds: new Set(), categories: new Set(), categoryByName: new Map() };
  if (list !== 'resources') return out;
  for (const s of await knex('odx.systems').where({ department_id: departmentId }).select('id', 'name')) {
    out.systemIds.add(s.id);
    out.systemsByName.set(s.name, [...(out.systemsByName.get(s.name) ?? []), s.id]);
  }
  for (const c of await knex('odx.classifications').select('code', 'name')) {
    out.categories.add(c.code);
    out.categoryByName.set(c.name, [...(out.categoryByName.get(c.name) ?? []), c.code]);
  }
  return out;
}

/** Reads and checks every row; returns the documents or throws ImportRejected with the full report. */
export async function prepareImport(knex: Knex, input: ImportInput, department: { id: number; uscc: string }) {
  const lc = listColumns(input.list);
  const t0 = performance.now();
  const problems: ImportProblem[] = [];
  let file: RawFile;
  let itemsFile: RawFile | undefined;
  try {
    file = await readFile(input.file, input.charset);
  } catch (err) {
    if (err instanceof UnreadableFile) throw new ImportRejected([fileProblem(lc.sheet, err.message, err.messageZh)], 0);
    throw err;
  }
  if (input.items) {
    try {
      itemsFile = await readFile(input.items, input.itemsCharset);
    } catch (err) {
      if (err instanceof UnreadableFile) throw new ImportRejected([fileProblem(ITEMS_SHEET, err.message, err.messageZh)], 0);
      throw err;
    }
  }
  const otherLists = LISTS.filter((l) => l !== input.list).map((l) => SHEET[l]);
  if (file.format === 'xlsx' && !file.sheets.some((s) => s.name === lc.sheet)) {
    const other = file.sheets.find((s) => otherLists.includes(s.name));
    if (other) {
      throw new ImportRejected(
        [fileProblem(other.name, `this is a ${other.name} workbook, not ${lc.sheet} (kind=${input.list})`, `这是「${other.name}」文件，不是「${lc.sheet}」；请检查导入类型`)],
        0,
      );
    }
  }
  const mainSheet = pickSheet(file, lc.sheet, [ITEMS_SHEET, '填写说明']);
  if (!mainSheet) throw new ImportRejected([fileProblem(lc.sheet, 'the workbook has no sheet to import', `文件中没有「${lc.sheet}」工作表`)], 0);
  // the owner column may be left out: every row then belongs to the importing department
  const main = bindSheet(mainSheet, lc.sheet, lc.columns, problems, [lc.owner]);
  let items: BoundSheet | null = null;
  if (lc.items && lc.itemsKey) {
    const source = itemsFile ?? (file.format === 'xlsx' ? file : undefined);
    const sheet = source ? (source.format === 'csv' ? source.sheets[0] : source.sheets.find((s) => s.name === ITEMS_SHEET) ?? (itemsFile ? source.sheets[0] : undefined)) : undefined;
    if (!sheet) {
      problems.push(
        file.format === 'csv'
          ? fileProblem(ITEMS_SHEET, 'resources as CSV need a second file with the items (信息项)', '数据清单以 CSV 导入时须同时提供信息项文件')
          : fileProblem(ITEMS_SHEET, `the workbook has no ${ITEMS_SHEET} sheet`, `文件中缺少「${ITEMS_SHEET}」工作表`),
      );
    } else items = bindSheet(sheet, ITEMS_SHEET, [lc.itemsKey, ...lc.items], problems);
  }
  if (!main || problems.length) throw new ImportRejected(sortProblems(problems, [lc.sheet, ITEMS_SHEET], new Map()), 0);

  const look = await lookups(knex, input.list, department.id, department.uscc);
  const parsed = toDocuments(lc, main, items, look, problems);
  const parseMs = performance.now() - t0;
  input.onProgress?.({ phase: 'parsed', done: parsed.length, total: parsed.length });
  if (parsed.length === 0) problems.push(fileProblem(lc.sheet, 'the file has no data rows', '文件中没有数据行（说明行和示例行不导入）'));
  if (parsed.length > MAX_IMPORT_ROWS) {
    throw new ImportRejected([fileProblem(lc.sheet, `at most ${MAX_IMPORT_ROWS} rows per file; split the file`, `每个文件最多 ${MAX_IMPORT_ROWS} 行，请拆分后导入`)], parsed.length);
  }

  const t1 = performance.now();
  parsed.forEach((p, i) => {
    problems.push(...checkRow(lc, main, items, p, look));
    if (input.onProgress && (i % 100 === 99 || i === parsed.length - 1)) input.onProgress({ phase: 'validated', done: i + 1, total: parsed.length });
  });
  const validateMs = performance.now() - t1;
  if (problems.length) {
    const order = new Map<string, number>();
    main.columns.forEach((b) => order.set(`${main.name}\u0000${b.column.header}`, b.index));
    items?.columns.forEach((b) => order.set(`${items!.name}\u0000${b.column.header}`, b.index));
    throw new ImportRejected(sortProblems(problems, [lc.sheet, ITEMS_SHEET], order), parsed.length);
  }
  return { lc, main, items, parsed, file, ms: { parse: parseMs, validate: validateMs } };
}

/** Creates the documents in one transaction, writing their audit events in batches. */
async function store(ctx: CommandContext, input: ImportInput, prepared: Awaited<ReturnType<typeof prepareImport>>, departmentId: number): Promise<number[]> {
  const { lc, parsed } = prepared;
  const pending: AuditInput[] = [];
  const inner: CommandContext = { ...ctx, audit: (e) => void pending.push(e) };
  const flush = async () => {
    if (pending.length) await recordAudit(ctx.trx, pendingEvents(ctx.actor, pending.splice(0), ctx.requestId));
  };
  const ids: number[] = [];
  // a rule checked only while storing (a change made meanwhile): report it on its row
  const refuse = (from: number) => (index: number, problems: DocumentViolation[]): never => {
    const p: ParsedRow = parsed[from + index];
    throw new ImportRejected(violationProblems(lc, prepared.main, prepared.items, p, problems as never), parsed.length);
  };
  for (let from = 0; from < parsed.length; from += AUDIT_BATCH) {
    const docs = parsed.slice(from, from + AUDIT_BATCH).map((p) => p.doc);
    const rows = await documentsCreator(inner, lc.kind, docs, departmentId, refuse(from));
    ids.push(...rows.map((r) => r.id));
    await flush();
    input.onProgress?.({ phase: 'stored', done: ids.length, total: parsed.length });
  }
  await flush();
  ctx.audit({
    action: 'census.import',
    departmentId,
    targetType: 'department',
    targetId: departmentId,
    rows: ids.length,
    detail: {
      list: input.list,
      format: prepared.file.format,
      ...(prepared.file.encoding ? { encoding: prepared.file.encoding } : {}),
      ...(input.fileName ? { fileName: input.fileName } : {}),
      bytes: input.file.length + (input.items?.length ?? 0),
      firstId: ids[0],
      lastId: ids[ids.length - 1],
    },
  });
  return ids;
}

/** Imports a filled census template for one department, whole or not at all. */
export async function importCensus(knex: Knex, origin: CommandOrigin, input: ImportInput): Promise<ImportResult> {
  const dept = await knex('odx.departments').where({ uscc: input.department }).first('id', 'uscc', 'name');
  if (!dept) throw notFound(text(`部门 ${input.department}`, `department ${input.department}`));
  const prepared = await prepareImport(knex, input, dept);
  const t2 = performance.now();
  const ids = await runCommand(knex, origin, (ctx) => store(ctx, input, prepared, dept.id));
  const storeMs = performance.now() - t2;
  const items = prepared.parsed.reduce((n, p) => n + ((p.doc.items as unknown[] | undefined)?.length ?? 0), 0);
  return {
    list: input.list,
    department: { id: dept.id, uscc: dept.uscc, name: dept.name },
    format: prepared.file.format,
    ...(prepared.file.encoding ? { encoding: prepared.file.encoding } : {}),
    rows: prepared.parsed.length,
    created: ids.length,
    items: input.list === 'resources' ? items : 0,
    ids,
    ms: { parse: Math.round(prepared.ms.parse), validate: Math.round(prepared.ms.validate), store: Math.round(storeMs) },
  };
}
