import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { buildWorkbook } from '../../server/src/census/imports/template.ts';
import { makeDepartment, type Dept } from '../helpers/app.ts';
import { odx } from '../helpers/cli.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { censusCsv, gb18030, resourceDocs, systemDocs } from '../fixtures/census/generate.ts';

describe('odx census template / import', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let dir: string;
  let env: Record<string, string>;
  let dept: Dept;
  before(async () => {
    db = await freshDatabase();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'odx-census-cli-'));
    env = { DATABASE_URL: db.url, ODX_HOME: dir };
    dept = await makeDepartment(db.knex, '滨海市交通运输局');
  });
  after(async () => {
    await db.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const systems = async () => Number((await db.knex('odx.systems').count<{ c: string }[]>('* as c'))[0].c);

  it('writes the template of each list', async () => {
    for (const kind of ['systems', 'resources', 'demands']) {
      const out = path.join(dir, `${kind}.xlsx`);
      const r = await odx(['census', 'template', '--kind', kind, '--out', out], env);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(out);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(out);
      expect(wb.worksheets[0].name).to.equal({ systems: '系统清单', resources: '数据清单', demands: '需求清单' }[kind]);
    }
    const bad = await odx(['census', 'template', '--kind', 'things'], env);
    expect(bad.code).not.to.equal(0);
    expect(bad.stderr).to.contain('systems, resources, demands'.split(', ')[0]);
  });

  it('imports a filled workbook (exit 0) and reports the rows and rows/s', async () => {
    const file = path.join(dir, '系统清单.xlsx');
    await fs.writeFile(file, await buildWorkbook('systems', systemDocs(120, dept.uscc, 51)));
    const r = await odx(['census', 'import', file, '--kind', 'systems', '--department', dept.uscc], env);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/imported 120 systems \(系统清单\) for 滨海市交通运输局 \(\w{18}\): ids \d+–\d+, [\d.]+ s, \d+ rows\/s/);
    expect(r.stderr).to.contain('校验 120/120 行').and.contain('入库 120/120 行');
    expect(await systems()).to.equal(120);
    const actions = await db.knex('odx.audit_events').where({ action: 'census.import' }).select('actor', 'rows');
    expect(actions).to.have.length(1);
    expect(actions[0].actor).to.match(/^cli:/);
    expect(actions[0].rows).to.equal(120);
  });

  it('imports resources as two GB18030 CSV files with --items, resolving source systems by name', async () => {
    const names = (await db.knex('odx.systems').orderBy('id').limit(5).pluck('name')) as string[];
    const docs = resourceDocs(30, dept.uscc, 52, { sourceSystems: names });
    const csv = censusCsv('resources', docs);
    const main = path.join(dir, '数据清单.csv');
    const items = path.join(dir, '信息项.csv');
    await fs.writeFile(main, gb18030(csv.main));
    await fs.writeFile(items, gb18030(csv.items!));
    const r = await odx(['census', 'import', main, '--items', items, '--kind', 'resources', '--department', dept.uscc, '--json'], env);
    expect(r.code, r.stderr).to.equal(0);
    const result = JSON.parse(r.stdout);
    expect(result).to.include({ created: 30, encoding: 'gb18030', items: docs.reduce((n, d) => n + d.items.length, 0) });
    const linked = await db.knex('odx.resources').whereIn('id', result.ids).whereRaw("doc->>'sourceSystem' is not null").count<{ c: string }[]>('* as c');
    expect(Number(linked[0].c)).to.equal(docs.filter((d) => d.sourceSystem).length);
  });

  it('refuses a file with bad rows (exit 2), printing every problem with row and column, and stores nothing', async () => {
    const docs = systemDocs(5, dept.uscc, 53);
    docs[1].buildStatus = '已完工';
    docs[3].contact = { name: '赵六' };
    const file = path.join(dir, 'bad.csv');
    await fs.writeFile(file, gb18030(censusCsv('systems', docs).main));
    const before = await systems();
    const r = await odx(['census', 'import', file, '--kind', 'systems', '--department', dept.uscc], env);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('odx: bad.csv: 2 problem(s) in 2 row(s) of 5; nothing was imported');
    expect(r.stderr).to.contain('「系统清单」第 3 行「建设状态」：“建设状态”（buildStatus）取值应为以下之一').and.contain('（填写的是：已完工）');
    expect(r.stderr).to.contain('「系统清单」第 5 行「系统联系人」：“系统联系人”（contact）须至少填写以下一项：手机号码（mobile）、办公电话（phone）');
    expect(await systems()).to.equal(before);
    const json = await odx(['census', 'import', file, '--kind', 'systems', '--department', dept.uscc, '--json'], env);
    expect(json.code).to.equal(2);
    expect(JSON.parse(json.stdout).problems.map((p: { row: number; column: string }) => [p.row, p.column])).to.deep.equal([
      [3, '建设状态'],
      [5, '系统联系人'],
    ]);
  });

  it('exits 2 with one line for an unknown department, a missing file or a missing option', async () => {
    const file = path.join(dir, 'ok.csv');
    await fs.writeFile(file, censusCsv('systems', systemDocs(1, dept.uscc)).main);
    const unknown = await odx(['census', 'import', file, '--kind', 'systems', '--department', '91350200MA2Y0HFC0G'], env);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr.trim()).to.equal('odx: department 91350200MA2Y0HFC0G not found');
    const missing = await odx(['census', 'import', path.join(dir, 'nope.xlsx'), '--kind', 'systems', '--department', dept.uscc], env);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain('cannot read').and.contain('ENOENT');
    const noDept = await odx(['census', 'import', file, '--kind', 'systems'], env);
    expect(noDept.code).not.to.equal(0);
    expect(noDept.stderr).to.contain('--department');
  });
});
